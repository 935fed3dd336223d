import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addrs,
  BLANK,
  decodeFrame,
  expected,
  RECORD_FIELDS,
  record,
  TUNNEL_FIELDS,
  v4,
} from "../../test/support/decoded.js";
import * as F from "../../test/support/frames.js";
import {
  DLT_RAW_12,
  DLT_RAW_14,
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
  BAD_IP_VERSION,
  BAD_IPV4_HEADER,
  BAD_IPV4_LENGTH,
  BAD_IPV6_HEADER,
  BAD_TCP_HEADER,
  DECODE_OK,
  TRUNCATED_ARP,
  TRUNCATED_ETHERNET,
  TRUNCATED_IP,
  TRUNCATED_IPV6_EXT,
  TRUNCATED_TCP,
  UNSUPPORTED_LINK_TYPE,
} from "./decode-status.js";
import { Decoder, L3_ARP, L3_IPV4, L3_IPV6, L3_NONE, L3_OTHER } from "./decoder.js";
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_LLDP,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_VLAN,
  IPPROTO_ESP,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_NONE,
  IPPROTO_OSPF,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "./protocols.js";

// A TCP SYN with options, written out byte by byte (not by the builders).
const ETH_HEADER = F.hex("001122334455 66778899aabb 0800");
const IPV4_TCP_SYN = F.hex(`
  45 00 003c 1c46 4000 40 06 b1e6 ac100a63 ac100a0c
  a0f2 0050 12345678 00000000 a0 02 faf0 0000 0000
  020405b4 0402080a 000f4240 00000000 01030307`);
const ETH_TCP_SYN = F.concat(ETH_HEADER, IPV4_TCP_SYN);

/** What decoding IPV4_TCP_SYN yields, given where the IP header starts. */
function tcpSynRecord(l3Offset: number, extra: Parameters<typeof expected>[0] = {}) {
  return expected({
    l3: L3_IPV4,
    src3: 0xac100a63,
    dst3: 0xac100a0c,
    proto: IPPROTO_TCP,
    ttl: 64,
    ipId: 0x1c46,
    ipPayloadLen: 40,
    l3Offset,
    l4Offset: l3Offset + 20,
    hasPorts: 1,
    sport: 41202,
    dport: 80,
    tcpFlags: 0x02,
    tcpSeq: 0x12345678,
    tcpAck: 0,
    tcpWindow: 0xfaf0,
    tcpHeaderLen: 40,
    l4PayloadLen: 0,
    ...extra,
  });
}

// An IPv6 UDP datagram, byte by byte: fe80::1 -> 2001:db8::ff, 5353 -> 5353, 8 data bytes.
const IPV6_UDP = F.hex(`
  6000 0000 0010 11 ff
  fe80 0000 0000 0000 0000 0000 0000 0001
  2001 0db8 0000 0000 0000 0000 0000 00ff
  14e9 14e9 0010 0000 0102030405060708`);

function ipv6UdpRecord(l3Offset: number, extra: Parameters<typeof expected>[0] = {}) {
  return expected({
    l3: L3_IPV6,
    src0: 0xfe800000,
    src3: 1,
    dst0: 0x20010db8,
    dst3: 0xff,
    proto: IPPROTO_UDP,
    ttl: 255,
    ipPayloadLen: 16,
    l3Offset,
    l4Offset: l3Offset + 40,
    hasPorts: 1,
    sport: 5353,
    dport: 5353,
    l4PayloadLen: 8,
    ...extra,
  });
}

const MAC1 = "02:00:00:00:00:01";
const MAC2 = "02:00:00:00:00:02";

function eth(type: number, payload: Uint8Array): Uint8Array {
  return F.ethernet(MAC2, MAC1, type, payload);
}

function udp4(payload = F.hex("00")): Uint8Array {
  return F.ipv4(
    { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP, id: 9 },
    F.udp({ sport: 1000, dport: 2000 }, payload),
  );
}

function udp4Record(l3Offset: number, extra: Parameters<typeof expected>[0] = {}) {
  return expected({
    l3: L3_IPV4,
    ...addrs("10.0.0.1", "10.0.0.2"),
    proto: IPPROTO_UDP,
    ttl: 64,
    ipId: 9,
    ipPayloadLen: 9,
    l3Offset,
    l4Offset: l3Offset + 20,
    hasPorts: 1,
    sport: 1000,
    dport: 2000,
    l4PayloadLen: 1,
    ...extra,
  });
}

