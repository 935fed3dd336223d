/**
 * Writes the deterministic capture fixtures of test/fixtures/ (and their README). Every run
 * produces the same bytes: timestamps are fixed, "random" traffic comes from a seeded PRNG,
 * and the gzip copy is compressed with fixed options (Node writes a zero mtime).
 *
 *   npm run fixtures                      # build, then write into test/fixtures/
 *   node dist/scripts/gen-fixtures.js DIR # write somewhere else
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";
import {
  FileSink,
  MemorySink,
  PcapngWriter,
  PcapWriter,
} from "../src/capture/file/capture-writer.js";
import {
  ETHERTYPE_ARP,
  ETHERTYPE_ERSPAN_II,
  ETHERTYPE_ERSPAN_III,
  ETHERTYPE_FABRICPATH,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_LLDP,
  ETHERTYPE_MPLS_UNICAST,
  ETHERTYPE_PBB,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOE_SESSION,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_TEB,
  ETHERTYPE_VNTAG,
  IPPROTO_ESP,
  IPPROTO_GRE,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_NONE,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  PPP_IPV4,
  PPP_IPV6,
} from "../src/decode/protocols.js";
import {
  DLT_RAW_12,
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
  LINKTYPE_PPP_HDLC,
  LINKTYPE_RAW,
} from "../src/packet/link-types.js";
import * as F from "../test/support/frames.js";

const OUT = process.argv[2] ?? fileURLToPath(new URL("../../test/fixtures/", import.meta.url));

/** All fixtures start at 2023-11-14T22:13:20Z. */
const T0 = 1_700_000_000;
const LINKTYPE_USER0 = 147; // a link type the decoder does not support
const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------------------------

interface Packet {
  frame: Uint8Array;
  /** Nanoseconds since T0. */
  t: number;
  origlen?: number;
}

/** A monotonically advancing packet clock in nanoseconds since T0. */
class Clock {
  constructor(public t = 0) {}
  /** Advances by `us` microseconds (fractions allowed) and returns the new time. */
  step(us: number): number {
    this.t += Math.round(us * 1000);
    return this.t;
  }
}

function sec(t: number): number {
  return T0 + Math.floor(t / 1e9);
}

function nsec(t: number): number {
  return t % 1e9;
}

interface FixtureDoc {
  file: string;
  what: string;
  facts: string[];
}

const docs: FixtureDoc[] = [];

function doc(file: string, what: string, facts: string[]): void {
  docs.push({ file, what, facts });
}

function writePcap(
  file: string,
  linktype: number,
  packets: readonly Packet[],
  opts: { nanosecond?: boolean; bigEndian?: boolean; snaplen?: number } = {},
): void {
  const w = new PcapWriter(new FileSink(join(OUT, file)), { linktype, ...opts });
  for (const p of packets) w.write(p.frame, sec(p.t), nsec(p.t), p.origlen ?? p.frame.length);
  w.close();
}

function pcapBytes(linktype: number, packets: readonly Packet[]): Buffer {
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { linktype });
  for (const p of packets) w.write(p.frame, sec(p.t), nsec(p.t));
  w.close();
  return sink.bytes();
}

/** Packets at `stepUs` intervals from `start`. */
function timed(frames: readonly Uint8Array[], clock: Clock, stepUs = 1000): Packet[] {
  return frames.map((frame) => ({ frame, t: clock.step(stepUs) }));
}

/** Pads an Ethernet frame to the 60-byte minimum (without FCS), as a receiving NIC shows it. */
function padEthernet(frame: Uint8Array): Uint8Array {
  return frame.length >= 60 ? frame : F.concat(frame, new Uint8Array(60 - frame.length));
}

/** Mulberry32: a tiny seeded PRNG, so "random" traffic is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytesOf(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

function filler(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

const MAC_A = "02:00:00:00:00:0a";
const MAC_B = "02:00:00:00:00:0b";
const MAC_GW = "02:00:00:00:00:01";
const BROADCAST = "ff:ff:ff:ff:ff:ff";

/** An IP packet from `src` to `dst`, IPv4 or IPv6 by the address form. */
function ip(
  src: string,
  dst: string,
  proto: number,
  payload: Uint8Array,
  extra: { id?: number; ttl?: number } = {},
): Uint8Array {
  if (src.includes(":")) {
    return F.ipv6({ src, dst, nextHeader: proto, hopLimit: extra.ttl ?? 64 }, payload);
  }
  return F.ipv4({ src, dst, proto, id: extra.id ?? 0, ttl: extra.ttl ?? 64, df: true }, payload);
}

function etherTypeOf(ipPacket: Uint8Array): number {
  return (ipPacket[0] ?? 0) >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
}

/** Wraps IP packets into a link layer; `fromA` tells the direction (for MACs, SLL pkttype). */
type LinkWrap = (ipPacket: Uint8Array, fromA: boolean) => Uint8Array;

const etherWrap =
  (macA = MAC_A, macB = MAC_B, tags: readonly F.VlanTag[] = []): LinkWrap =>
  (p, fromA) =>
    padEthernet(
      F.ethernetTagged(fromA ? macB : macA, fromA ? macA : macB, tags, etherTypeOf(p), p),
    );

// ---------------------------------------------------------------------------------------------
// TCP conversations
// ---------------------------------------------------------------------------------------------

interface Endpoint {
  ip: string;
  port: number;
}

/** Tracks sequence numbers of one TCP conversation between client A and server B. */
class TcpConversation {
  aSeq: number;
  bSeq: number;
  private ipId = 1;
  constructor(
    private readonly wrap: LinkWrap,
    readonly a: Endpoint,
    readonly b: Endpoint,
    aIsn: number,
    bIsn: number,
  ) {
    this.aSeq = aIsn;
    this.bSeq = bIsn;
  }

  /** One segment from A (fromA) or B with `flags` (letters) and data. */
  send(fromA: boolean, flags: string, data: Uint8Array = EMPTY, window = 64240): Uint8Array {
    const f = F.tcpFlags(flags);
    const from = fromA ? this.a : this.b;
    const to = fromA ? this.b : this.a;
    const seq = fromA ? this.aSeq : this.bSeq;
    const ack = f & 0x10 ? (fromA ? this.bSeq : this.aSeq) : 0;
    const options = f & 0x02 ? F.TCP_SYN_OPTIONS : EMPTY;
    const seg = F.tcp(
      { sport: from.port, dport: to.port, seq, ack, flags: f, window, options },
      data,
    );
    const adv = data.length + (f & 0x02 ? 1 : 0) + (f & 0x01 ? 1 : 0);
    if (fromA) this.aSeq = (this.aSeq + adv) >>> 0;
    else this.bSeq = (this.bSeq + adv) >>> 0;
    return this.wrap(ip(from.ip, to.ip, IPPROTO_TCP, seg, { id: this.ipId++ }), fromA);
  }

  handshake(): Uint8Array[] {
    return [this.send(true, "S"), this.send(false, "SA"), this.send(true, "A")];
  }
}

// ---------------------------------------------------------------------------------------------
// A small set of IP packets reused by the link-type fixtures
// ---------------------------------------------------------------------------------------------

/** Five IP packets: a TCP handshake start over IPv4, a DNS query, IPv6 UDP, ICMPv6 echo. */
function basicIpPackets(): Uint8Array[] {
  const syn = F.tcp({ sport: 40000, dport: 80, seq: 1000, flags: "S", options: F.TCP_SYN_OPTIONS });
  const synAck = F.tcp({
    sport: 80,
    dport: 40000,
    seq: 5000,
    ack: 1001,
    flags: "SA",
    options: F.TCP_SYN_OPTIONS,
  });
  return [
    F.ipv4({ src: "192.0.2.1", dst: "192.0.2.2", proto: IPPROTO_TCP, id: 1, df: true }, syn),
    F.ipv4({ src: "192.0.2.2", dst: "192.0.2.1", proto: IPPROTO_TCP, id: 0, df: true }, synAck),
    F.ipv4(
      { src: "192.0.2.1", dst: "192.0.2.53", proto: IPPROTO_UDP, id: 2 },
      F.udp({ sport: 53000, dport: 53 }, F.dns({ id: 0x1234, qname: "example.com" })),
    ),
    F.ipv6(
      { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_UDP },
      F.udp({ sport: 5000, dport: 5001 }, bytesOf("hello over ipv6")),
    ),
    F.ipv6(
      { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_ICMPV6 },
      F.icmpv6Echo({ id: 0x4242, seq: 1 }, bytesOf("ping6")),
    ),
  ];
}

const BASIC_FACTS = [
  "5 packets: IPv4 TCP SYN 192.0.2.1:40000 -> 192.0.2.2:80 (seq 1000, MSS/SACK/WS options, header 32 bytes)",
  "IPv4 TCP SYN-ACK back (seq 5000, ack 1001); IPv4 UDP DNS query 192.0.2.1:53000 -> 192.0.2.53:53 for example.com (id 0x1234)",
  'IPv6 UDP 2001:db8::1:5000 -> 2001:db8::2:5001 ("hello over ipv6", 15 bytes); ICMPv6 echo request id 0x4242 seq 1',
  "all decode OK",
];

