/**
 * Property tests: random bytes and damaged valid frames, through every link type, never make
 * the decoder throw, always give a known status and leave every field a finite number, and
 * the bytes after `off + caplen` never change the result. Each property has a time budget.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RECORD_FIELDS, record, tunnelRecord } from "../../test/support/decoded.js";
import * as F from "../../test/support/frames.js";
import {
  DLT_RAW_12,
  DLT_RAW_14,
  LINKTYPE_ETHERNET,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_PPP,
  LINKTYPE_PPP_ETHER,
  LINKTYPE_RAW,
} from "../packet/link-types.js";
import { DECODE_REASONS } from "./decode-status.js";
import { Decoder, MAX_ENCAP_DEPTH, TUNNEL_NAMES } from "./decoder.js";
import {
  ETHERTYPE_ARP,
  ETHERTYPE_ERSPAN_III,
  ETHERTYPE_FABRICPATH,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_MPLS_UNICAST,
  ETHERTYPE_PBB,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOE_SESSION,
  ETHERTYPE_QINQ,
  ETHERTYPE_TEB,
  ETHERTYPE_VNTAG,
  IPPROTO_ESP,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  PPP_IPV4,
  PPP_IPV6,
} from "./protocols.js";

const TIME_LIMIT_MS = 1500;
const LINK_TYPES = [
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  DLT_RAW_12,
  DLT_RAW_14,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_PPP,
  LINKTYPE_PPP_ETHER,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  147,
];

const M1 = "02:00:00:00:00:01";
const M2 = "02:00:00:00:00:02";
const V4 = { src: "10.0.0.1", dst: "10.0.0.2" };
const V6 = { src: "2001:db8::1", dst: "2001:db8::2" };
const tcpSeg = F.tcp({ sport: 1, dport: 2, flags: "S", options: F.TCP_SYN_OPTIONS }, F.hex("00ff"));
const udpSeg = F.udp({ sport: 3, dport: 4 }, F.hex("0102030405"));
const ip4 = F.ipv4({ ...V4, proto: IPPROTO_TCP, options: F.hex("94040000") }, tcpSeg);
const ip6 = F.ipv6(
  {
    ...V6,
    nextHeader: IPPROTO_UDP,
    ext: [{ type: 0 }, { type: 51, spi: 1, seq: 1 }, { type: 60 }],
  },
  udpSeg,
);
const icmp4 = F.ipv4({ ...V4, proto: IPPROTO_ICMP }, F.icmpEcho({ id: 5, seq: 6 }));
const icmp6 = F.ipv6({ ...V6, nextHeader: IPPROTO_ICMPV6 }, F.icmpv6Echo({ id: 5, seq: 6 }));
const frag4 = F.ipv4Fragments({ ...V4, proto: IPPROTO_UDP, id: 3 }, udpSeg, 8);
const frag6 = F.ipv6Fragments({ ...V6, nextHeader: IPPROTO_UDP }, 9, udpSeg, 8);
const arp = F.arp({ op: 1, sha: M1, spa: "10.0.0.1", tpa: "10.0.0.2" });

/** Valid frames of every kind, the seeds of the mutation property. */
const CORPUS: readonly { frame: Uint8Array; linktype: number }[] = [
  { frame: F.ethernet(M2, M1, ETHERTYPE_IPV4, ip4), linktype: LINKTYPE_ETHERNET },
  { frame: F.ethernet(M2, M1, ETHERTYPE_IPV6, ip6), linktype: LINKTYPE_ETHERNET },
  { frame: F.ethernet(M2, M1, ETHERTYPE_ARP, arp), linktype: LINKTYPE_ETHERNET },
  {
    frame: F.ethernetTagged(
      M2,
      M1,
      [{ id: 1, tpid: ETHERTYPE_QINQ }, { id: 2 }],
      ETHERTYPE_IPV4,
      icmp4,
    ),
    linktype: LINKTYPE_ETHERNET,
  },
  { frame: F.ieee8023(M2, M1, F.llcSnap(ETHERTYPE_IPV6, icmp6)), linktype: LINKTYPE_ETHERNET },
  { frame: F.sll({ protocol: ETHERTYPE_IPV4 }, ip4), linktype: LINKTYPE_LINUX_SLL },
  { frame: F.sll2({ protocol: ETHERTYPE_IPV6 }, ip6), linktype: LINKTYPE_LINUX_SLL2 },
  { frame: F.nullLoopback(2, icmp4), linktype: LINKTYPE_NULL },
  { frame: F.loop(24, icmp6), linktype: LINKTYPE_LOOP },
  {
    frame: F.ipv6({ ...V6, nextHeader: IPPROTO_ESP }, F.esp(1, 1, new Uint8Array(8))),
    linktype: LINKTYPE_RAW,
  },
  ...frag4.map((frame) => ({ frame, linktype: LINKTYPE_IPV4 })),
  ...frag6.map((frame) => ({ frame, linktype: LINKTYPE_IPV6 })),
  // Encapsulations and tunnels.
  {
    frame: F.ipv4({ ...V4, proto: IPPROTO_SCTP }, F.sctp(7, 8, F.sctpChunk(1, new Uint8Array(16)))),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ethernet(M2, M1, ETHERTYPE_MPLS_UNICAST, F.mpls([1, 2], ip4)),
    linktype: LINKTYPE_ETHERNET,
  },
  {
    frame: F.ethernet(M2, M1, ETHERTYPE_PPPOE_SESSION, F.pppoe(1, PPP_IPV6, ip6)),
    linktype: LINKTYPE_ETHERNET,
  },
  { frame: F.ppp(PPP_IPV4, ip4), linktype: LINKTYPE_PPP },
  { frame: F.pppoe(2, PPP_IPV4, icmp4), linktype: LINKTYPE_PPP_ETHER },
  {
    frame: F.ethernet(M2, M1, ETHERTYPE_PBB, F.pbb(5, M2, M1, ETHERTYPE_IPV4, ip4)),
    linktype: LINKTYPE_ETHERNET,
  },
  {
    frame: F.ethernet(M2, M1, ETHERTYPE_FABRICPATH, F.fabricPath(M2, M1, ETHERTYPE_IPV6, ip6)),
    linktype: LINKTYPE_ETHERNET,
  },
  {
    frame: F.ethernet(M2, M1, ETHERTYPE_VNTAG, F.vnTag(ETHERTYPE_IPV4, ip4)),
    linktype: LINKTYPE_ETHERNET,
  },
  { frame: F.ieee80211Data(ETHERTYPE_IPV4, ip4, { qos: true }), linktype: LINKTYPE_IEEE802_11 },
  {
    frame: F.radiotap(F.ieee80211Data(ETHERTYPE_IPV6, ip6)),
    linktype: LINKTYPE_IEEE802_11_RADIOTAP,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_GRE },
      F.grePacket({ type: ETHERTYPE_IPV4, key: 1, seq: 2, checksum: true }, ip4),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_GRE },
      F.concat(
        F.greHeader({ type: ETHERTYPE_ERSPAN_III, seq: 1 }),
        F.erspan3(1, true),
        F.ethernet(M2, M1, ETHERTYPE_IPV4, ip4),
      ),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_GRE },
      F.concat(
        F.greHeader({ type: ETHERTYPE_PPP, version: 1, key: 1, ack: 1 }),
        F.ppp(PPP_IPV4, ip4),
      ),
    ),
    linktype: LINKTYPE_IPV4,
  },
  { frame: F.ipv6({ ...V6, nextHeader: IPPROTO_IPIP }, ip4), linktype: LINKTYPE_IPV6 },
  {
    frame: F.ipv4({ ...V4, proto: IPPROTO_IPV6 }, F.ipv6({ ...V6, nextHeader: IPPROTO_IPV6 }, ip6)),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_UDP },
      F.udp({ sport: 9, dport: 4789 }, F.vxlan(1, F.ethernet(M2, M1, ETHERTYPE_IPV4, ip4))),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_UDP },
      F.udp(
        { sport: 9, dport: 6081 },
        F.geneve(ETHERTYPE_TEB, 1, F.ethernet(M2, M1, ETHERTYPE_IPV6, ip6), new Uint8Array(4)),
      ),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_UDP },
      F.udp({ sport: 2152, dport: 2152 }, F.gtpu(1, ip4, { seq: 1, ext: 0x40 })),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_UDP },
      F.udp({ sport: 3544, dport: 9 }, F.teredo(ip6, true)),
    ),
    linktype: LINKTYPE_IPV4,
  },
  {
    frame: F.ipv4(
      { ...V4, proto: IPPROTO_UDP },
      F.udp({ sport: 5072, dport: 5072 }, F.ayiya(IPPROTO_IPV6, ip6)),
    ),
    linktype: LINKTYPE_IPV4,
  },
];