describe("Decoder: Ethernet", () => {
  it("decodes an Ethernet IPv4 TCP SYN with options into exact fields", () => {
    const d = decodeFrame(ETH_TCP_SYN);
    assert.deepEqual(record(d), tcpSynRecord(14, { ethertype: ETHERTYPE_IPV4 }));
  });

  it("decodes an Ethernet IPv6 UDP datagram into all eight address words", () => {
    const d = decodeFrame(F.concat(F.hex("333300000001 020000000001 86dd"), IPV6_UDP));
    assert.deepEqual(record(d), ipv6UdpRecord(14, { ethertype: ETHERTYPE_IPV6 }));
  });

  it("ignores Ethernet padding beyond the IPv4 total length", () => {
    const frame = F.concat(eth(ETHERTYPE_IPV4, udp4()), new Uint8Array(60 - 14 - 29).fill(0xee));
    assert.equal(frame.length, 60);
    const d = decodeFrame(frame);
    assert.deepEqual(record(d), udp4Record(14, { ethertype: ETHERTYPE_IPV4 }));
  });

  it("reads LLC/SNAP with an RFC 1042 EtherType on into IPv4", () => {
    const d = decodeFrame(F.ieee8023(MAC2, MAC1, F.llcSnap(ETHERTYPE_IPV4, udp4())));
    assert.deepEqual(record(d), udp4Record(22, { ethertype: ETHERTYPE_IPV4 }));
  });

  it("reads LLC/SNAP with the 802.1H OUI on into the network layer", () => {
    const arp = F.arp({ op: 1, sha: MAC1, spa: "10.0.0.1", tpa: "10.0.0.2" });
    const d = decodeFrame(F.ieee8023(MAC2, MAC1, F.llcSnap(ETHERTYPE_ARP, arp, 0x0000f8)));
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.l3, L3_ARP);
    assert.equal(d.ethertype, ETHERTYPE_ARP);
  });

  it("treats plain LLC (a spanning-tree BPDU) as another network layer with no EtherType", () => {
    const bpdu = F.hex(
      "0000 00 00 00 8000020000000001 00000000 8000020000000001 8001 0000 1400 0200 0f00",
    );
    const d = decodeFrame(F.ieee8023("01:80:c2:00:00:00", MAC1, F.llc(0x42, 0x42, 0x03, bpdu)));
    assert.deepEqual(record(d), expected({ l3: L3_OTHER }));
  });

  it("treats SNAP under a vendor OUI (Cisco CDP) as another network layer", () => {
    const d = decodeFrame(F.ieee8023(MAC2, MAC1, F.llcSnap(0x2000, F.hex("0102"), 0x00000c)));
    assert.deepEqual(record(d), expected({ l3: L3_OTHER }));
  });

  it("reports an unknown EtherType (LLDP) as L3_OTHER with the EtherType kept", () => {
    const d = decodeFrame(eth(ETHERTYPE_LLDP, F.hex("0207040200000000000a0000")));
    assert.deepEqual(record(d), expected({ l3: L3_OTHER, ethertype: ETHERTYPE_LLDP }));
  });

  it("decodes an ARP request: operation, sender and target in the ARP and address fields", () => {
    const frame = F.hex(`
      ffffffffffff 001122334455 0806
      0001 0800 06 04 0001 001122334455 c0a80001 000000000000 c0a80002
      000000000000000000000000000000000000`);
    const d = decodeFrame(frame);
    assert.deepEqual(
      record(d),
      expected({
        l3: L3_ARP,
        ethertype: ETHERTYPE_ARP,
        l3Offset: 14,
        arpOp: 1,
        arpSpa: 0xc0a80001,
        arpTpa: 0xc0a80002,
        src3: 0xc0a80001,
        dst3: 0xc0a80002,
      }),
    );
  });

  it("decodes an ARP reply built by the frame builders", () => {
    const a = F.arp({ op: 2, sha: MAC2, spa: "10.0.0.2", tha: MAC1, tpa: "10.0.0.1" });
    const d = decodeFrame(eth(ETHERTYPE_ARP, a));
    assert.equal(d.arpOp, 2);
    assert.equal(d.arpSpa, v4("10.0.0.2"));
    assert.equal(d.arpTpa, v4("10.0.0.1"));
  });

  it("keeps only the operation of an ARP that is not Ethernet/IPv4", () => {
    // Hardware type 6 (IEEE 802), protocol IPv4.
    const a = F.hex("0006 0800 06 04 0002 001122334455 c0a80001 000000000000 c0a80002");
    const d = decodeFrame(eth(ETHERTYPE_ARP, a));
    assert.deepEqual(
      record(d),
      expected({ l3: L3_ARP, ethertype: ETHERTYPE_ARP, l3Offset: 14, arpOp: 2 }),
    );
  });
});