function arpPair(): Uint8Array[] {
  return [
    F.arp({ op: 1, sha: MAC_A, spa: "192.0.2.1", tpa: "192.0.2.2" }),
    F.arp({ op: 2, sha: MAC_B, spa: "192.0.2.2", tha: MAC_A, tpa: "192.0.2.1" }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

function linkFixtures(): void {
  const basic = basicIpPackets();

  // Ethernet: the basic set, ARP, 802.3 frames and an LLDP frame.
  {
    const c = new Clock();
    const w = etherWrap();
    const frames = basic.map((p, i) => w(p, i !== 1));
    const [req, rep] = arpPair();
    frames.push(padEthernet(F.ethernet(BROADCAST, MAC_A, ETHERTYPE_ARP, req ?? EMPTY)));
    frames.push(padEthernet(F.ethernet(MAC_A, MAC_B, ETHERTYPE_ARP, rep ?? EMPTY)));
    // 802.3 + LLC: a Spanning Tree configuration BPDU (DSAP/SSAP 0x42).
    const bpdu = F.hex(
      "0000 00 00 00 8000020000000001 00000000 8000020000000001 8001 0000 1400 0200 0f00",
    );
    frames.push(padEthernet(F.ieee8023("01:80:c2:00:00:00", MAC_A, F.llc(0x42, 0x42, 0x03, bpdu))));
    // 802.3 + LLC/SNAP (RFC 1042) carrying an IPv4 UDP datagram.
    const snapIp = F.ipv4(
      { src: "192.0.2.1", dst: "192.0.2.2", proto: IPPROTO_UDP, id: 3 },
      F.udp({ sport: 7000, dport: 7001 }, bytesOf("snap")),
    );
    frames.push(padEthernet(F.ieee8023(MAC_B, MAC_A, F.llcSnap(ETHERTYPE_IPV4, snapIp))));
    // LLDP: chassis id, port id, TTL, end.
    const lldp = F.hex("0207 04 02000000000a 0404 05 657430 0602 0078 0000");
    frames.push(padEthernet(F.ethernet("01:80:c2:00:00:0e", MAC_A, ETHERTYPE_LLDP, lldp)));
    writePcap("link-ethernet.pcap", LINKTYPE_ETHERNET, timed(frames, c));
    doc("link-ethernet.pcap", "Ethernet II (linktype 1), frames padded to 60 bytes", [
      ...BASIC_FACTS.slice(0, 3),
      "then ARP request 192.0.2.1 -> who-has 192.0.2.2 (broadcast) and ARP reply",
      "802.3/LLC STP BPDU (l3 OTHER, ethertype 0); 802.3/LLC/SNAP IPv4 UDP 192.0.2.1:7000 -> 192.0.2.2:7001",
      "LLDP (ethertype 0x88cc, l3 OTHER); 10 packets, all decode OK",
    ]);
  }

  // Linux cooked v1 and v2: the basic set and ARP, with packet types.
  for (const [file, linktype, build] of [
    ["link-sll.pcap", LINKTYPE_LINUX_SLL, F.sll],
    ["link-sll2.pcap", LINKTYPE_LINUX_SLL2, F.sll2],
  ] as const) {
    const c = new Clock();
    const frames = basic.map((p, i) =>
      build(
        { protocol: etherTypeOf(p), pktType: i === 1 ? 0 : 4, addr: i === 1 ? MAC_B : MAC_A },
        p,
      ),
    );
    for (const [i, a] of arpPair().entries()) {
      frames.push(build({ protocol: ETHERTYPE_ARP, pktType: i === 0 ? 1 : 0, addr: MAC_B }, a));
    }
    writePcap(file, linktype, timed(frames, c));
    doc(file, `Linux cooked capture ${linktype === LINKTYPE_LINUX_SLL ? "v1 (113)" : "v2 (276)"}`, [
      ...BASIC_FACTS.slice(0, 3),
      "then ARP request (pkttype 1 broadcast) and reply; packet types: 4 (outgoing) except the SYN-ACK (0)",
      "7 packets, all decode OK",
    ]);
  }

  // BSD loopback: the address family in both byte orders and all three IPv6 values.
  {
    const c = new Clock();
    const frames = [
      F.nullLoopback(2, basic[0] ?? EMPTY), // little-endian host
      F.nullLoopback(2, basic[1] ?? EMPTY, true), // big-endian host
      F.nullLoopback(2, basic[2] ?? EMPTY),
      F.nullLoopback(24, basic[3] ?? EMPTY), // NetBSD/OpenBSD AF_INET6
      F.nullLoopback(28, basic[4] ?? EMPTY), // FreeBSD AF_INET6
      F.nullLoopback(30, basic[3] ?? EMPTY, true), // Darwin AF_INET6, big-endian host
    ];
    writePcap("link-null.pcap", LINKTYPE_NULL, timed(frames, c));
    doc("link-null.pcap", "BSD loopback DLT_NULL (linktype 0), AF in host byte order", [
      ...BASIC_FACTS.slice(0, 3),
      "AF values: 2 LE, 2 BE, 2 LE, 24 LE, 28 LE, 30 BE; the 6th packet repeats the IPv6 UDP one",
      "6 packets, all decode OK",
    ]);
  }
  {
    const c = new Clock();
    const frames = basic.map((p) => F.loop(etherTypeOf(p) === ETHERTYPE_IPV6 ? 24 : 2, p));
    writePcap("link-loop.pcap", LINKTYPE_LOOP, timed(frames, c));
    doc("link-loop.pcap", "OpenBSD loopback LOOP (linktype 108), AF in network byte order", [
      ...BASIC_FACTS,
    ]);
  }

  // Raw IP in its registry number and the BSD DLT_RAW spelling, and the per-version types.
  for (const [file, linktype] of [
    ["link-raw101.pcap", LINKTYPE_RAW],
    ["link-raw12.pcap", DLT_RAW_12],
  ] as const) {
    writePcap(file, linktype, timed(basic, new Clock()));
    doc(file, `raw IP (linktype ${linktype}), version from the first nibble`, [...BASIC_FACTS]);
  }
  writePcap("link-ipv4.pcap", LINKTYPE_IPV4, timed(basic.slice(0, 3), new Clock()));
  doc("link-ipv4.pcap", "raw IPv4 (linktype 228)", [
    "the first 3 packets of the basic set (TCP SYN, SYN-ACK, DNS query), all decode OK",
  ]);
  writePcap("link-ipv6.pcap", LINKTYPE_IPV6, timed(basic.slice(3), new Clock()));
  doc("link-ipv6.pcap", "raw IPv6 (linktype 229)", [
    "the 2 IPv6 packets of the basic set (UDP, ICMPv6 echo request), all decode OK",
  ]);

  // An unsupported link type: USER0 with arbitrary bytes.
  writePcap(
    "link-unsupported.pcap",
    LINKTYPE_USER0,
    timed([F.hex("deadbeef 00010203"), F.hex("cafe")], new Clock()),
  );
  doc("link-unsupported.pcap", "linktype 147 (USER0), which the decoder does not support", [
    "2 packets (8 and 2 bytes), both UNSUPPORTED_LINK_TYPE",
  ]);
}

function vlanFixture(): void {
  const c = new Clock();
  const v4 = (sport: number, dport: number, data: string): Uint8Array =>
    F.ipv4(
      { src: "10.20.0.1", dst: "10.20.0.2", proto: IPPROTO_UDP, id: sport },
      F.udp({ sport, dport }, bytesOf(data)),
    );
  const frames = [
    // 1. 802.1Q VLAN 100: TCP SYN and SYN-ACK.
    ...(() => {
      const conv = new TcpConversation(
        etherWrap(MAC_A, MAC_B, [{ id: 100 }]),
        { ip: "10.10.0.1", port: 41000 },
        { ip: "10.10.0.2", port: 443 },
        100,
        900,
      );
      return [conv.send(true, "S"), conv.send(false, "SA")];
    })(),
    // 3. QinQ 802.1ad S-tag 200 + C-tag 300, IPv4 UDP.
    etherWrap(MAC_A, MAC_B, [{ id: 200, tpid: ETHERTYPE_QINQ }, { id: 300 }])(
      v4(6000, 6001, "qinq"),
      true,
    ),
    // 4. Old-style QinQ 0x9100 S-tag 201 + C-tag 301, IPv4 ICMP echo.
    etherWrap(MAC_A, MAC_B, [{ id: 201, tpid: ETHERTYPE_QINQ_OLD }, { id: 301 }])(
      F.ipv4(
        { src: "10.20.0.1", dst: "10.20.0.2", proto: IPPROTO_ICMP, id: 7 },
        F.icmpEcho({ id: 77, seq: 1 }, bytesOf("abcdefgh")),
      ),
      true,
    ),
    // 5. Three tags: 0x88a8 10, 0x8100 20, 0x8100 30, IPv6 UDP.
    etherWrap(MAC_A, MAC_B, [{ id: 10, tpid: ETHERTYPE_QINQ }, { id: 20 }, { id: 30 }])(
      F.ipv6(
        { src: "2001:db8:10::1", dst: "2001:db8:10::2", nextHeader: IPPROTO_UDP },
        F.udp({ sport: 6100, dport: 6101 }, bytesOf("three tags")),
      ),
      true,
    ),
    // 6. VLAN 100 ARP request.
    padEthernet(
      F.ethernetTagged(
        BROADCAST,
        MAC_A,
        [{ id: 100 }],
        ETHERTYPE_ARP,
        F.arp({ op: 1, sha: MAC_A, spa: "10.10.0.1", tpa: "10.10.0.2" }),
      ),
    ),
    // 7. VLAN 4094 with priority 5 and DEI, ICMPv6 echo request.
    etherWrap(MAC_A, MAC_B, [{ id: 4094, pcp: 5, dei: true }])(
      F.ipv6(
        { src: "2001:db8:10::1", dst: "2001:db8:10::2", nextHeader: IPPROTO_ICMPV6 },
        F.icmpv6Echo({ id: 9, seq: 9 }),
      ),
      true,
    ),
  ];
  writePcap("vlan-qinq.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("vlan-qinq.pcap", "VLAN tags: 802.1Q, 802.1ad QinQ, 0x9100 QinQ, three tags", [
    "1-2: VLAN 100 TCP SYN 10.10.0.1:41000 -> 10.10.0.2:443 and SYN-ACK (vlan 100, depth 1)",
    "3: 0x88a8 200 / 0x8100 300, UDP 10.20.0.1:6000 -> 10.20.0.2:6001 (vlan 200, innerVlan 300, depth 2)",
    "4: 0x9100 201 / 0x8100 301, ICMP echo request id 77 (vlan 201, innerVlan 301, depth 2)",
    "5: 0x88a8 10 / 0x8100 20 / 0x8100 30, IPv6 UDP 6100 -> 6101 (vlan 10, innerVlan 20, depth 3)",
    "6: VLAN 100 ARP request 10.10.0.1 -> 10.10.0.2; 7: VLAN 4094 PCP 5 DEI, ICMPv6 echo id 9",
    "7 packets, all decode OK",
  ]);
}

function ipv6ExtFixture(): void {
  const c = new Clock();
  const src = "2001:db8:6::1";
  const dst = "2001:db8:6::2";
  const w = etherWrap();
  const u = (sport: number): Uint8Array => F.udp({ sport, dport: 7 }, bytesOf("ext"));
  const syn = (sport: number): Uint8Array =>
    F.tcp({ sport, dport: 80, seq: 1, flags: "S", options: F.TCP_SYN_OPTIONS });
  const routerAlert = F.hex("05020000"); // Router Alert option, value 0 (MLD)
  // Segment Routing header (RFC 8754): type 4, segments left 0, last entry 0, flags, tag,
  // and the one segment, which is the final destination.
  const srh = F.concat(F.hex("04 00 00 00 0000"), F.ipv6Bytes(dst));
  const frames = [
    F.ipv6({ src, dst, nextHeader: IPPROTO_UDP, ext: [{ type: 0, data: routerAlert }] }, u(7001)),
    F.ipv6({ src, dst, nextHeader: IPPROTO_TCP, ext: [{ type: 60 }] }, syn(7002)),
    F.ipv6({ src, dst, nextHeader: IPPROTO_UDP, ext: [{ type: 43, data: srh }] }, u(7003)),
    F.ipv6(
      {
        src,
        dst,
        nextHeader: IPPROTO_TCP,
        ext: [{ type: 0 }, { type: 60 }, { type: 43, data: srh }, { type: 60 }],
      },
      syn(7004),
    ),
    F.ipv6(
      { src, dst, nextHeader: IPPROTO_TCP, ext: [{ type: 51, spi: 0x100, seq: 1 }] },
      syn(7005),
    ),
    F.ipv6({ src, dst, nextHeader: IPPROTO_ESP }, F.esp(0x200, 1, filler(48, 1))),
    F.ipv6({ src, dst, nextHeader: IPPROTO_NONE, ext: [{ type: 60 }] }, EMPTY),
    F.ipv6({ src, dst, nextHeader: IPPROTO_NONE, ext: [{ type: 135, mhType: 0 }] }, EMPTY),
    F.ipv6(
      { src, dst, nextHeader: IPPROTO_ESP, ext: [{ type: 0 }] },
      F.esp(0x201, 7, filler(32, 2)),
    ),
  ].map((p) => w(p, true));
  writePcap("ipv6-ext.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("ipv6-ext.pcap", "IPv6 extension-header chains over Ethernet, 2001:db8:6::1 -> ::2", [
    "1: hop-by-hop (router alert) + UDP 7001 -> 7",
    "2: destination options + TCP SYN 7002 -> 80",
    "3: routing header (segment routing, type 4, segments left 0) + UDP 7003 -> 7",
    "4: hop-by-hop, dest options, routing, dest options + TCP SYN 7004 -> 80",
    "5: AH (24 bytes, SPI 0x100) + TCP SYN 7005 -> 80",
    "6: ESP (SPI 0x200): proto 50, no ports; 7: dest options + No Next Header: proto 59",
    "8: Mobility header (Binding Refresh Request) + No Next Header: proto 59",
    "9: hop-by-hop + ESP (SPI 0x201): proto 50",
    "9 packets, all decode OK",
  ]);
}

function fragmentFixture(): void {
  const c = new Clock();
  const w = etherWrap();
  const v4h = { src: "10.30.0.1", dst: "10.30.0.2", proto: IPPROTO_UDP };
  const big = (sport: number, n: number, seed: number): Uint8Array =>
    F.udp({ sport, dport: 9000 }, filler(n, seed));
  // 1-3: in order, 3000 bytes of UDP data in 3 fragments.
  const inOrder = F.ipv4Fragments({ ...v4h, id: 0x1001 }, big(5001, 3000, 11), 1480);
  // 4-6: out of order: last, first, middle.
  const [o1, o2, o3] = F.ipv4Fragments({ ...v4h, id: 0x1002 }, big(5002, 3000, 12), 1480);
  // 7-8: ICMP echo of 2000 bytes in 2 fragments.
  const icmpFrags = F.ipv4Fragments(
    { src: "10.30.0.1", dst: "10.30.0.2", proto: IPPROTO_ICMP, id: 0x1003 },
    F.icmpEcho({ id: 0x99, seq: 1 }, filler(2000, 13)),
    1480,
  );
  // 9-11: IPv6 UDP in 3 fragments; 12-13: IPv6 TCP in 2 fragments behind a hop-by-hop header.
  const v6 = F.ipv6Fragments(
    { src: "2001:db8:30::1", dst: "2001:db8:30::2", nextHeader: IPPROTO_UDP },
    0xabcdef01,
    F.udp({ sport: 5003, dport: 9000 }, filler(3000, 14)),
    1448,
  );
  const v6tcp = F.ipv6Fragments(
    { src: "2001:db8:30::1", dst: "2001:db8:30::2", nextHeader: IPPROTO_TCP, ext: [{ type: 0 }] },
    0x00000042,
    F.tcp({ sport: 5004, dport: 80, seq: 1, ack: 1, flags: "PA" }, filler(1800, 15)),
    1400,
  );
  const frames = [
    ...inOrder,
    o3 ?? EMPTY,
    o1 ?? EMPTY,
    o2 ?? EMPTY,
    ...icmpFrags,
    ...v6,
    ...v6tcp,
  ].map((p) => w(p, true));
  writePcap("fragments.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("fragments.pcap", "IPv4 and IPv6 fragments over Ethernet", [
    "1-3: IPv4 id 0x1001 UDP 10.30.0.1:5001 -> 10.30.0.2:9000, 3008-byte datagram payload, offsets 0/1480/2960, in order: all 3 have ports",
    "4-6: IPv4 id 0x1002 UDP sport 5002, sent last (offset 2960), first, middle: the 4th has hasPorts 0, the 5th and 6th have ports",
    "7-8: IPv4 id 0x1003 ICMP echo id 0x99 (2008 bytes): first has icmpId 0x99, second has no ports",
    "9-11: IPv6 fragment id 0xabcdef01 UDP 2001:db8:30::1:5003 -> ::2:9000, offsets 0/1448/2896: all have ports",
    "12-13: IPv6 hop-by-hop + fragment id 0x42, TCP 5004 -> 80 (1820 bytes): both have ports",
    "13 packets, all decode OK; tshark reassembles 5 datagrams",
  ]);
}