const L3_VALUES = new Set([0, 1, 2, 4, 6]);

/** Checks the decoder's invariants after a decode of `buf[off, off + caplen)`. */
function checkInvariants(d: Decoder, status: number, off: number, caplen: number): void {
  assert.ok(
    Number.isInteger(status) && status >= 0 && status < DECODE_REASONS.length,
    `status ${status}`,
  );
  assert.equal(d.status, status);
  for (const k of RECORD_FIELDS) {
    const v = d[k];
    assert.equal(typeof v, "number", k);
    assert.ok(Number.isFinite(v), `${k} = ${v}`);
  }
  assert.ok(L3_VALUES.has(d.l3), `l3 ${d.l3}`);
  assert.ok(d.hasPorts === 0 || d.hasPorts === 1);
  assert.ok(d.sport >= 0 && d.sport <= 0xffff && d.dport >= 0 && d.dport <= 0xffff);
  assert.ok(d.proto >= -1 && d.proto <= 255);
  for (const o of [d.l3Offset, d.l4Offset]) {
    assert.ok(o === -1 || (o >= off && o <= off + caplen), `offset ${o} outside the frame`);
  }
  assert.ok(d.ipPayloadLen >= 0 && d.l4PayloadLen >= 0);
  assert.ok(d.encapDepth >= 0 && d.encapDepth <= MAX_ENCAP_DEPTH, `encapDepth ${d.encapDepth}`);
  assert.ok(d.tunnelDepth >= 0 && d.tunnelDepth <= d.encapDepth, `tunnelDepth ${d.tunnelDepth}`);
  if (d.tunnelDepth > 0) {
    // A tunneled packet has both an outer packet and an inner network layer.
    assert.ok(d.tunnelType > 0 && d.tunnelType < TUNNEL_NAMES.length, `tunnelType ${d.tunnelType}`);
    assert.ok(d.tunnelFamily === 4 || d.tunnelFamily === 6);
    assert.ok(d.l3 !== 0, "a tunnel whose payload decodes to nothing is the outer packet");
    for (const v of Object.values(tunnelRecord(d))) assert.ok(Number.isFinite(v));
  } else {
    assert.equal(d.tunnelType, 0);
  }
}