describe("Decoder: VLAN tags", () => {
  it("keeps the 802.1Q VLAN id, masking priority and DEI bits", () => {
    const frame = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 100, pcp: 7, dei: true }],
      ETHERTYPE_IPV4,
      udp4(),
    );
    const d = decodeFrame(frame);
    assert.deepEqual(
      record(d),
      udp4Record(18, { ethertype: ETHERTYPE_IPV4, vlan: 100, vlanDepth: 1 }),
    );
  });

  it("reads a QinQ stack with an 802.1ad outer tag: outer in vlan, inner in innerVlan", () => {
    const frame = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 200, tpid: ETHERTYPE_QINQ }, { id: 300 }],
      ETHERTYPE_IPV4,
      udp4(),
    );
    assert.equal(frame[12], 0x88);
    assert.equal(frame[13], 0xa8);
    const d = decodeFrame(frame);
    assert.deepEqual(
      record(d),
      udp4Record(22, { ethertype: ETHERTYPE_IPV4, vlan: 200, innerVlan: 300, vlanDepth: 2 }),
    );
  });

  it("reads a QinQ stack with the old 0x9100 outer tag", () => {
    const frame = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 4095, tpid: ETHERTYPE_QINQ_OLD }, { id: 1 }],
      ETHERTYPE_IPV6,
      IPV6_UDP,
    );
    const d = decodeFrame(frame);
    assert.deepEqual(
      record(d),
      ipv6UdpRecord(22, { ethertype: ETHERTYPE_IPV6, vlan: 4095, innerVlan: 1, vlanDepth: 2 }),
    );
  });

  it("walks three tags, keeping the first two ids and counting all three", () => {
    const frame = F.ethernetTagged(
      MAC2,
      MAC1,
      [{ id: 10, tpid: ETHERTYPE_QINQ }, { id: 20 }, { id: 30 }],
      ETHERTYPE_IPV4,
      udp4(),
    );
    const d = decodeFrame(frame);
    assert.deepEqual(
      record(d),
      udp4Record(26, { ethertype: ETHERTYPE_IPV4, vlan: 10, innerVlan: 20, vlanDepth: 3 }),
    );
  });

  it("walks a deep stack of tags of every TPID without recursion", () => {
    const tags = Array.from({ length: 200 }, (_, i) => ({
      id: i + 1,
      tpid: [ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD][i % 3] ?? ETHERTYPE_VLAN,
    }));
    const d = decodeFrame(F.ethernetTagged(MAC2, MAC1, tags, ETHERTYPE_IPV4, udp4()));
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.vlanDepth, 200);
    assert.equal(d.vlan, 1);
    assert.equal(d.innerVlan, 2);
    assert.equal(d.sport, 1000);
  });

  it("decodes ARP behind a VLAN tag", () => {
    const a = F.arp({ op: 1, sha: MAC1, spa: "10.0.0.1", tpa: "10.0.0.2" });
    const d = decodeFrame(F.ethernetTagged(MAC2, MAC1, [{ id: 5 }], ETHERTYPE_ARP, a));
    assert.equal(d.l3, L3_ARP);
    assert.equal(d.vlan, 5);
    assert.equal(d.l3Offset, 18);
    assert.equal(d.arpSpa, v4("10.0.0.1"));
  });

  it("reads an 802.3 length field after a VLAN tag as LLC", () => {
    const llc = F.llcSnap(ETHERTYPE_IPV4, udp4());
    const d = decodeFrame(F.ethernetTagged(MAC2, MAC1, [{ id: 7 }], llc.length, llc));
    assert.deepEqual(
      record(d),
      udp4Record(26, { ethertype: ETHERTYPE_IPV4, vlan: 7, vlanDepth: 1 }),
    );
  });
});

describe("Decoder: Linux cooked capture", () => {
  it("decodes SLL v1 byte by byte: packet type, protocol at offset 14", () => {
    const frame = F.concat(F.hex("0004 0001 0006 001122334455 0000 0800"), IPV4_TCP_SYN);
    const d = decodeFrame(frame, LINKTYPE_LINUX_SLL);
    assert.deepEqual(record(d), tcpSynRecord(16, { ethertype: ETHERTYPE_IPV4, pktType: 4 }));
  });

  it("decodes SLL v2 byte by byte: protocol at offset 0, packet type at 10", () => {
    const frame = F.concat(F.hex("86dd 0000 00000002 0001 00 06 001122334455 0000"), IPV6_UDP);
    const d = decodeFrame(frame, LINKTYPE_LINUX_SLL2);
    assert.deepEqual(record(d), ipv6UdpRecord(20, { ethertype: ETHERTYPE_IPV6, pktType: 0 }));
  });

  it("builds the same SLL headers with the builders", () => {
    assert.deepEqual(
      F.sll({ protocol: 0x0800, pktType: 4, addr: "00:11:22:33:44:55" }, new Uint8Array(0)),
      F.hex("0004 0001 0006 001122334455 0000 0800"),
    );
    assert.deepEqual(
      F.sll2(
        { protocol: 0x86dd, ifindex: 2, pktType: 0, addr: "00:11:22:33:44:55" },
        new Uint8Array(0),
      ),
      F.hex("86dd 0000 00000002 0001 00 06 001122334455 0000"),
    );
  });

  it("decodes ARP and a VLAN-tagged payload over SLL", () => {
    const a = F.arp({ op: 1, sha: MAC1, spa: "10.0.0.1", tpa: "10.0.0.2" });
    const d = decodeFrame(F.sll({ protocol: ETHERTYPE_ARP, pktType: 1 }, a), LINKTYPE_LINUX_SLL);
    assert.equal(d.l3, L3_ARP);
    assert.equal(d.pktType, 1);
    const tagged = F.sll({ protocol: ETHERTYPE_VLAN }, F.vlan(42, ETHERTYPE_IPV4, udp4()));
    const e = decodeFrame(tagged, LINKTYPE_LINUX_SLL);
    assert.deepEqual(
      record(e),
      udp4Record(20, { ethertype: ETHERTYPE_IPV4, vlan: 42, vlanDepth: 1, pktType: 0 }),
    );
  });

  it("reads SLL protocol 0x0004 as 802.2 LLC, and other Linux pseudo-protocols as L3_OTHER", () => {
    const llcFrame = F.sll2({ protocol: 0x0004 }, F.llcSnap(ETHERTYPE_IPV4, udp4()));
    assert.deepEqual(
      record(decodeFrame(llcFrame, LINKTYPE_LINUX_SLL2)),
      udp4Record(28, { ethertype: ETHERTYPE_IPV4, pktType: 0 }),
    );
    const can = F.sll({ protocol: 0x000c }, F.hex("0000012300000000"));
    assert.deepEqual(
      record(decodeFrame(can, LINKTYPE_LINUX_SLL)),
      expected({ l3: L3_OTHER, pktType: 0 }),
    );
  });

  it("treats netlink captures (ARPHRD 824) as L3_OTHER whatever the protocol says", () => {
    const nl = F.sll({ protocol: 0x0800, hatype: 824 }, udp4());
    assert.deepEqual(
      record(decodeFrame(nl, LINKTYPE_LINUX_SLL)),
      expected({ l3: L3_OTHER, pktType: 0 }),
    );
  });
});