function ipv4MiscFixture(): void {
  const c = new Clock();
  const w = etherWrap();
  const seg = (sport: number, flags: string): Uint8Array =>
    F.tcp({ sport, dport: 80, seq: 1, ack: flags.includes("A") ? 1 : 0, flags });
  const frames = [
    // Options: Router Alert (RFC 2113) and NOP/EOL padding; IHL 6.
    F.ipv4(
      {
        src: "10.40.0.1",
        dst: "10.40.0.2",
        proto: IPPROTO_TCP,
        id: 1,
        options: F.hex("94040000"),
      },
      seg(6001, "S"),
    ),
    // Options: Record Route with room for 3 addresses (12 + 3 = 15 bytes, padded to 16); IHL 9.
    F.ipv4(
      {
        src: "10.40.0.1",
        dst: "10.40.0.2",
        proto: IPPROTO_TCP,
        id: 2,
        options: F.hex("07 0f 04 00000000 00000000 00000000"),
      },
      seg(6002, "S"),
    ),
    // A bare ACK (54 bytes) padded to 60 on the wire: 6 bytes of padding beyond total length.
    F.ipv4({ src: "10.40.0.1", dst: "10.40.0.2", proto: IPPROTO_TCP, id: 3 }, seg(6003, "A")),
    // TTL 1, DF, TOS 0xb8 (EF).
    F.ipv4(
      {
        src: "10.40.0.1",
        dst: "10.40.0.2",
        proto: IPPROTO_UDP,
        id: 4,
        ttl: 1,
        df: true,
        tos: 0xb8,
      },
      F.udp({ sport: 6004, dport: 33434 }, EMPTY),
    ),
  ].map((p) => w(p, true));
  writePcap("ipv4-misc.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("ipv4-misc.pcap", "IPv4 options and Ethernet padding", [
    "1: IHL 6 (router alert option), TCP SYN 10.40.0.1:6001 -> 10.40.0.2:80",
    "2: IHL 9 (record route), TCP SYN 6002 -> 80",
    "3: TCP ACK 6003 -> 80, 54 bytes padded to 60: ipPayloadLen 20, l4PayloadLen 0",
    "4: UDP 6004 -> 33434, TTL 1, DF, TOS 0xb8, no data, padded to 60: ipPayloadLen 8",
    "4 packets, all decode OK",
  ]);
}

function tcpStatesFixture(): Packet[] {
  const c = new Clock();
  const out: Packet[] = [];
  const client = "192.168.50.10";
  let n = 0;
  const conv = (port: number, server: string, sport = 50000 + n++): TcpConversation =>
    new TcpConversation(
      etherWrap(),
      { ip: client, port: sport },
      { ip: server, port },
      0x10000000 * n,
      0x80000000 + 0x1000000 * n,
    );
  const push = (frames: Uint8Array[], gapUs = 1000): void => {
    for (const f of frames) out.push({ frame: f, t: c.step(gapUs) });
    c.step(100_000);
  };
  const request = bytesOf("GET / HTTP/1.1\r\nHost: example.test\r\n\r\n");
  const response = bytesOf(
    "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\n",
  );

  // SF: handshake, request, response, FIN from each side.
  const sf = conv(80, "192.168.50.20");
  push([
    ...sf.handshake(),
    sf.send(true, "PA", request),
    sf.send(false, "A"),
    sf.send(false, "PA", response),
    sf.send(true, "A"),
    sf.send(true, "FA"),
    sf.send(false, "FA"),
    sf.send(true, "A"),
  ]);
  // S0: a SYN and its retransmission, never answered.
  const s0 = conv(81, "192.168.50.21");
  const syn1 = s0.send(true, "S");
  s0.aSeq = (s0.aSeq - 1) >>> 0;
  push([syn1, s0.send(true, "S")], 1_000_000);
  // REJ: SYN answered by RST-ACK.
  const rej = conv(82, "192.168.50.20");
  const rejSyn = rej.send(true, "S");
  rej.bSeq = 0;
  push([rejSyn, rej.send(false, "RA")]);
  // S1: established, data, never closed.
  const s1 = conv(22, "192.168.50.22");
  push([
    ...s1.handshake(),
    s1.send(false, "PA", bytesOf("SSH-2.0-OpenSSH_9.6\r\n")),
    s1.send(true, "A"),
  ]);
  // RSTO: established, then the originator aborts.
  const rsto = conv(80, "192.168.50.20");
  push([
    ...rsto.handshake(),
    rsto.send(true, "PA", request),
    rsto.send(false, "A"),
    rsto.send(true, "R"),
  ]);
  // RSTR: established, then the responder aborts.
  const rstr = conv(80, "192.168.50.20");
  push([...rstr.handshake(), rstr.send(true, "PA", request), rstr.send(false, "RA")]);
  // SH: SYN then FIN from the originator, no SYN-ACK.
  const sh = conv(83, "192.168.50.23");
  push([sh.send(true, "S"), sh.send(true, "F")]);
  // OTH: midstream packets of a connection whose SYN was not seen.
  const oth = conv(8080, "192.168.50.24");
  push([
    oth.send(true, "PA", bytesOf("midstream request")),
    oth.send(false, "A"),
    oth.send(false, "PA", bytesOf("midstream reply")),
  ]);
  writePcap("tcp-states.pcap", LINKTYPE_ETHERNET, out);
  doc("tcp-states.pcap", "TCP conversations with distinct Zeek conn_state outcomes (Ethernet)", [
    "client 192.168.50.10, source ports 50000..50007 in this order; 8 TCP conversations, 35 packets",
    "50000 -> 192.168.50.20:80 SF (10 packets: handshake, request 38 B, response 77 B, FIN/FIN)",
    "50001 -> 192.168.50.21:81 S0 (2 SYNs, the second a retransmission 1 s later)",
    "50002 -> 192.168.50.20:82 REJ (SYN, RST-ACK)",
    "50003 -> 192.168.50.22:22 S1 (handshake, 21 B from the responder, ACK)",
    "50004 -> 192.168.50.20:80 RSTO (handshake, request, ACK, RST from the originator)",
    "50005 -> 192.168.50.20:80 RSTR (handshake, request, RST-ACK from the responder)",
    "50006 -> 192.168.50.23:83 SH (SYN, FIN; no SYN-ACK)",
    "50007 -> 192.168.50.24:8080 OTH (3 midstream packets, no SYN)",
    "all decode OK",
  ]);
  return out;
}