const linkTypeArb = fc.oneof(fc.constantFrom(...LINK_TYPES), fc.integer({ min: -2, max: 300 }));

/** A corpus frame damaged by bit flips, byte overwrites and a cut. */
const mutatedArb = fc
  .record({
    seed: fc.nat({ max: CORPUS.length - 1 }),
    flips: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 7 })), { maxLength: 6 }),
    bytes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    // Mostly the frame's own link type, sometimes any other.
    otherLink: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: linkTypeArb, weight: 1 },
    ),
  })
  .map(({ seed, flips, bytes, cut, otherLink }) => {
    const base = CORPUS[seed] ?? { frame: new Uint8Array(0), linktype: 1 };
    const frame = base.frame.slice();
    if (frame.length > 0) {
      for (const [pos, bit] of flips) frame[pos % frame.length] ^= 1 << bit;
      for (const [pos, value] of bytes) frame[pos % frame.length] = value;
    }
    const len = cut === undefined ? frame.length : cut % (frame.length + 1);
    return { frame: frame.subarray(0, len), linktype: otherLink ?? base.linktype };
  });

describe("Decoder: properties", () => {
  const d = new Decoder(64);

  it("never throws on random bytes with any link type, and leaves a sane record", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        linkTypeArb,
        fc.integer({ min: 0, max: 100 }),
        (bytes, linktype, ts) => {
          const status = d.decode(bytes, 0, bytes.length, linktype, ts);
          checkInvariants(d, status, 0, bytes.length);
        },
      ),
      { numRuns: 1_000_000, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  it("never throws on damaged valid frames (bit flips, overwritten bytes, cuts)", () => {
    fc.assert(
      fc.property(mutatedArb, fc.integer({ min: 0, max: 100 }), ({ frame, linktype }, ts) => {
        const status = d.decode(frame, 0, frame.length, linktype, ts);
        checkInvariants(d, status, 0, frame.length);
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });

  it("gives the same record whatever bytes follow the frame in the buffer", () => {
    const a = new Decoder(64);
    const b = new Decoder(64);
    fc.assert(
      fc.property(
        mutatedArb,
        fc.nat({ max: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        ({ frame, linktype }, lead, tail) => {
          const bufA = new Uint8Array(lead + frame.length + tail.length);
          bufA.set(frame, lead);
          bufA.set(tail, lead + frame.length);
          const bufB = new Uint8Array(lead + frame.length + tail.length).fill(0xff);
          bufB.set(frame, lead);
          const sa = a.decode(bufA, lead, frame.length, linktype, 0);
          const sb = b.decode(bufB, lead, frame.length, linktype, 0);
          checkInvariants(a, sa, lead, frame.length);
          assert.equal(sb, sa);
          assert.deepEqual(record(a), record(b));
          if (a.tunnelDepth > 0) assert.deepEqual(tunnelRecord(a), tunnelRecord(b));
        },
      ),
      { numRuns: 1_000_000, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
  });
});