describe("Decoder: BSD loopback and raw IP", () => {
  it("accepts the NULL address family in either byte order", () => {
    for (const head of ["02000000", "00000002"]) {
      const d = decodeFrame(F.concat(F.hex(head), IPV4_TCP_SYN), LINKTYPE_NULL);
      assert.deepEqual(record(d), tcpSynRecord(4), head);
    }
  });

  it("accepts the three BSD AF_INET6 values in either byte order on NULL", () => {
    for (const af of [24, 28, 30]) {
      for (const bigEndian of [false, true]) {
        const d = decodeFrame(F.nullLoopback(af, IPV6_UDP, bigEndian), LINKTYPE_NULL);
        assert.deepEqual(record(d), ipv6UdpRecord(4), `AF ${af} ${bigEndian ? "BE" : "LE"}`);
      }
    }
  });

  it("reports an unknown NULL address family as L3_OTHER", () => {
    const d = decodeFrame(F.nullLoopback(7, udp4()), LINKTYPE_NULL);
    assert.deepEqual(record(d), expected({ l3: L3_OTHER }));
  });

  it("reads LOOP in network byte order only", () => {
    assert.deepEqual(record(decodeFrame(F.loop(2, IPV4_TCP_SYN), LINKTYPE_LOOP)), tcpSynRecord(4));
    assert.deepEqual(record(decodeFrame(F.loop(24, IPV6_UDP), LINKTYPE_LOOP)), ipv6UdpRecord(4));
    const littleEndian = F.nullLoopback(2, IPV4_TCP_SYN);
    assert.deepEqual(record(decodeFrame(littleEndian, LINKTYPE_LOOP)), expected({ l3: L3_OTHER }));
  });

  it("takes the IP version from the first nibble on every raw-IP link type", () => {
    for (const lt of [LINKTYPE_RAW, DLT_RAW_12, DLT_RAW_14]) {
      assert.deepEqual(record(decodeFrame(IPV4_TCP_SYN, lt)), tcpSynRecord(0), `v4 on ${lt}`);
      assert.deepEqual(record(decodeFrame(IPV6_UDP, lt)), ipv6UdpRecord(0), `v6 on ${lt}`);
    }
  });

  it("reports BAD_IP_VERSION for a raw-IP packet of version 5 and TRUNCATED_IP when empty", () => {
    const d = decodeFrame(F.hex("55000014"), LINKTYPE_RAW);
    assert.deepEqual(record(d), expected({ status: BAD_IP_VERSION }));
    const e = decodeFrame(new Uint8Array(0), DLT_RAW_12);
    assert.deepEqual(record(e), expected({ status: TRUNCATED_IP }));
  });

  it("decodes link types 228 and 229 as one IP version each", () => {
    assert.deepEqual(record(decodeFrame(IPV4_TCP_SYN, LINKTYPE_IPV4)), tcpSynRecord(0));
    assert.deepEqual(record(decodeFrame(IPV6_UDP, LINKTYPE_IPV6)), ipv6UdpRecord(0));
    assert.equal(decodeFrame(IPV6_UDP, LINKTYPE_IPV4).status, BAD_IPV4_HEADER);
    assert.equal(decodeFrame(IPV4_TCP_SYN, LINKTYPE_IPV6).status, BAD_IPV6_HEADER);
  });

  it("reports UNSUPPORTED_LINK_TYPE and nothing else for link types it does not know", () => {
    for (const lt of [147, 192, 2, -1, 65536]) {
      const d = decodeFrame(ETH_TCP_SYN, lt);
      assert.deepEqual(record(d), expected({ status: UNSUPPORTED_LINK_TYPE }), `linktype ${lt}`);
    }
  });
});