function protocolsFixture(): void {
  const c = new Clock();
  const w = etherWrap();
  const A = "192.168.60.10";
  const B = "192.168.60.20";
  const DNS = "192.168.60.53";
  const udpPkt = (src: string, dst: string, sport: number, dport: number, data: Uint8Array) =>
    F.ipv4({ src, dst, proto: IPPROTO_UDP, id: sport }, F.udp({ sport, dport }, data));
  const echo = (from: string, to: string, reply: boolean, id: number, seq: number): Uint8Array =>
    F.ipv4(
      { src: from, dst: to, proto: IPPROTO_ICMP, id: seq },
      F.icmpEcho({ reply, id, seq }, filler(32, id + seq)),
    );
  const inner = F.ipv4(
    { src: "172.16.0.1", dst: "172.16.0.2", proto: IPPROTO_UDP, id: 1 },
    F.udp({ sport: 40001, dport: 40002 }, bytesOf("inside gre")),
  );
  const unreachableOf = udpPkt(A, B, 51000, 33434, EMPTY);
  const frames: Uint8Array[] = [
    // 1-2: UDP request/response.
    w(udpPkt(A, B, 51000, 9999, bytesOf("request")), true),
    w(udpPkt(B, A, 9999, 51000, bytesOf("response!")), false),
    // 3-6: DNS A query and answer, AAAA query and NXDOMAIN.
    w(udpPkt(A, DNS, 51001, 53, F.dns({ id: 0x1111, qname: "www.example.com" })), true),
    w(
      udpPkt(
        DNS,
        A,
        53,
        51001,
        F.dns({
          id: 0x1111,
          response: true,
          qname: "www.example.com",
          answers: ["93.184.216.34", "93.184.216.35"],
        }),
      ),
      false,
    ),
    w(udpPkt(A, DNS, 51002, 53, F.dns({ id: 0x2222, qname: "nothing.example", qtype: 28 })), true),
    w(
      udpPkt(
        DNS,
        A,
        53,
        51002,
        F.dns({ id: 0x2222, response: true, qname: "nothing.example", qtype: 28, rcode: 3 }),
      ),
      false,
    ),
    // 7-12: ICMP echo with identifiers 0x1234 (seq 1, 2) and 0x5678 (seq 1).
    w(echo(A, B, false, 0x1234, 1), true),
    w(echo(B, A, true, 0x1234, 1), false),
    w(echo(A, B, false, 0x1234, 2), true),
    w(echo(B, A, true, 0x1234, 2), false),
    w(echo(A, B, false, 0x5678, 1), true),
    w(echo(B, A, true, 0x5678, 1), false),
    // 13: ICMP port unreachable quoting a UDP datagram.
    w(
      F.ipv4({ src: B, dst: A, proto: IPPROTO_ICMP, id: 99 }, F.icmpUnreachable(3, unreachableOf)),
      false,
    ),
    // 14-15: ICMPv6 echo request and reply.
    w(
      F.ipv6(
        { src: "2001:db8:60::10", dst: "2001:db8:60::20", nextHeader: IPPROTO_ICMPV6 },
        F.icmpv6Echo({ id: 0x0601, seq: 1 }, filler(16, 3)),
      ),
      true,
    ),
    w(
      F.ipv6(
        { src: "2001:db8:60::20", dst: "2001:db8:60::10", nextHeader: IPPROTO_ICMPV6 },
        F.icmpv6Echo({ reply: true, id: 0x0601, seq: 1 }, filler(16, 3)),
      ),
      false,
    ),
    // 16-17: ARP request and reply.
    padEthernet(
      F.ethernet(BROADCAST, MAC_A, ETHERTYPE_ARP, F.arp({ op: 1, sha: MAC_A, spa: A, tpa: B })),
    ),
    padEthernet(
      F.ethernet(
        MAC_A,
        MAC_B,
        ETHERTYPE_ARP,
        F.arp({ op: 2, sha: MAC_B, spa: B, tha: MAC_A, tpa: A }),
      ),
    ),
    // 18: GRE carrying IPv4 UDP; 19-20: ESP; 21: an unassigned protocol (253, experimental).
    w(F.ipv4({ src: A, dst: B, proto: IPPROTO_GRE, id: 500 }, F.gre(ETHERTYPE_IPV4, inner)), true),
    w(
      F.ipv4({ src: A, dst: B, proto: IPPROTO_ESP, id: 501 }, F.esp(0x1000, 1, filler(64, 4))),
      true,
    ),
    w(
      F.ipv4({ src: B, dst: A, proto: IPPROTO_ESP, id: 502 }, F.esp(0x2000, 1, filler(64, 5))),
      false,
    ),
    w(F.ipv4({ src: A, dst: B, proto: 253, id: 503 }, filler(20, 6)), true),
  ];
  writePcap("protocols.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("protocols.pcap", "UDP, DNS, ICMP, ICMPv6, ARP, GRE, ESP and an experimental protocol", [
    "1-2: UDP 192.168.60.10:51000 <-> 192.168.60.20:9999 (7 and 9 bytes)",
    "3-6: DNS 51001 -> 192.168.60.53:53 A www.example.com (2 answers); 51002 AAAA nothing.example -> NXDOMAIN",
    "7-12: ICMP echo request/reply id 0x1234 seq 1 and 2, id 0x5678 seq 1 (icmpId set, 32 data bytes)",
    "13: ICMP type 3 code 3 (port unreachable), icmpId -1",
    "14-15: ICMPv6 echo request/reply 2001:db8:60::10 <-> ::20, id 0x0601",
    "16-17: ARP request/reply 192.168.60.10 / 192.168.60.20",
    "18: GRE (proto 47) carrying IPv4 UDP 172.16.0.1:40001 -> 172.16.0.2:40002 (the decoder sees proto 47, no ports)",
    "19-20: ESP (proto 50) SPI 0x1000 and 0x2000; 21: protocol 253 (20 bytes)",
    "21 packets, all decode OK",
  ]);
}

function pcapngFixture(): void {
  const w = new PcapngWriter(new FileSink(join(OUT, "multi-section.pcapng")));
  const basic = basicIpPackets();
  const eth = etherWrap();
  // Section 1: Ethernet in microseconds, raw IP in nanoseconds.
  w.section();
  const e0 = w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 6, name: "eth0" });
  const r1 = w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 9, name: "tun0" });
  w.packet(e0, eth(basic[0] ?? EMPTY, true), T0 + 1, 100_000_000);
  w.packet(r1, basic[2] ?? EMPTY, T0 + 1, 150_000_123);
  w.packet(e0, eth(basic[1] ?? EMPTY, false), T0 + 1, 200_000_000);
  w.packet(r1, basic[3] ?? EMPTY, T0 + 1, 250_000_456);
  // Section 2: interfaces restart at 0: Linux SLL2 in nanoseconds, Ethernet in microseconds.
  w.section();
  const s0 = w.addInterface({ linktype: LINKTYPE_LINUX_SLL2, tsresol: 9, name: "any" });
  const e1 = w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 6, name: "eth1" });
  w.packet(s0, F.sll2({ protocol: ETHERTYPE_IPV6, pktType: 4 }, basic[4] ?? EMPTY), T0 + 2, 1);
  w.packet(e1, eth(basic[2] ?? EMPTY, true), T0 + 2, 500_000_000);
  w.packet(
    s0,
    F.sll2({ protocol: ETHERTYPE_IPV4, pktType: 0 }, basic[1] ?? EMPTY),
    T0 + 2,
    999_999_999,
  );
  w.close();
  doc(
    "multi-section.pcapng",
    "pcapng: two sections, each with two interfaces of different link types",
    [
      "section 1: if 0 eth0 Ethernet tsresol 6 (µs), if 1 tun0 raw IP (101) tsresol 9 (ns)",
      "  packets: eth0 TCP SYN @T0+1.1; tun0 DNS query @T0+1.150000123; eth0 SYN-ACK @T0+1.2; tun0 IPv6 UDP @T0+1.250000456",
      "section 2: if 0 any Linux SLL2 (276) tsresol 9, if 1 eth1 Ethernet tsresol 6",
      "  packets: SLL2 ICMPv6 echo @T0+2.000000001; eth1 DNS query @T0+2.5; SLL2 TCP SYN-ACK @T0+2.999999999",
      "7 packets: 3 Ethernet, 2 raw IP, 2 SLL2; all decode OK (tshark flags the repeated DNS query and SYN-ACK as retransmissions)",
    ],
  );
}

function timestampFixtures(): void {
  const basic = basicIpPackets();
  const eth = etherWrap();
  const frames = basic.map((p, i) => eth(p, i !== 1));
  const nsTimes = [1, 123_456_789, 999_999_999, 0, 500_000_001];
  writePcap(
    "nanosecond.pcap",
    LINKTYPE_ETHERNET,
    frames.map((frame, i) => ({ frame, t: i * 1e9 + (nsTimes[i] ?? 0) })),
    { nanosecond: true },
  );
  doc("nanosecond.pcap", "pcap with nanosecond timestamps (magic 0xa1b23c4d), Ethernet", [
    ...BASIC_FACTS.slice(0, 3),
    "timestamps T0+0.000000001, T0+1.123456789, T0+2.999999999, T0+3.000000000, T0+4.500000001",
    "5 packets, all decode OK",
  ]);
  const c = new Clock();
  writePcap("big-endian.pcap", LINKTYPE_ETHERNET, timed(frames, c, 250), { bigEndian: true });
  doc("big-endian.pcap", "pcap written big-endian (magic a1 b2 c3 d4 in file order), µs", [
    ...BASIC_FACTS.slice(0, 3),
    "timestamps T0+0.00025 then every 250 µs; 5 packets, all decode OK",
  ]);
}

/** A port scan and a ping sweep from one host, for the alert rules (docs/alerts.md). */
function scanFixture(): void {
  const c = new Clock();
  const eth = etherWrap();
  const scanner = "10.9.0.66";
  const target = "10.9.0.10";
  const frames: Uint8Array[] = [];
  for (let port = 1; port <= 30; port++) {
    frames.push(
      eth(ip(scanner, target, 6, F.tcp({ sport: 61000, dport: port, seq: 7, flags: "S" })), true),
    );
    const open = port === 22;
    frames.push(
      eth(
        ip(
          target,
          scanner,
          6,
          F.tcp({ sport: port, dport: 61000, seq: 900, ack: 8, flags: open ? "SA" : "RA" }),
        ),
        false,
      ),
    );
    if (open) {
      frames.push(
        eth(ip(scanner, target, 6, F.tcp({ sport: 61000, dport: port, seq: 8, flags: "R" })), true),
      );
    }
  }
  for (let h = 100; h < 112; h++) {
    frames.push(eth(ip(scanner, `10.9.0.${h}`, 1, F.icmpEcho({ id: 0x6600 + h, seq: 1 })), true));
  }
  writePcap("scan.pcap", LINKTYPE_ETHERNET, timed(frames, c, 2000));
  doc("scan.pcap", "a TCP SYN port scan and an ICMP ping sweep from one host, Ethernet, µs", [
    "10.9.0.66:61000 -> 10.9.0.10 SYN to ports 1-30 (23 among them); RST-ACK back, except 22: SYN-ACK, then the scanner's RST",
    "then ICMP echo requests from 10.9.0.66 to 10.9.0.100-111 (12 hosts, ids 0x6664-0x666f), unanswered",
    "one packet every 2 ms from T0+0.002: 73 packets over 0.146 s; 42 flows; all decode OK",
  ]);
}

