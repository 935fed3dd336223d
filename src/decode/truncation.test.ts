/**
 * Every test frame cut at every length from 0 to its full size: the status names the layer
 * that was cut, and exactly the fields of the layers before it keep their full-frame values
 * while every other field stays blank.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BLANK,
  type DecodedRecord,
  type FieldName,
  RECORD_FIELDS,
  record,
} from "../../test/support/decoded.js";
import * as F from "../../test/support/frames.js";
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from "../packet/link-types.js";
import {
  DECODE_OK,
  DECODE_REASONS,
  TRUNCATED_ARP,
  TRUNCATED_ETHERNET,
  TRUNCATED_ICMP,
  TRUNCATED_ICMPV6,
  TRUNCATED_IP,
  TRUNCATED_IPV4,
  TRUNCATED_IPV6,
  TRUNCATED_IPV6_EXT,
  TRUNCATED_LLC,
  TRUNCATED_NULL,
  TRUNCATED_SLL,
  TRUNCATED_SLL2,
  TRUNCATED_TCP,
  TRUNCATED_UDP,
  TRUNCATED_VLAN,
} from "./decode-status.js";
import { Decoder } from "./decoder.js";
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  IPPROTO_ESP,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "./protocols.js";

const LINK: readonly FieldName[] = ["ethertype", "vlan", "innerVlan", "vlanDepth", "pktType"];
const IP: readonly FieldName[] = [
  "l3",
  "l3Offset",
  "src0",
  "src1",
  "src2",
  "src3",
  "dst0",
  "dst1",
  "dst2",
  "dst3",
  "proto",
  "ttl",
  "ipId",
  "isFragment",
  "fragOffset",
  "moreFragments",
];
const IP_LEN: readonly FieldName[] = ["ipPayloadLen", "l4Offset"];
const ALL: readonly FieldName[] = RECORD_FIELDS.filter((f) => f !== "status");
const UP_TO_L4: readonly FieldName[] = [...LINK, ...IP, ...IP_LEN];

interface Stage {
  /** The first cut length this stage applies to. */
  from: number;
  status: number;
  /** Fields equal to the whole frame's decode; all others blank. */
  valid: readonly FieldName[];
  /** Fields with other values (partial layers). */
  override?: Partial<DecodedRecord>;
}

interface Case {
  name: string;
  frame: Uint8Array;
  linktype: number;
  stages: readonly Stage[];
}

const MAC1 = "02:00:00:00:00:01";
const MAC2 = "02:00:00:00:00:02";
const V4 = { src: "10.0.0.1", dst: "10.0.0.2" };
const V6 = { src: "2001:db8::1", dst: "2001:db8::2" };
const syn = F.tcp({ sport: 1234, dport: 80, seq: 9, flags: "S", options: F.TCP_SYN_OPTIONS });
const udpSeg = F.udp({ sport: 53, dport: 5353 }, F.hex("0102030405"));
const tcp4 = F.ipv4({ ...V4, proto: IPPROTO_TCP, id: 1 }, syn);
const udp4 = F.ipv4({ ...V4, proto: IPPROTO_UDP, id: 2 }, udpSeg);