describe("Decoder: IPv4", () => {
  it("skips IPv4 options by IHL (IHL 6 and the maximum, 15)", () => {
    for (const optLen of [4, 40]) {
      const options = new Uint8Array(optLen).fill(1); // NOPs
      const ip = F.ipv4(
        { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP, id: 9, options },
        F.udp({ sport: 1000, dport: 2000 }, F.hex("00")),
      );
      const d = decodeFrame(ip, LINKTYPE_IPV4);
      assert.deepEqual(record(d), udp4Record(0, { l4Offset: 20 + optLen }), `options ${optLen}`);
    }
  });

  it("reports BAD_IPV4_HEADER (nothing valid) for IHL below 5 or a version other than 4", () => {
    const ihl4 = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 17, ihl: 4 },
      F.udp({ sport: 1, dport: 2 }),
    );
    assert.deepEqual(
      record(decodeFrame(eth(ETHERTYPE_IPV4, ihl4))),
      expected({ status: BAD_IPV4_HEADER, ethertype: ETHERTYPE_IPV4 }),
    );
    const v6 = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 17, version: 6 },
      F.udp({ sport: 1, dport: 2 }),
    );
    assert.equal(decodeFrame(eth(ETHERTYPE_IPV4, v6)).status, BAD_IPV4_HEADER);
  });

  it("reports BAD_IPV4_LENGTH for a total length below the header, keeping the addresses", () => {
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP, id: 9, totalLength: 19 },
      F.udp({ sport: 1000, dport: 2000 }, F.hex("00")),
    );
    const d = decodeFrame(ip, LINKTYPE_IPV4);
    assert.deepEqual(
      record(d),
      expected({
        status: BAD_IPV4_LENGTH,
        l3: L3_IPV4,
        ...addrs("10.0.0.1", "10.0.0.2"),
        proto: IPPROTO_UDP,
        ttl: 64,
        ipId: 9,
        l3Offset: 0,
      }),
    );
  });

  it("takes a total length beyond the captured bytes as the snaplen, not an error", () => {
    const ip = udp4(new Uint8Array(1000));
    const d = new Decoder();
    d.decode(ip, 0, 28, LINKTYPE_IPV4, 0);
    assert.deepEqual(record(d), udp4Record(0, { ipPayloadLen: 1008, l4PayloadLen: 1000 }));
  });

  it("reads the fragment fields: DF alone is not a fragment; MF and offsets in bytes", () => {
    const df = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 17, df: true },
      F.udp({ sport: 1, dport: 2 }),
    );
    const d = decodeFrame(df, LINKTYPE_IPV4);
    assert.equal(d.isFragment, 0);
    assert.equal(d.moreFragments, 0);
    const later = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 17, mf: true, fragOffset: 8 * 0x1fff },
      new Uint8Array(8),
    );
    const e = decodeFrame(later, LINKTYPE_IPV4);
    assert.equal(e.status, DECODE_OK);
    assert.equal(e.isFragment, 1);
    assert.equal(e.moreFragments, 1);
    assert.equal(e.fragOffset, 65528);
    assert.equal(e.l4Offset, -1);
    assert.equal(e.hasPorts, 0);
    assert.equal(e.l4PayloadLen, 8);
  });

  it("counts any other IP protocol by number, with the IP payload as its payload", () => {
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_OSPF, id: 1 },
      new Uint8Array(33).fill(7),
    );
    const d = decodeFrame(ip, LINKTYPE_IPV4);
    assert.deepEqual(
      record(d),
      expected({
        l3: L3_IPV4,
        ...addrs("10.0.0.1", "10.0.0.2"),
        proto: IPPROTO_OSPF,
        ttl: 64,
        ipId: 1,
        ipPayloadLen: 33,
        l3Offset: 0,
        l4Offset: 20,
        l4PayloadLen: 33,
      }),
    );
  });
});