function snaplenFixture(): void {
  const c = new Clock();
  const eth = etherWrap();
  const frames = basicIpPackets().map((p, i) => eth(p, i !== 1));
  const packets = timed(frames, c).map((p) => ({
    frame: p.frame.subarray(0, Math.min(64, p.frame.length)),
    t: p.t,
    origlen: p.frame.length,
  }));
  writePcap("snaplen-64.pcap", LINKTYPE_ETHERNET, packets, { snaplen: 64 });
  doc(
    "snaplen-64.pcap",
    "the basic Ethernet set captured with snaplen 64 (caplen <= 64 < origlen)",
    [
      "1-2: TCP SYN/SYN-ACK (66 bytes): options cut, fixed TCP header whole: OK with ports, tcpHeaderLen 32",
      "3: DNS query over UDP: UDP header whole: OK; 4: IPv6 UDP (77 bytes): UDP header whole (ends at 62): OK",
      "5: IPv6 ICMPv6 echo (67 bytes): header whole: OK",
      "origlen kept (66, 66, 75, 77, 67); 5 packets, all decode OK",
    ],
  );
}

function decodeErrorsFixture(): void {
  const c = new Clock();
  const eth = (type: number, payload: Uint8Array): Uint8Array =>
    F.ethernet(MAC_B, MAC_A, type, payload);
  const good = F.ipv4(
    { src: "10.50.0.1", dst: "10.50.0.2", proto: IPPROTO_TCP, id: 1 },
    F.tcp({ sport: 1, dport: 2, flags: "S" }),
  );
  const frames = [
    // 1: Ethernet header cut to 10 bytes.
    F.hex("02000000000b02000000"),
    // 2: IPv4 total length 10 < header 20: BAD_IPV4_LENGTH.
    eth(
      ETHERTYPE_IPV4,
      F.ipv4(
        { src: "10.50.0.1", dst: "10.50.0.2", proto: IPPROTO_UDP, totalLength: 10 },
        F.udp({ sport: 1, dport: 2 }),
      ),
    ),
    // 3: TCP data offset 4: BAD_TCP_HEADER.
    eth(
      ETHERTYPE_IPV4,
      F.ipv4(
        { src: "10.50.0.1", dst: "10.50.0.2", proto: IPPROTO_TCP, id: 3 },
        F.tcp({ sport: 3, dport: 4, flags: "S", dataOffset: 4 }),
      ),
    ),
    // 4: IPv4 cut inside its header (Ethernet + 12 bytes).
    eth(ETHERTYPE_IPV4, good.subarray(0, 12)),
    // 5: TCP cut inside its header (IP total length claims the whole segment).
    eth(ETHERTYPE_IPV4, good.subarray(0, 30)),
    // 6: version 5 in an IPv4 EtherType: BAD_IPV4_HEADER.
    eth(
      ETHERTYPE_IPV4,
      F.ipv4(
        { src: "10.50.0.1", dst: "10.50.0.2", proto: IPPROTO_UDP, version: 5 },
        F.udp({ sport: 1, dport: 2 }),
      ),
    ),
    // 7: a valid frame after the damage.
    eth(ETHERTYPE_IPV4, good),
  ];
  writePcap("decode-errors.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc(
    "decode-errors.pcap",
    "deliberately malformed frames (tshark shows them as malformed/bogus)",
    [
      "1: 10-byte frame: TRUNCATED_ETHERNET",
      "2: IPv4 total length 10: BAD_IPV4_LENGTH (addresses kept)",
      "3: TCP data offset 4: BAD_TCP_HEADER (ports 3 -> 4 kept)",
      "4: IPv4 header cut at 12 bytes: TRUNCATED_IPV4 (l3 NONE)",
      "5: TCP cut at 10 bytes: TRUNCATED_TCP with IPv4 addresses valid",
      "6: IPv4 version 5: BAD_IPV4_HEADER",
      "7: a valid TCP SYN 10.50.0.1:1 -> 10.50.0.2:2",
      "frames are not padded (as captured on the sending host)",
    ],
  );
}

// ---------------------------------------------------------------------------------------------
// mixed.pcap: a realistic blend for agreement tests against tshark
// ---------------------------------------------------------------------------------------------