const cases: Case[] = [
  {
    name: "Ethernet IPv4 TCP SYN with options",
    frame: F.ethernet(MAC2, MAC1, ETHERTYPE_IPV4, tcp4),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_IPV4, valid: LINK },
      { from: 34, status: TRUNCATED_TCP, valid: UP_TO_L4 },
      // The fixed TCP header is whole from 54; options cut by the snaplen are not an error.
      { from: 54, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Ethernet IPv4 with options (IHL 6) UDP",
    frame: F.ethernet(
      MAC2,
      MAC1,
      ETHERTYPE_IPV4,
      F.ipv4({ ...V4, proto: IPPROTO_UDP, options: F.hex("94040000") }, udpSeg),
    ),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_IPV4, valid: LINK },
      // The fixed header is valid, the options are cut.
      { from: 34, status: TRUNCATED_IPV4, valid: [...LINK, ...IP] },
      { from: 38, status: TRUNCATED_UDP, valid: UP_TO_L4 },
      { from: 46, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Ethernet with three VLAN tags, IPv4 UDP",
    frame: F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 10, tpid: ETHERTYPE_QINQ }, { id: 20 }, { id: 30 }],
      ETHERTYPE_IPV4,
      udp4,
    ),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_VLAN, valid: [] },
      { from: 18, status: TRUNCATED_VLAN, valid: [], override: { vlan: 10, vlanDepth: 1 } },
      {
        from: 22,
        status: TRUNCATED_VLAN,
        valid: [],
        override: { vlan: 10, innerVlan: 20, vlanDepth: 2 },
      },
      { from: 26, status: TRUNCATED_IPV4, valid: LINK },
      { from: 46, status: TRUNCATED_UDP, valid: UP_TO_L4 },
      { from: 54, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Ethernet IPv6 hop-by-hop, destination options, TCP",
    frame: F.ethernet(
      MAC2,
      MAC1,
      ETHERTYPE_IPV6,
      F.ipv6({ ...V6, nextHeader: IPPROTO_TCP, ext: [{ type: 0 }, { type: 60 }] }, syn),
    ),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_IPV6, valid: LINK },
      // The walk stops at the header it cannot read: its number is the protocol so far.
      {
        from: 54,
        status: TRUNCATED_IPV6_EXT,
        valid: [...LINK, ...IP],
        override: { proto: 0, ipPayloadLen: 48 },
      },
      {
        from: 62,
        status: TRUNCATED_IPV6_EXT,
        valid: [...LINK, ...IP],
        override: { proto: 60, ipPayloadLen: 40 },
      },
      { from: 70, status: TRUNCATED_TCP, valid: UP_TO_L4 },
      { from: 90, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "IPv6 AH then UDP (raw IPv6)",
    frame: F.ipv6({ ...V6, nextHeader: IPPROTO_UDP, ext: [{ type: 51, spi: 1, seq: 1 }] }, udpSeg),
    linktype: LINKTYPE_IPV6,
    stages: [
      { from: 0, status: TRUNCATED_IPV6, valid: [] },
      {
        from: 40,
        status: TRUNCATED_IPV6_EXT,
        valid: IP,
        override: { proto: 51, ipPayloadLen: 37 },
      },
      { from: 64, status: TRUNCATED_UDP, valid: [...IP, ...IP_LEN] },
      { from: 72, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "IPv6 first fragment of a UDP datagram (raw IP)",
    frame: F.ipv6(
      { ...V6, nextHeader: IPPROTO_UDP, ext: [{ type: 44, offset: 0, more: true, id: 5 }] },
      udpSeg,
    ),
    linktype: LINKTYPE_RAW,
    stages: [
      { from: 0, status: TRUNCATED_IP, valid: [] },
      { from: 1, status: TRUNCATED_IPV6, valid: [] },
      {
        from: 40,
        status: TRUNCATED_IPV6_EXT,
        valid: IP,
        // The fragment header is not read yet: no fragment fields.
        override: { proto: 44, ipPayloadLen: 21, ipId: 0, isFragment: 0, moreFragments: 0 },
      },
      { from: 48, status: TRUNCATED_UDP, valid: [...IP, ...IP_LEN] },
      { from: 56, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "IPv6 ESP (nothing after ESP is read)",
    frame: F.ipv6({ ...V6, nextHeader: IPPROTO_ESP }, F.esp(1, 1, new Uint8Array(16))),
    linktype: LINKTYPE_IPV6,
    stages: [
      { from: 0, status: TRUNCATED_IPV6, valid: [] },
      { from: 40, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Ethernet ARP",
    frame: F.ethernet(
      "ff:ff:ff:ff:ff:ff",
      MAC1,
      ETHERTYPE_ARP,
      F.arp({ op: 1, sha: MAC1, spa: "10.0.0.1", tpa: "10.0.0.2" }),
    ),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_ARP, valid: LINK },
      { from: 22, status: TRUNCATED_ARP, valid: [...LINK, "l3", "l3Offset", "arpOp"] },
      { from: 42, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "802.3 LLC/SNAP IPv4 UDP",
    frame: F.ieee8023(MAC2, MAC1, F.llcSnap(ETHERTYPE_IPV4, udp4)),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_LLC, valid: [] },
      { from: 22, status: TRUNCATED_IPV4, valid: LINK },
      { from: 42, status: TRUNCATED_UDP, valid: UP_TO_L4 },
      { from: 50, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "802.3 LLC spanning tree",
    frame: F.ieee8023("01:80:c2:00:00:00", MAC1, F.llc(0x42, 0x42, 0x03, new Uint8Array(35))),
    linktype: LINKTYPE_ETHERNET,
    stages: [
      { from: 0, status: TRUNCATED_ETHERNET, valid: [] },
      { from: 14, status: TRUNCATED_LLC, valid: [] },
      { from: 17, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Linux SLL IPv4 UDP",
    frame: F.sll({ protocol: ETHERTYPE_IPV4, pktType: 4 }, udp4),
    linktype: LINKTYPE_LINUX_SLL,
    stages: [
      { from: 0, status: TRUNCATED_SLL, valid: [] },
      { from: 16, status: TRUNCATED_IPV4, valid: LINK },
      { from: 36, status: TRUNCATED_UDP, valid: UP_TO_L4 },
      { from: 44, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "Linux SLL2 IPv6 ICMPv6 echo",
    frame: F.sll2(
      { protocol: ETHERTYPE_IPV6, pktType: 0 },
      F.ipv6({ ...V6, nextHeader: IPPROTO_ICMPV6 }, F.icmpv6Echo({ id: 7, seq: 1 })),
    ),
    linktype: LINKTYPE_LINUX_SLL2,
    stages: [
      { from: 0, status: TRUNCATED_SLL2, valid: [] },
      { from: 20, status: TRUNCATED_IPV6, valid: LINK },
      { from: 60, status: TRUNCATED_ICMPV6, valid: UP_TO_L4 },
      { from: 68, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "BSD NULL IPv4 ICMP echo",
    frame: F.nullLoopback(
      2,
      F.ipv4({ ...V4, proto: IPPROTO_ICMP, id: 3 }, F.icmpEcho({ id: 0x1234, seq: 1 })),
    ),
    linktype: LINKTYPE_NULL,
    stages: [
      { from: 0, status: TRUNCATED_NULL, valid: [] },
      { from: 4, status: TRUNCATED_IPV4, valid: [] },
      { from: 24, status: TRUNCATED_ICMP, valid: [...IP, ...IP_LEN] },
      { from: 32, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "OpenBSD LOOP IPv6 UDP",
    frame: F.loop(24, F.ipv6({ ...V6, nextHeader: IPPROTO_UDP }, udpSeg)),
    linktype: LINKTYPE_LOOP,
    stages: [
      { from: 0, status: TRUNCATED_NULL, valid: [] },
      { from: 4, status: TRUNCATED_IPV6, valid: [] },
      { from: 44, status: TRUNCATED_UDP, valid: [...IP, ...IP_LEN] },
      { from: 52, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "raw IPv4 (228) TCP",
    frame: tcp4,
    linktype: LINKTYPE_IPV4,
    stages: [
      { from: 0, status: TRUNCATED_IPV4, valid: [] },
      { from: 20, status: TRUNCATED_TCP, valid: [...IP, ...IP_LEN] },
      { from: 40, status: DECODE_OK, valid: ALL },
    ],
  },
  {
    name: "raw IPv4 later fragment (no transport header)",
    frame: F.ipv4({ ...V4, proto: IPPROTO_UDP, id: 4, fragOffset: 1480 }, new Uint8Array(24)),
    linktype: LINKTYPE_RAW,
    stages: [
      { from: 0, status: TRUNCATED_IP, valid: [] },
      { from: 1, status: TRUNCATED_IPV4, valid: [] },
      { from: 20, status: DECODE_OK, valid: ALL },
    ],
  },
];

describe("Decoder: every truncation point", () => {
  for (const c of cases) {
    it(`reports the cut layer and keeps the layers before it: ${c.name}`, () => {
      const whole = new Decoder();
      whole.decode(c.frame, 0, c.frame.length, c.linktype, 0);
      assert.equal(whole.status, DECODE_OK, "the whole frame decodes");
      const full = record(whole);
      const d = new Decoder();
      for (let cut = 0; cut <= c.frame.length; cut++) {
        let stage: Stage | undefined;
        for (const s of c.stages) if (s.from <= cut) stage = s;
        if (stage === undefined) throw new Error("no stage");
        const want: DecodedRecord = { ...BLANK, status: stage.status };
        for (const f of stage.valid) want[f] = full[f];
        Object.assign(want, stage.override);
        // Decode from a copy cut at the length, so a stray read past the end would be seen.
        d.decode(c.frame.slice(0, cut), 0, cut, c.linktype, 0);
        assert.deepEqual(
          record(d),
          want,
          `${c.name} cut at ${cut}: ${DECODE_REASONS[d.status]}, wanted ${DECODE_REASONS[stage.status]}`,
        );
      }
    });
  }
});