describe("Decoder: IPv6 extension headers", () => {
  const src = "2001:db8::1";
  const dst = "2001:db8::2";
  const syn = F.tcp({ sport: 7000, dport: 80, seq: 5, flags: "S" });

  function tcp6Record(extLen: number): ReturnType<typeof expected> {
    return expected({
      l3: L3_IPV6,
      ...addrs(src, dst),
      proto: IPPROTO_TCP,
      ttl: 64,
      ipPayloadLen: 20,
      l3Offset: 0,
      l4Offset: 40 + extLen,
      hasPorts: 1,
      sport: 7000,
      dport: 80,
      tcpSeq: 5,
      tcpFlags: 0x02,
      tcpWindow: 65535,
      tcpHeaderLen: 20,
    });
  }

  const cases: { name: string; ext: F.Ipv6Ext[]; len: number }[] = [
    { name: "hop-by-hop (0)", ext: [{ type: 0 }], len: 8 },
    { name: "routing (43)", ext: [{ type: 43, data: new Uint8Array(22) }], len: 24 },
    { name: "destination options (60)", ext: [{ type: 60, data: new Uint8Array(14) }], len: 16 },
    { name: "AH (51), length (len + 2) * 4", ext: [{ type: 51, spi: 1, seq: 2 }], len: 24 },
    {
      name: "AH with a 16-byte ICV",
      ext: [{ type: 51, spi: 1, seq: 2, icv: new Uint8Array(16) }],
      len: 28,
    },
    { name: "mobility (135)", ext: [{ type: 135, mhType: 0 }], len: 8 },
    { name: "HIP (139)", ext: [{ type: 139, data: new Uint8Array(30) }], len: 32 },
    { name: "shim6 (140)", ext: [{ type: 140 }], len: 8 },
    {
      name: "a chain of hop-by-hop, dest options, routing, AH, dest options",
      ext: [{ type: 0 }, { type: 60 }, { type: 43 }, { type: 51, spi: 9, seq: 9 }, { type: 60 }],
      len: 8 + 8 + 8 + 24 + 8,
    },
  ];
  for (const c of cases) {
    it(`walks ${c.name} to the TCP header`, () => {
      const d = decodeFrame(
        F.ipv6({ src, dst, nextHeader: IPPROTO_TCP, ext: c.ext }, syn),
        LINKTYPE_IPV6,
      );
      assert.deepEqual(record(d), tcp6Record(c.len));
    });
  }

  it("ends the chain at ESP: protocol 50, no ports, the rest is ESP payload", () => {
    const d = decodeFrame(
      F.ipv6(
        { src, dst, nextHeader: IPPROTO_ESP, ext: [{ type: 0 }] },
        F.esp(1, 1, new Uint8Array(24)),
      ),
      LINKTYPE_IPV6,
    );
    assert.deepEqual(
      record(d),
      expected({
        l3: L3_IPV6,
        ...addrs(src, dst),
        proto: IPPROTO_ESP,
        ttl: 64,
        ipPayloadLen: 32,
        l3Offset: 0,
        l4Offset: 48,
        l4PayloadLen: 32,
      }),
    );
  });

  it("ends the chain at No Next Header (59)", () => {
    const d = decodeFrame(
      F.ipv6({ src, dst, nextHeader: IPPROTO_NONE, ext: [{ type: 60 }] }, new Uint8Array(0)),
      LINKTYPE_IPV6,
    );
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.proto, IPPROTO_NONE);
    assert.equal(d.ipPayloadLen, 0);
    assert.equal(d.hasPorts, 0);
  });

  it("reports TRUNCATED_IPV6_EXT when a header's length runs past the payload length", () => {
    const p = F.ipv6({ src, dst, nextHeader: IPPROTO_TCP, ext: [{ type: 60 }] }, syn);
    p[41] = 10; // the destination options header now claims 88 bytes
    const d = decodeFrame(p, LINKTYPE_IPV6);
    assert.deepEqual(
      record(d),
      expected({
        status: TRUNCATED_IPV6_EXT,
        l3: L3_IPV6,
        ...addrs(src, dst),
        proto: 60,
        ttl: 64,
        ipPayloadLen: 28,
        l3Offset: 0,
      }),
    );
  });

  it("reads a payload length of 0 (jumbogram or offloaded segment) by the captured bytes", () => {
    const p = F.ipv6({ src, dst, nextHeader: IPPROTO_TCP, payloadLength: 0 }, syn);
    const d = decodeFrame(p, LINKTYPE_IPV6);
    assert.deepEqual(record(d), tcp6Record(0));
  });

  it("reads an atomic fragment (offset 0, M 0) as a whole datagram", () => {
    const p = F.ipv6(
      { src, dst, nextHeader: IPPROTO_TCP, ext: [{ type: 44, offset: 0, more: false, id: 77 }] },
      syn,
    );
    const d = decodeFrame(p, LINKTYPE_IPV6);
    assert.deepEqual(record(d), { ...tcp6Record(8), ipId: 77 });
  });
});