/** An SSH binary packet (RFC 4253 section 6) with zero padding, unencrypted. */
function sshPacket(payload: Uint8Array): Uint8Array {
  let pad = 8 - ((5 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const len = 1 + payload.length + pad;
  return F.concat(
    new Uint8Array([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, pad]),
    payload,
    new Uint8Array(pad),
  );
}

/** SSH_MSG_KEXINIT (RFC 4253 section 7.1) with one algorithm per list. */
function sshKexinit(seed: number): Uint8Array {
  const lists = [
    "curve25519-sha256",
    "ssh-ed25519",
    "chacha20-poly1305@openssh.com",
    "chacha20-poly1305@openssh.com",
    "umac-64-etm@openssh.com",
    "umac-64-etm@openssh.com",
    "none",
    "none",
    "",
    "",
  ];
  const parts: Uint8Array[] = [new Uint8Array([20]), filler(16, seed)];
  for (const name of lists) {
    const b = bytesOf(name);
    parts.push(new Uint8Array([0, 0, b.length >>> 8, b.length & 0xff]), b);
  }
  parts.push(new Uint8Array([0, 0, 0, 0, 0]));
  return F.concat(...parts);
}

interface Host {
  ip: string;
  mac: string;
  vlan: number;
}

function mixedFixture(): void {
  const rnd = prng(20231114);
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[Math.floor(rnd() * xs.length)];
    if (x === undefined) throw new Error("empty choice");
    return x;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

  const clients: Host[] = [
    ...[11, 12, 13, 14].map((n) => ({ ip: `10.1.10.${n}`, mac: `02:00:00:0a:00:${n}`, vlan: 10 })),
    ...[21, 22, 23].map((n) => ({ ip: `10.1.20.${n}`, mac: `02:00:00:14:00:${n}`, vlan: 20 })),
    ...[31, 32].map((n) => ({ ip: `10.1.0.${n}`, mac: `02:00:00:00:00:${n}`, vlan: 0 })),
  ];
  const v6clients: Host[] = [
    { ip: "2001:db8:1::11", mac: "02:00:00:0a:00:11", vlan: 10 },
    { ip: "2001:db8:1::31", mac: "02:00:00:00:00:31", vlan: 0 },
  ];
  const gwMac = MAC_GW;
  const services = [
    { port: 22, server: "10.1.0.22" },
    { port: 80, server: "93.184.216.34" },
    { port: 443, server: "142.250.74.46" },
    { port: 443, server: "151.101.1.69" },
    { port: 3389, server: "10.1.0.33" },
  ];
  const dnsServer = "10.1.0.53";

  const events: { t: number; seq: number; frame: Uint8Array }[] = [];
  let seq = 0;
  const emit = (t: number, frame: Uint8Array): void => {
    events.push({ t, seq: seq++, frame });
  };
  const wrapFor = (h: Host): LinkWrap => {
    const tags = h.vlan === 0 ? [] : [{ id: h.vlan }];
    return etherWrap(h.mac, gwMac, tags);
  };

  const payloadFor = (port: number, fromClient: boolean, i: number, n: number): Uint8Array => {
    switch (port) {
      case 80:
        return fromClient
          ? bytesOf(
              `GET /item/${i} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: netnet-fixture\r\n\r\n`,
            )
          : F.concat(
              bytesOf(
                `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${n}\r\n\r\n`,
              ),
              filler(n, i),
            );
      case 22:
        // After KEXINIT and NEWKEYS, SSH packets are opaque: length, then encrypted bytes.
        return F.concat(F.hex(`0000${(n - 4).toString(16).padStart(4, "0")}`), filler(n - 4, i));
      case 3389:
        // TPKT (version 3, length) + X.224 data TPDU header, then opaque bytes.
        return F.concat(F.hex(`0300${(n + 7).toString(16).padStart(4, "0")} 02f080`), filler(n, i));
      default:
        // TLS 1.2 application data record.
        return F.concat(F.hex(`170303${n.toString(16).padStart(4, "0")}`), filler(n, i));
    }
  };

  // TCP conversations.
  let convIndex = 0;
  const tcpConversation = (
    client: Host,
    server: string,
    port: number,
    start: number,
    kind: string,
  ): void => {
    convIndex++;
    const conv = new TcpConversation(
      wrapFor(client),
      { ip: client.ip, port: 49152 + convIndex * 7 },
      { ip: server, port },
      Math.floor(rnd() * 0xffffffff),
      Math.floor(rnd() * 0xffffffff),
    );
    let t = start;
    const rtt = int(200, 30000) * 1000; // ns
    const send = (fromA: boolean, flags: string, data?: Uint8Array): void => {
      t += fromA ? int(20, 400) * 1000 : rtt;
      emit(t, conv.send(fromA, flags, data));
    };
    if (kind === "S0") {
      send(true, "S");
      conv.aSeq = (conv.aSeq - 1) >>> 0;
      t += 1e9;
      send(true, "S");
      return;
    }
    if (kind === "REJ") {
      send(true, "S");
      conv.bSeq = 0;
      send(false, "RA");
      return;
    }
    send(true, "S");
    send(false, "SA");
    send(true, "A");
    if (port === 22) {
      send(true, "PA", bytesOf("SSH-2.0-OpenSSH_9.6\r\n"));
      send(false, "PA", bytesOf("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"));
      send(true, "PA", sshPacket(sshKexinit(convIndex)));
      send(false, "PA", sshPacket(sshKexinit(convIndex + 1000)));
      send(true, "PA", sshPacket(new Uint8Array([21])));
      send(false, "PA", sshPacket(new Uint8Array([21])));
    } else if (port === 3389) {
      // X.224 Connection Request and Confirm with RDP negotiation (TLS requested, chosen).
      send(true, "PA", F.hex("03000013 0ee000000000 00 01 00 08 00 03 00 00 00"));
      send(false, "PA", F.hex("03000013 0ed000001234 00 02 1f 08 00 01 00 00 00"));
    }
    const rounds = int(1, 4);
    for (let i = 0; i < rounds; i++) {
      send(true, "PA", payloadFor(port, true, i, int(40, 200)));
      const n = int(100, 1400);
      send(false, "PA", payloadFor(port, false, i, n));
      send(true, "A");
    }
    if (kind === "S1") return;
    send(true, "FA");
    send(false, "FA");
    send(true, "A");
  };

  const kinds = ["SF", "SF", "SF", "SF", "SF", "SF", "S1", "S0", "REJ"];
  const tally = new Map<string, number>();
  for (let i = 0; i < 34; i++) {
    const svc = pick(services);
    const kind = pick(kinds);
    tally.set(kind, (tally.get(kind) ?? 0) + 1);
    tcpConversation(pick(clients), svc.server, svc.port, int(0, 55_000) * 1e6, kind);
  }
  tally.set("SF", (tally.get("SF") ?? 0) + 4);
  for (let i = 0; i < 4; i++) {
    tcpConversation(pick(v6clients), "2001:db8:ffff::443", 443, int(0, 55_000) * 1e6, "SF");
  }

  // DNS lookups.
  const names = ["www.example.com", "mail.example.org", "api.example.net", "cdn.example.com"];
  for (let i = 0; i < 16; i++) {
    const client = pick(clients);
    const w = wrapFor(client);
    const t = int(0, 58_000) * 1e6;
    const id = int(1, 0xffff);
    const qname = pick(names);
    const sport = 30000 + i;
    const q = F.ipv4(
      { src: client.ip, dst: dnsServer, proto: IPPROTO_UDP, id: i + 1 },
      F.udp({ sport, dport: 53 }, F.dns({ id, qname })),
    );
    const r = F.ipv4(
      { src: dnsServer, dst: client.ip, proto: IPPROTO_UDP, id: i + 1000 },
      F.udp(
        { sport: 53, dport: sport },
        F.dns({ id, qname, response: true, answers: [`93.184.216.${int(1, 250)}`] }),
      ),
    );
    emit(t, w(q, true));
    emit(t + int(300, 5000) * 1000, w(r, false));
  }

  // Pings from two hosts with distinct identifiers.
  for (const [k, client] of [clients[0], clients[4]].entries()) {
    if (client === undefined) continue;
    const w = wrapFor(client);
    for (let s = 1; s <= 4; s++) {
      const t = (10_000 + k * 5000 + s * 1000) * 1e6;
      const id = 0x100 + k;
      emit(
        t,
        w(ip(client.ip, "8.8.8.8", IPPROTO_ICMP, F.icmpEcho({ id, seq: s }, filler(56, s))), true),
      );
      emit(
        t + 12e6,
        w(
          ip(
            "8.8.8.8",
            client.ip,
            IPPROTO_ICMP,
            F.icmpEcho({ reply: true, id, seq: s }, filler(56, s)),
          ),
          false,
        ),
      );
    }
  }

  // ARP for the gateway on each VLAN.
  for (const [k, client] of [clients[1], clients[5], clients[7]].entries()) {
    if (client === undefined) continue;
    const tags = client.vlan === 0 ? [] : [{ id: client.vlan }];
    const gwIp = client.ip.replace(/\.\d+$/, ".1");
    const t = (1000 + k * 20_000) * 1e6;
    emit(
      t,
      padEthernet(
        F.ethernetTagged(
          BROADCAST,
          client.mac,
          tags,
          ETHERTYPE_ARP,
          F.arp({ op: 1, sha: client.mac, spa: client.ip, tpa: gwIp }),
        ),
      ),
    );
    emit(
      t + 400_000,
      padEthernet(
        F.ethernetTagged(
          client.mac,
          gwMac,
          tags,
          ETHERTYPE_ARP,
          F.arp({ op: 2, sha: gwMac, spa: gwIp, tha: client.mac, tpa: client.ip }),
        ),
      ),
    );
  }

  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const packets = events.map((e) => ({ frame: e.frame, t: e.t }));
  writePcap("mixed.pcap", LINKTYPE_ETHERNET, packets);
  mixedCount = packets.length;
  doc("mixed.pcap", "a realistic blend over ~60 s (seeded PRNG 20231114), Ethernet, µs", [
    `${packets.length} packets; hosts 10.1.10.11-14 (VLAN 10), 10.1.20.21-23 (VLAN 20), 10.1.0.31-32 (untagged), 2001:db8:1::11/::31`,
    "38 TCP conversations to ports 22, 80, 443, 3389, 4 of them IPv6 to [2001:db8:ffff::443]:443",
    `conn_states: ${["SF", "S1", "S0", "REJ"].map((k) => `${k} ${tally.get(k) ?? 0}`).join(", ")}`,
    "16 DNS query/response pairs to 10.1.0.53:53; ICMP echo to 8.8.8.8 with ids 0x100 and 0x101 (4 each)",
    "3 ARP request/reply pairs for the gateway; every frame decodes OK",
    "use tshark (conv,tcp / conv,udp / io,phs) as the reference for counts and bytes",
  ]);
}

let mixedCount = 0;

function damagedFixtures(tcpStates: readonly Packet[]): void {
  // Truncated: the first 5 records of tcp-states, the file cut in the middle of the 5th's bytes.
  const whole = pcapBytes(LINKTYPE_ETHERNET, tcpStates.slice(0, 5));
  const lastLen = tcpStates[4]?.frame.length ?? 0;
  const cut = whole.subarray(0, whole.length - Math.floor(lastLen / 2));
  writeFileSync(join(OUT, "truncated.pcap"), cut);
  doc(
    "truncated.pcap",
    "tcp-states.pcap's first 5 records, the file cut in the middle of the 5th",
    [
      `4 whole records, then a record header announcing ${lastLen} bytes of which ${lastLen - Math.floor(lastLen / 2)} are present`,
      "a reader delivers 4 packets and reports the truncation",
    ],
  );

  // Corrupt record header: 3 good records, one whose caplen is absurd, then 2 more.
  const good = pcapBytes(LINKTYPE_ETHERNET, tcpStates.slice(0, 3));
  const after = pcapBytes(LINKTYPE_ETHERNET, tcpStates.slice(3, 5)).subarray(24);
  const bad = new Uint8Array(16 + 8);
  const dv = new DataView(bad.buffer);
  dv.setUint32(0, T0 + 5, true);
  dv.setUint32(4, 0, true);
  dv.setUint32(8, 0x7fffff00, true); // caplen far beyond the snaplen (262144)
  dv.setUint32(12, 60, true);
  writeFileSync(join(OUT, "corrupt-header.pcap"), F.concat(good, bad, after));
  doc(
    "corrupt-header.pcap",
    "3 good records, then a record header with caplen 0x7fffff00, then 2 good records",
    [`a reader delivers 3 packets and reports damage at byte offset ${good.length}`],
  );
}

function gzipFixture(): void {
  const src = readFileSync(join(OUT, "tcp-states.pcap"));
  const gz = gzipSync(src, { level: 9, memLevel: 8, strategy: constants.Z_DEFAULT_STRATEGY });
  writeFileSync(join(OUT, "tcp-states.pcap.gz"), gz);
  doc("tcp-states.pcap.gz", "gzip copy of tcp-states.pcap (zlib level 9, mtime 0)", [
    "decompresses to the exact bytes of tcp-states.pcap; same facts",
  ]);
}

// ---------------------------------------------------------------------------------------------
// What real networks carry: SCTP, offloaded lengths, Zeek's TCP states, asymmetric VLANs,
// link-layer encapsulations and tunnels
// ---------------------------------------------------------------------------------------------

function sctpFixture(): void {
  const c = new Clock();
  const wrap = etherWrap();
  const a = "10.30.0.1";
  const b = "10.30.0.2";
  const pkt = (fromA: boolean, vtag: number, chunks: Uint8Array) =>
    wrap(
      ip(
        fromA ? a : b,
        fromA ? b : a,
        IPPROTO_SCTP,
        F.sctp(fromA ? 5000 : 3868, fromA ? 3868 : 5000, chunks, vtag),
      ),
      fromA,
    );
  const init = F.concat(F.hex("0000aaaa 0001a000 00100010 00000001"));
  const frames = [
    pkt(true, 0, F.sctpChunk(1, init)), // INIT
    pkt(
      false,
      0xaaaa,
      F.sctpChunk(
        2,
        F.concat(F.hex("0000bbbb 0001a000 00100010 00000001"), F.sctpChunk(7, filler(32, 3))),
      ),
    ), // INIT ACK with a cookie
    pkt(true, 0xbbbb, F.sctpChunk(10, filler(32, 3))), // COOKIE ECHO
    pkt(false, 0xaaaa, F.sctpChunk(11, EMPTY)), // COOKIE ACK
    pkt(
      true,
      0xbbbb,
      F.sctpChunk(
        0,
        F.concat(F.hex("00000001 0000 0000 00000000"), bytesOf("diameter request")),
        0x03,
      ),
    ), // DATA
    pkt(false, 0xaaaa, F.sctpChunk(3, F.hex("00000001 0001a000 0000 0000"))), // SACK
    pkt(
      false,
      0xaaaa,
      F.sctpChunk(
        0,
        F.concat(F.hex("00000001 0000 0000 00000000"), bytesOf("diameter answer!")),
        0x03,
      ),
    ),
    pkt(true, 0xbbbb, F.sctpChunk(3, F.hex("00000001 0001a000 0000 0000"))),
    pkt(true, 0xbbbb, F.sctpChunk(7, F.hex("00000001"))), // SHUTDOWN
    pkt(false, 0xaaaa, F.sctpChunk(8, EMPTY)), // SHUTDOWN ACK
    pkt(true, 0xbbbb, F.sctpChunk(14, EMPTY)), // SHUTDOWN COMPLETE
  ];
  writePcap("sctp.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("sctp.pcap", "one SCTP association, from INIT to SHUTDOWN COMPLETE", [
    "10.30.0.1:5000 <-> 10.30.0.2:3868: 11 packets, 6 from the initiator and 5 back",
    "one flow (protocol 132); checksums are zero (tshark does not check SCTP's by default)",
  ]);
}

function tsoFixture(): void {
  const c = new Clock();
  const wrap = etherWrap();
  // IPv4 with a total length of 0, as a host with segmentation offload captures what it sends.
  const tso =
    (inner: LinkWrap): LinkWrap =>
    (p, fromA) => {
      if (!fromA || (p[0] ?? 0) >> 4 !== 4 || p.length <= 600) return inner(p, fromA);
      const q = p.slice();
      q[2] = 0;
      q[3] = 0;
      q[10] = 0;
      q[11] = 0;
      const sum = F.internetChecksum(q.subarray(0, 20));
      q[10] = sum >> 8;
      q[11] = sum & 0xff;
      return inner(q, fromA);
    };
  const whole = new TcpConversation(
    tso(wrap),
    { ip: "10.31.0.1", port: 43000 },
    { ip: "10.31.0.2", port: 80 },
    5000,
    9000,
  );
  // A second connection captured midstream: its first packet is an offloaded segment.
  const midstream = new TcpConversation(
    tso(wrap),
    { ip: "10.31.0.1", port: 43001 },
    { ip: "10.31.0.2", port: 80 },
    1,
    2,
  );
  const frames = [
    ...whole.handshake(),
    whole.send(true, "PA", filler(2896, 11)),
    whole.send(false, "A"),
    whole.send(true, "PA", filler(4344, 12)),
    whole.send(false, "A"),
    whole.send(true, "FA"),
    whole.send(false, "FA"),
    whole.send(true, "A"),
    midstream.send(true, "PA", filler(1448 * 3, 13)),
    midstream.send(false, "A"),
  ];
  writePcap("tso.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("tso.pcap", "IPv4 total length 0 from segmentation offload on the capturing host", [
    "10.31.0.1:43000 -> 10.31.0.2:80: a whole connection whose two big data segments (2896 and 4344 bytes) have total length 0",
    "10.31.0.1:43001 -> :80 seen midstream: its first packet (4344 bytes) has total length 0, so it must still be the initiator",
    "3 packets count as ipv4_total_length_zero; every packet joins its flow",
  ]);
}