describe("Decoder: TCP, UDP, ICMP", () => {
  it("reads every TCP header field, including all eight flag bits and 32-bit numbers", () => {
    const seg = F.tcp(
      { sport: 65535, dport: 1, seq: 0xffffffff, ack: 0x80000001, flags: 0xff, window: 1234 },
      F.hex("abcdef"),
    );
    const d = decodeFrame(
      F.ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: 6 }, seg),
      LINKTYPE_IPV4,
    );
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.sport, 65535);
    assert.equal(d.dport, 1);
    assert.equal(d.tcpSeq, 0xffffffff);
    assert.equal(d.tcpAck, 0x80000001);
    assert.equal(d.tcpFlags, 0xff);
    assert.equal(d.tcpWindow, 1234);
    assert.equal(d.tcpHeaderLen, 20);
    assert.equal(d.l4PayloadLen, 3);
  });

  it("reports BAD_TCP_HEADER for a data offset below 5, keeping ports and the fixed fields", () => {
    for (const dataOffset of [0, 4]) {
      const seg = F.tcp({ sport: 3, dport: 4, seq: 7, flags: "S", dataOffset });
      const d = decodeFrame(
        F.ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: 6, id: 1 }, seg),
        LINKTYPE_IPV4,
      );
      assert.deepEqual(
        record(d),
        expected({
          status: BAD_TCP_HEADER,
          l3: L3_IPV4,
          ...addrs("10.0.0.1", "10.0.0.2"),
          proto: 6,
          ttl: 64,
          ipId: 1,
          ipPayloadLen: 20,
          l3Offset: 0,
          l4Offset: 20,
          hasPorts: 1,
          sport: 3,
          dport: 4,
          tcpSeq: 7,
          tcpFlags: 2,
          tcpWindow: 65535,
          tcpHeaderLen: dataOffset * 4,
        }),
      );
    }
  });

  it("reports BAD_TCP_HEADER for a data offset longer than the datagram", () => {
    const seg = F.tcp({ sport: 3, dport: 4, flags: "A", dataOffset: 15 });
    const d = decodeFrame(
      F.ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: 6 }, seg),
      LINKTYPE_IPV4,
    );
    assert.equal(d.status, BAD_TCP_HEADER);
    assert.equal(d.hasPorts, 1);
    assert.equal(d.tcpHeaderLen, 60);
    assert.equal(d.l4PayloadLen, 0);
  });

  it("accepts TCP options cut by the snaplen when the fixed header is whole", () => {
    const d = new Decoder();
    d.decode(ETH_TCP_SYN, 0, 14 + 20 + 24, LINKTYPE_ETHERNET, 0);
    assert.deepEqual(record(d), tcpSynRecord(14, { ethertype: ETHERTYPE_IPV4 }));
  });

  it("reports TRUNCATED_TCP when the TCP header is inside the frame but outside the datagram", () => {
    // Total length says 30, so only 10 bytes of TCP belong to the datagram; the rest is padding.
    const ip = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, totalLength: 30 },
      F.tcp({ sport: 1, dport: 2 }),
    );
    const d = decodeFrame(eth(ETHERTYPE_IPV4, ip));
    assert.equal(d.status, TRUNCATED_TCP);
    assert.equal(d.hasPorts, 0);
    assert.equal(d.sport, 0);
  });

  it("decodes UDP over IPv4 and IPv6 with its payload length", () => {
    assert.deepEqual(
      record(decodeFrame(udp4(F.hex("000102")), LINKTYPE_IPV4)),
      udp4Record(0, { ipPayloadLen: 11, l4PayloadLen: 3 }),
    );
    assert.deepEqual(record(decodeFrame(IPV6_UDP, LINKTYPE_IPV6)), ipv6UdpRecord(0));
  });

  it("decodes an ICMP echo request byte by byte with its identifier", () => {
    const ip = F.hex("4500001c abcd 0000 40 01 0000 0a000001 0a000002 08 00 f7ff 1234 0001");
    const d = decodeFrame(ip, LINKTYPE_IPV4);
    assert.deepEqual(
      record(d),
      expected({
        l3: L3_IPV4,
        ...addrs("10.0.0.1", "10.0.0.2"),
        proto: IPPROTO_ICMP,
        ttl: 64,
        ipId: 0xabcd,
        ipPayloadLen: 8,
        l3Offset: 0,
        l4Offset: 20,
        icmpType: 8,
        icmpCode: 0,
        icmpId: 0x1234,
      }),
    );
  });

  it("gives echo replies an identifier and other ICMP messages -1", () => {
    const reply = F.ipv4(
      { src: "10.0.0.2", dst: "10.0.0.1", proto: 1 },
      F.icmpEcho({ reply: true, id: 0x5678, seq: 1 }, new Uint8Array(4)),
    );
    const d = decodeFrame(reply, LINKTYPE_IPV4);
    assert.equal(d.icmpType, 0);
    assert.equal(d.icmpId, 0x5678);
    assert.equal(d.l4PayloadLen, 4);
    const unreach = F.ipv4(
      { src: "10.0.0.2", dst: "10.0.0.1", proto: 1 },
      F.icmpUnreachable(3, udp4()),
    );
    const e = decodeFrame(unreach, LINKTYPE_IPV4);
    assert.equal(e.icmpType, 3);
    assert.equal(e.icmpCode, 3);
    assert.equal(e.icmpId, -1);
    assert.equal(e.hasPorts, 0);
  });

  it("gives ICMPv6 echo request and reply (128, 129) an identifier and other types -1", () => {
    const mk = (body: Uint8Array) =>
      F.ipv6({ src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_ICMPV6 }, body);
    const req = decodeFrame(mk(F.icmpv6Echo({ id: 0x0601, seq: 1 })), LINKTYPE_IPV6);
    assert.equal(req.icmpType, 128);
    assert.equal(req.icmpId, 0x0601);
    const rep = decodeFrame(mk(F.icmpv6Echo({ reply: true, id: 0x0602, seq: 1 })), LINKTYPE_IPV6);
    assert.equal(rep.icmpType, 129);
    assert.equal(rep.icmpId, 0x0602);
    const ns = decodeFrame(
      mk(F.icmpv6(135, 0, new Uint8Array(4), F.ipv6Bytes("2001:db8::2"))),
      LINKTYPE_IPV6,
    );
    assert.equal(ns.icmpType, 135);
    assert.equal(ns.icmpId, -1);
    assert.equal(ns.l4PayloadLen, 16);
    // Type 8 is an echo request only in ICMP for IPv4.
    const v4type = decodeFrame(mk(F.icmpv6(8, 0, F.hex("12340001"))), LINKTYPE_IPV6);
    assert.equal(v4type.icmpId, -1);
  });
});

describe("Decoder: the frame bounds", () => {
  it("never reads bytes beyond off + caplen, even when the buffer holds the next record", () => {
    // The frame sits at offset 16 of a batch buffer and is followed by the next record's bytes.
    const batch = new Uint8Array(16 + ETH_TCP_SYN.length + 64).fill(0x45);
    batch.set(ETH_TCP_SYN, 16);
    const d = new Decoder();
    for (let cut = 0; cut <= ETH_TCP_SYN.length; cut++) {
      const isolated = new Decoder();
      isolated.decode(ETH_TCP_SYN.slice(0, cut), 0, cut, LINKTYPE_ETHERNET, 0);
      d.decode(batch, 16, cut, LINKTYPE_ETHERNET, 0);
      const want = record(isolated);
      // Offsets are relative to the buffer: shift the isolated ones by 16.
      if (want.l3Offset >= 0) want.l3Offset += 16;
      if (want.l4Offset >= 0) want.l4Offset += 16;
      assert.deepEqual(record(d), want, `cut at ${cut}`);
    }
  });

  it("decodes a caplen that runs past the end of the buffer as far as the buffer goes", () => {
    const d = new Decoder();
    d.decode(ETH_TCP_SYN, 0, 1 << 20, LINKTYPE_ETHERNET, 0);
    assert.deepEqual(record(d), tcpSynRecord(14, { ethertype: ETHERTYPE_IPV4 }));
  });

  it("decodes nonsense offsets and lengths as an empty frame", () => {
    const d = new Decoder();
    for (const [off, caplen] of [
      [-1, 10],
      [0, -5],
      [Number.NaN, 10],
      [0, Number.NaN],
      [1.5, 20],
      [ETH_TCP_SYN.length + 1, 10],
    ] as const) {
      d.decode(ETH_TCP_SYN, off, caplen, LINKTYPE_ETHERNET, 0);
      assert.deepEqual(
        record(d),
        expected({ status: TRUNCATED_ETHERNET }),
        `off ${off} caplen ${caplen}`,
      );
    }
  });
});

describe("Decoder: the record", () => {
  it("lists every per-packet field in the test helper", () => {
    const d = new Decoder();
    const numeric = Object.keys(d).filter(
      (k) => typeof (d as unknown as Record<string, unknown>)[k] === "number",
    );
    const known = new Set<string>([
      ...RECORD_FIELDS,
      ...TUNNEL_FIELDS,
      // The outer packet's other fields, kept to restore it when a tunnel's payload is bad.
      "outerTtl",
      "outerIpId",
      "outerIpPayloadLen",
      "outerL3Offset",
      "outerL4Offset",
      "fragmentSlots",
      "fragMask",
    ]);
    assert.deepEqual(
      numeric.filter((k) => !known.has(k)),
      [],
    );
  });

  it("resets every field at the start of each decode", () => {
    const d = new Decoder();
    // A frame that sets nearly everything, then one that sets almost nothing.
    decodeFrame(
      F.ethernetTagged(
        MAC2,
        MAC1,
        [{ id: 1, tpid: ETHERTYPE_QINQ }, { id: 2 }],
        ETHERTYPE_IPV4,
        IPV4_TCP_SYN,
      ),
      LINKTYPE_ETHERNET,
      0,
      d,
    );
    decodeFrame(F.hex("0000 0001 0006 001122334455 0000 0806 00"), LINKTYPE_LINUX_SLL, 0, d);
    assert.deepEqual(
      record(d),
      expected({ status: TRUNCATED_ARP, ethertype: ETHERTYPE_ARP, pktType: 0 }),
    );
    d.decode(new Uint8Array(0), 0, 0, 147, 0);
    assert.deepEqual(record(d), expected({ status: UNSUPPORTED_LINK_TYPE }));
  });

  it("starts blank: no IP, protocol -1, ICMP fields -1, offsets -1", () => {
    assert.equal(BLANK.l3, L3_NONE);
    assert.equal(BLANK.proto, -1);
    assert.equal(BLANK.icmpType, -1);
    assert.equal(BLANK.icmpId, -1);
    assert.equal(BLANK.l3Offset, -1);
    assert.equal(BLANK.pktType, -1);
  });
});