function zeekStatesFixture(): void {
  const c = new Clock();
  const wrap = etherWrap();
  const conv = (port: number) =>
    new TcpConversation(wrap, { ip: "10.32.0.1", port }, { ip: "10.32.0.2", port: 443 }, 100, 700);
  const finFinRst = conv(44000);
  const synAckFirst = conv(44001);
  const loneSynAck = conv(44002);
  const frames = [
    ...finFinRst.handshake(),
    finFinRst.send(true, "PA", bytesOf("hello")),
    finFinRst.send(false, "PA", bytesOf("world")),
    finFinRst.send(true, "FA"),
    finFinRst.send(false, "FA"),
    finFinRst.send(true, "R"),
    synAckFirst.send(false, "SA"),
    synAckFirst.send(true, "A"),
    synAckFirst.send(true, "PA", bytesOf("GET / HTTP/1.1\r\n\r\n")),
    synAckFirst.send(false, "PA", bytesOf("HTTP/1.1 200 OK\r\n\r\n")),
    loneSynAck.send(false, "SA"),
  ];
  writePcap("tcp-zeek.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("tcp-zeek.pcap", "TCP endings where Zeek's conn_state needs care", [
    "10.32.0.1:44000 -> 10.32.0.2:443: handshake, data both ways, FIN, FIN, then an RST: SF (Zeek keeps a closed connection closed)",
    "10.32.0.1:44001: the SYN was missed; SYN-ACK first, then data both ways: S1 (Zeek's history ^hADd)",
    "10.32.0.1:44002: a SYN-ACK alone: OTH",
  ]);
}

function asymmetricVlanFixture(): void {
  const c = new Clock();
  // A router on a stick: the client's frames arrive tagged 81, the server's replies 80.
  const wrap: LinkWrap = (p, fromA) =>
    padEthernet(
      F.ethernetTagged(
        fromA ? MAC_GW : MAC_A,
        fromA ? MAC_A : MAC_GW,
        [{ id: fromA ? 81 : 80 }],
        etherTypeOf(p),
        p,
      ),
    );
  const conv = new TcpConversation(
    wrap,
    { ip: "10.33.0.1", port: 45000 },
    { ip: "10.33.1.2", port: 80 },
    10,
    20,
  );
  const frames = [
    ...conv.handshake(),
    conv.send(true, "PA", bytesOf("GET / HTTP/1.0\r\n\r\n")),
    conv.send(false, "PA", bytesOf("HTTP/1.0 204 No Content\r\n\r\n")),
    conv.send(false, "FA"),
    conv.send(true, "FA"),
    conv.send(false, "A"),
  ];
  writePcap("vlan-asymmetric.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("vlan-asymmetric.pcap", "one TCP connection tagged VLAN 81 one way and VLAN 80 the other", [
    "10.33.0.1:45000 -> 10.33.1.2:80, 8 packets, a normal handshake and close",
    "VLANs in the key (the default): two one-sided flows, S0-like (SH) and SHR; tracking.vlan_in_key false: one flow, SF, VLAN 81",
  ]);
}

/** Ethernet wrappers for the link-layer encapsulations of encapsulations.pcap. */
function linkEncapFixture(): void {
  const c = new Clock();
  const eth = (type: number, payload: Uint8Array, fromA: boolean) =>
    padEthernet(F.ethernet(fromA ? MAC_B : MAC_A, fromA ? MAC_A : MAC_B, type, payload));
  const conv = (wrap: LinkWrap, a: string, b: string, port: number) =>
    new TcpConversation(wrap, { ip: a, port }, { ip: b, port: 443 }, 1000, 2000);
  const udp = (wrap: LinkWrap, a: string, b: string, port: number): Uint8Array[] => [
    wrap(ip(a, b, IPPROTO_UDP, F.udp({ sport: port, dport: 9 }, bytesOf("query"))), true),
    wrap(ip(b, a, IPPROTO_UDP, F.udp({ sport: 9, dport: port }, bytesOf("answer"))), false),
  ];
  const mpls1: LinkWrap = (p, fromA) =>
    eth(ETHERTYPE_MPLS_UNICAST, F.mpls([1000 + (fromA ? 0 : 1)], p), fromA);
  const mpls2: LinkWrap = (p, fromA) =>
    padEthernet(
      F.ethernetTagged(
        fromA ? MAC_B : MAC_A,
        fromA ? MAC_A : MAC_B,
        [{ id: 100 }],
        ETHERTYPE_MPLS_UNICAST,
        F.mpls([16, 2000], p),
      ),
    );
  const pppoe: LinkWrap = (p, fromA) =>
    eth(
      ETHERTYPE_PPPOE_SESSION,
      F.pppoe(0x0101, (p[0] ?? 0) >> 4 === 6 ? PPP_IPV6 : PPP_IPV4, p),
      fromA,
    );
  const pppoeQinq: LinkWrap = (p, fromA) =>
    padEthernet(
      F.ethernetTagged(
        fromA ? MAC_B : MAC_A,
        fromA ? MAC_A : MAC_B,
        [{ id: 10, tpid: ETHERTYPE_QINQ }, { id: 20 }],
        ETHERTYPE_PPPOE_SESSION,
        F.pppoe(0x0202, PPP_IPV6, p),
      ),
    );
  const pbb: LinkWrap = (p, fromA) =>
    padEthernet(
      F.ethernetTagged(
        "02:00:00:00:01:0b",
        "02:00:00:00:01:0a",
        [{ id: 500, tpid: ETHERTYPE_QINQ }],
        ETHERTYPE_PBB,
        F.pbb(0x012345, fromA ? MAC_B : MAC_A, fromA ? MAC_A : MAC_B, etherTypeOf(p), p),
      ),
    );
  // FabricPath frames end in the FabricPath FCS (4 bytes), which tshark takes off; net-net
  // never reads past the IP length, so the trailer costs it nothing.
  const fabric: LinkWrap = (p, fromA) =>
    eth(
      ETHERTYPE_FABRICPATH,
      F.concat(
        F.fabricPath(fromA ? MAC_B : MAC_A, fromA ? MAC_A : MAC_B, etherTypeOf(p), p),
        F.hex("0badf00d"),
      ),
      fromA,
    );
  const vntag: LinkWrap = (p, fromA) => eth(ETHERTYPE_VNTAG, F.vnTag(etherTypeOf(p), p), fromA);
  const frames = [
    ...conv(mpls1, "10.34.0.1", "10.34.0.2", 46000).handshake(),
    ...udp(mpls2, "2001:db8:34::1", "2001:db8:34::2", 46001),
    ...conv(pppoe, "10.34.1.1", "10.34.1.2", 46002).handshake(),
    ...udp(pppoeQinq, "2001:db8:34:1::1", "2001:db8:34:1::2", 46003),
    ...udp(pbb, "10.34.2.1", "10.34.2.2", 46004),
    ...udp(fabric, "10.34.3.1", "10.34.3.2", 46005),
    ...udp(vntag, "10.34.4.1", "10.34.4.2", 46006),
  ];
  writePcap("encapsulations.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc("encapsulations.pcap", "link-layer encapsulations over Ethernet", [
    "1-3: MPLS, one label: TCP handshake 10.34.0.1:46000 -> 10.34.0.2:443",
    "4-5: VLAN 100, MPLS two labels: IPv6 UDP 46001 <-> 9",
    "6-8: PPPoE session 0x0101: TCP handshake 10.34.1.1:46002 -> 10.34.1.2:443",
    "9-10: QinQ 10/20, PPPoE session 0x0202: IPv6 UDP 46003 <-> 9",
    "11-12: 802.1ad B-tag 500, 802.1ah I-SID 0x012345: UDP 10.34.2.1:46004 <-> 9",
    "13-14: FabricPath: UDP 10.34.3.1:46005 <-> 9; 15-16: VN-Tag: UDP 10.34.4.1:46006 <-> 9",
    "16 packets, all decode OK",
  ]);
}

function pppFixture(): void {
  const w = new PcapngWriter(new FileSink(join(OUT, "ppp.pcapng")));
  w.section();
  const hdlc = w.addInterface({ linktype: LINKTYPE_PPP, name: "ppp0" });
  const bare = w.addInterface({ linktype: LINKTYPE_PPP_HDLC, name: "ppp1" });
  const ether = w.addInterface({ linktype: LINKTYPE_PPP_ETHER, name: "pppoe0" });
  const exchange = (a: string, b: string, port: number): [Uint8Array, Uint8Array] => [
    ip(a, b, IPPROTO_UDP, F.udp({ sport: port, dport: 123 }, filler(48, port))),
    ip(b, a, IPPROTO_UDP, F.udp({ sport: 123, dport: port }, filler(48, port + 1))),
  ];
  let t = 0;
  const put = (ifId: number, frame: Uint8Array) => {
    t += 1_000_000;
    w.packet(ifId, frame, T0 + 3, t);
  };
  for (const [i, p] of exchange("10.35.0.1", "10.35.0.2", 47000).entries())
    put(hdlc, F.ppp(PPP_IPV4, p, i === 0));
  for (const p of exchange("2001:db8:35::1", "2001:db8:35::2", 47001))
    put(bare, F.ppp(PPP_IPV6, p));
  for (const p of exchange("10.35.1.1", "10.35.1.2", 47002)) put(ether, F.pppoe(7, PPP_IPV4, p));
  w.close();
  doc("ppp.pcapng", "the PPP link types: PPP (9), PPP in HDLC framing (50), PPPoE (51)", [
    "ppp0 (9): UDP 10.35.0.1:47000 <-> :123, the first with HDLC address and control, the reply without",
    "ppp1 (50): IPv6 UDP 47001 <-> 123; pppoe0 (51): UDP 10.35.1.1:47002 <-> :123",
    "6 packets, all decode OK",
  ]);
}

function wifiFixture(): void {
  const w = new PcapngWriter(new FileSink(join(OUT, "wifi.pcapng")));
  w.section();
  const raw = w.addInterface({ linktype: LINKTYPE_IEEE802_11, name: "wlan0" });
  const rtap = w.addInterface({ linktype: LINKTYPE_IEEE802_11_RADIOTAP, name: "wlan0mon" });
  let t = 0;
  const put = (ifId: number, frame: Uint8Array) => {
    t += 1_000_000;
    w.packet(ifId, frame, T0 + 4, t);
  };
  const q = ip(
    "10.36.0.1",
    "10.36.0.2",
    IPPROTO_UDP,
    F.udp({ sport: 48000, dport: 9 }, bytesOf("wifi query")),
  );
  const r = ip(
    "10.36.0.2",
    "10.36.0.1",
    IPPROTO_UDP,
    F.udp({ sport: 9, dport: 48000 }, bytesOf("wifi answer")),
  );
  put(raw, F.ieee80211Data(ETHERTYPE_IPV4, q));
  put(raw, F.ieee80211Data(ETHERTYPE_IPV4, r, { toDs: false, fromDs: true }));
  put(rtap, F.radiotap(F.ieee80211Data(ETHERTYPE_IPV4, q, { qos: true })));
  put(
    rtap,
    F.radiotap(F.ieee80211Data(ETHERTYPE_IPV4, r, { qos: true, toDs: false, fromDs: true })),
  );
  // A beacon and an encrypted data frame: 802.11 that leads to no IP layer.
  put(
    rtap,
    F.radiotap(
      F.concat(
        F.hex("8000 0000 ffffffffffff 020000000001 020000000001 0000"),
        F.hex("0000000000000000 6400 0104 0000"),
      ),
    ),
  );
  put(rtap, F.radiotap(F.ieee80211Data(ETHERTYPE_IPV4, q, { protected: true })));
  w.close();
  doc("wifi.pcapng", "802.11 without (105) and with radiotap (127)", [
    "1-2 (105): data frames to and from the AP, LLC/SNAP, UDP 10.36.0.1:48000 <-> 10.36.0.2:9",
    "3-4 (127): the same as QoS data frames",
    "5: a beacon; 6: a protected (encrypted) data frame: no IP layer (OTHER)",
  ]);
}

/** Tunnel endpoints of tunnels.pcap: the A side's and the B side's. */
const TUN4 = ["192.0.2.1", "192.0.2.2"] as const;
const TUN6 = ["2001:db8:ffff::1", "2001:db8:ffff::2"] as const;

/** Wraps an IP packet into a tunnel and Ethernet; `outer` builds the outer IP payload. */
function tunnelWrap(
  proto: number,
  outer: (p: Uint8Array, fromA: boolean) => Uint8Array,
  v6 = false,
): LinkWrap {
  const [ta, tb] = v6 ? TUN6 : TUN4;
  return (p, fromA) =>
    etherWrap()(ip(fromA ? ta : tb, fromA ? tb : ta, proto, outer(p, fromA)), fromA);
}

function udpTunnel(port: number, body: (p: Uint8Array, fromA: boolean) => Uint8Array): LinkWrap {
  return tunnelWrap(IPPROTO_UDP, (p, fromA) =>
    F.udp(
      {
        sport: fromA ? 50000 : port === 4789 || port === 6081 ? 50001 : port,
        dport: fromA ? port : port === 4789 || port === 6081 ? port : 50000,
      },
      body(p, fromA),
    ),
  );
}

function tunnelsFixture(): void {
  const c = new Clock();
  const innerEth = (p: Uint8Array, fromA: boolean) =>
    F.ethernet(
      fromA ? "02:00:00:00:02:0b" : "02:00:00:00:02:0a",
      fromA ? "02:00:00:00:02:0a" : "02:00:00:00:02:0b",
      etherTypeOf(p),
      p,
    );
  const gre =
    (type: number, extra: Omit<F.GreHeader, "type"> = {}) =>
    (p: Uint8Array) =>
      F.grePacket({ type, ...extra }, p);
  const wraps: [string, LinkWrap, boolean][] = [
    ["GRE, IPv4 inside", tunnelWrap(IPPROTO_GRE, gre(ETHERTYPE_IPV4)), false],
    [
      "GRE with checksum, key and sequence, IPv6 inside",
      tunnelWrap(IPPROTO_GRE, gre(ETHERTYPE_IPV6, { checksum: true, key: 0x1001, seq: 1 })),
      true,
    ],
    [
      "GRE transparent Ethernet bridging",
      tunnelWrap(IPPROTO_GRE, (p, a) =>
        F.concat(F.greHeader({ type: ETHERTYPE_TEB, key: 7 }), innerEth(p, a)),
      ),
      false,
    ],
    [
      "ERSPAN type II",
      tunnelWrap(IPPROTO_GRE, (p, a) =>
        F.concat(F.greHeader({ type: ETHERTYPE_ERSPAN_II, seq: 1 }), F.erspan2(9), innerEth(p, a)),
      ),
      false,
    ],
    [
      "ERSPAN type III",
      tunnelWrap(IPPROTO_GRE, (p, a) =>
        F.concat(F.greHeader({ type: ETHERTYPE_ERSPAN_III, seq: 1 }), F.erspan3(9), innerEth(p, a)),
      ),
      false,
    ],
    [
      "MPLS over GRE",
      tunnelWrap(IPPROTO_GRE, (p) =>
        F.concat(F.greHeader({ type: ETHERTYPE_MPLS_UNICAST }), F.mpls([300], p)),
      ),
      false,
    ],
    [
      "PPTP (GRE version 1, PPP)",
      tunnelWrap(IPPROTO_GRE, (p, a) =>
        F.concat(
          F.greHeader({
            type: ETHERTYPE_PPP,
            version: 1,
            key: (p.length + 4) * 65536 + (a ? 1 : 2),
            seq: 1,
          }),
          F.ppp(PPP_IPV4, p),
        ),
      ),
      false,
    ],
    ["IPv4 in IPv4", tunnelWrap(IPPROTO_IPIP, (p) => p), false],
    ["IPv6 in IPv4 (6in4)", tunnelWrap(IPPROTO_IPV6, (p) => p), true],
    ["IPv4 in IPv6", tunnelWrap(IPPROTO_IPIP, (p) => p, true), false],
    ["IPv6 in IPv6", tunnelWrap(IPPROTO_IPV6, (p) => p, true), true],
    ["VXLAN", udpTunnel(4789, (p, a) => F.vxlan(5000, innerEth(p, a))), false],
    [
      "Geneve with an option",
      udpTunnel(6081, (p, a) =>
        F.geneve(ETHERTYPE_TEB, 77, innerEth(p, a), F.hex("0102 0301 00000000")),
      ),
      false,
    ],
    [
      "GTP-U with an extension header",
      udpTunnel(2152, (p) => F.gtpu(0x0a0b0c0d, p, { seq: 1, ext: 0x40 })),
      false,
    ],
    ["Teredo", udpTunnel(3544, (p, a) => F.teredo(p, !a)), true],
    ["AYIYA", udpTunnel(5072, (p) => F.ayiya(IPPROTO_IPV6, p)), true],
  ];
  const frames: Uint8Array[] = [];
  const facts: string[] = [];
  wraps.forEach(([name, wrap, v6], i) => {
    const a = v6 ? `2001:db8:37:${i}::1` : `10.37.${i}.1`;
    const b = v6 ? `2001:db8:37:${i}::2` : `10.37.${i}.2`;
    const conv = new TcpConversation(wrap, { ip: a, port: 49000 + i }, { ip: b, port: 443 }, 1, 2);
    frames.push(...conv.handshake(), conv.send(true, "PA", bytesOf(`tunneled ${i}`)));
    facts.push(
      `${frames.length - 3}-${frames.length}: ${name}: TCP ${a} port ${49000 + i} -> 443 (handshake and data)`,
    );
  });
  // Nested: GRE between 198.51.100.1 and .2 inside VXLAN.
  const greInside: LinkWrap = (p, fromA) => {
    const [ga, gb] = ["198.51.100.1", "198.51.100.2"];
    const greIp = ip(
      fromA ? ga : gb,
      fromA ? gb : ga,
      IPPROTO_GRE,
      F.concat(F.greHeader({ type: ETHERTYPE_IPV4 }), p),
    );
    return udpTunnel(4789, (q, a) => F.vxlan(6000, innerEth(q, a)))(greIp, fromA);
  };
  const nested = new TcpConversation(
    greInside,
    { ip: "10.37.99.1", port: 49099 },
    { ip: "10.37.99.2", port: 443 },
    1,
    2,
  );
  frames.push(...nested.handshake());
  facts.push(
    `${frames.length - 2}-${frames.length}: VXLAN carrying GRE (198.51.100.1 <-> .2) carrying TCP 10.37.99.1:49099 -> 443`,
  );
  writePcap("tunnels.pcap", LINKTYPE_ETHERNET, timed(frames, c));
  doc(
    "tunnels.pcap",
    "tunnels: GRE and its payloads, IP in IP, VXLAN, Geneve, GTP-U, Teredo, AYIYA, nested",
    [
      "outer endpoints 192.0.2.1 <-> 192.0.2.2 (2001:db8:ffff::1 <-> ::2 for 4in6 and 6in6); UDP tunnels from port 50000 (VTEPs: 50000 and 50001 to the tunnel port)",
      ...facts,
      `${frames.length} packets, all decode OK; each inner connection is a flow with its tunnel, and each tunnel is a flow of its own`,
    ],
  );
}

function tunnelDepthFixture(): void {
  const c = new Clock();
  let packet = ip(
    "10.38.0.1",
    "10.38.0.2",
    IPPROTO_UDP,
    F.udp({ sport: 50100, dport: 9 }, bytesOf("deep")),
  );
  for (let i = 0; i < 5; i++)
    packet = ip(`192.0.2.${10 + i}`, `192.0.2.${20 + i}`, IPPROTO_IPIP, packet);
  writePcap("tunnel-depth.pcap", LINKTYPE_ETHERNET, timed([etherWrap()(packet, true)], c));
  doc("tunnel-depth.pcap", "five IP-in-IP tunnels nested, one more than net-net decodes", [
    "1 packet: status encapsulation_too_deep; the packet counts as the innermost IP-in-IP packet reached, at depth 4 (192.0.2.10 -> 192.0.2.20), and in the outermost tunnel's flow (192.0.2.14 -> .24)",
  ]);
}

function writeReadme(): void {
  const lines = [
    "# Capture fixtures",
    "",
    "Generated by `scripts/gen-fixtures.ts` (`npm run fixtures`); do not edit by hand, change the",
    "generator and run it again. Every run writes the same bytes (fixed timestamps starting at",
    `T0 = ${T0} = 2023-11-14T22:13:20Z, a seeded PRNG, gzip with fixed options).`,
    "",
    "Frames are built with `test/support/frames.ts`: IPv4 header, TCP, UDP, ICMP and ICMPv6",
    "checksums are correct (verified with tshark's checksum checks), and Ethernet frames are",
    "padded to 60 bytes as a receiving NIC shows them. Byte counts are frame lengths.",
    "",
    "| file | bytes | contents |",
    "| --- | ---: | --- |",
  ];
  for (const d of docs) {
    lines.push(`| \`${d.file}\` | ${statSync(join(OUT, d.file)).size} | ${d.what} |`);
  }
  lines.push("");
  for (const d of docs) {
    lines.push(`## ${d.file}`, "", `${d.what}.`, "");
    for (const f of d.facts) lines.push(`- ${f}`);
    lines.push("");
  }
  writeFileSync(join(OUT, "README.md"), lines.join("\n"));
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  linkFixtures();
  vlanFixture();
  ipv6ExtFixture();
  fragmentFixture();
  ipv4MiscFixture();
  const states = tcpStatesFixture();
  gzipFixture();
  protocolsFixture();
  pcapngFixture();
  timestampFixtures();
  snaplenFixture();
  decodeErrorsFixture();
  scanFixture();
  mixedFixture();
  sctpFixture();
  tsoFixture();
  zeekStatesFixture();
  asymmetricVlanFixture();
  linkEncapFixture();
  pppFixture();
  wifiFixture();
  tunnelsFixture();
  tunnelDepthFixture();
  damagedFixtures(states);
  writeReadme();
  console.log(`wrote ${docs.length} fixtures to ${OUT} (mixed.pcap: ${mixedCount} packets)`);
}

main();
