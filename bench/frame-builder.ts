/**
 * A fast Ethernet frame builder for the benchmark captures. One template per frame kind
 * holds every constant byte; `build()` patches only the fields that change (addresses,
 * ports, lengths, sequence numbers, IPv4 id and header checksum) and returns a cached view
 * of the template cut to the requested length, so building a frame allocates nothing.
 *
 * TCP and UDP checksums are left zero: none of the tools compared in the benchmark verify
 * them. The IPv4 header checksum is computed, since it is cheap and some readers warn.
 */

export const KIND_TCP4 = 0;
export const KIND_UDP4 = 1;
export const KIND_TCP6 = 2;
export const KIND_UDP6 = 3;

/** Largest frame built: a 1500-byte IP packet plus the 14-byte Ethernet header. */
export const FRAME_MAX = 1514;

const ETH_LEN = 14;
const IP4_LEN = 20;
const IP6_LEN = 40;
const TCP_LEN = 32; // 20-byte header plus NOP, NOP, timestamps (RFC 7323 section 3)
const UDP_LEN = 8;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** Smallest frame of each kind: all headers, no payload (a pure TCP ACK is 66 bytes). */
export const HEADER_LEN: readonly number[] = [
  ETH_LEN + IP4_LEN + TCP_LEN,
  ETH_LEN + IP4_LEN + UDP_LEN,
  ETH_LEN + IP6_LEN + TCP_LEN,
  ETH_LEN + IP6_LEN + UDP_LEN,
];

/** The two /64 prefixes IPv6 hosts live in; the caller supplies the interface identifier. */
const IP6_PREFIXES: readonly (readonly number[])[] = [
  [0xfd, 0x00, 0, 0, 0, 0, 0, 0x01], // fd00:0:0:1::/64, inside hosts
  [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01], // 2001:db8:0:1::/64, outside hosts
];

/** Two MAC addresses: a host-side NIC and the gateway, swapped by direction. */
const MAC_INSIDE = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const MAC_GATEWAY = [0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe];

export const TCP_ACK = 0x10;
export const TCP_PSH_ACK = 0x18;

export class FrameBuilder {
  // Scratch fields the caller sets before `build()`, so the hot call takes one argument.
  kind = KIND_TCP4;
  /** True when the frame goes from the inside host to the outside one. */
  outbound = true;
  /**
   * IPv4: the whole address. IPv6: the low 32 bits of the interface identifier, whose high
   * 32 bits are in `srcIidHigh`/`dstIidHigh`; the /64 prefix follows the direction.
   */
  srcAddr = 0;
  dstAddr = 0;
  srcIidHigh = 0;
  dstIidHigh = 0;
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  tcpFlags = TCP_ACK;
  ipId = 0;
  tsVal = 0;

  private readonly templates: Uint8Array[] = [];
  private readonly views: DataView[] = [];
  /** Per kind, the view of the template cut to each length, made on first use. */
  private readonly cuts: (Uint8Array | undefined)[][] = [];

  constructor() {
    for (let kind = KIND_TCP4; kind <= KIND_UDP6; kind++) {
      const t = new Uint8Array(FRAME_MAX);
      const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
      const v6 = kind === KIND_TCP6 || kind === KIND_UDP6;
      const tcp = kind === KIND_TCP4 || kind === KIND_TCP6;
      v.setUint16(12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
      const l4 = ETH_LEN + (v6 ? IP6_LEN : IP4_LEN);
      if (v6) {
        t[ETH_LEN] = 0x60; // version 6, traffic class 0, flow label 0
        t[ETH_LEN + 6] = tcp ? IPPROTO_TCP : IPPROTO_UDP; // next header
        t[ETH_LEN + 7] = 64; // hop limit
      } else {
        t[ETH_LEN] = 0x45; // version 4, IHL 5 (no options)
        v.setUint16(ETH_LEN + 6, 0x4000); // DF, fragment offset 0
        t[ETH_LEN + 8] = 64; // TTL
        t[ETH_LEN + 9] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
      }
      if (tcp) {
        t[l4 + 12] = (TCP_LEN / 4) << 4; // data offset in 32-bit words
        v.setUint16(l4 + 14, 502); // window (scaled)
        t[l4 + 20] = 1; // NOP
        t[l4 + 21] = 1; // NOP
        t[l4 + 22] = 8; // kind: timestamps
        t[l4 + 23] = 10; // length
      }
      this.templates.push(t);
      this.views.push(v);
      this.cuts.push(new Array<Uint8Array | undefined>(FRAME_MAX + 1));
    }
  }

  /** Patches the template of `this.kind` and returns it cut to `len` bytes (not a copy). */
  build(len: number): Uint8Array {
    const kind = this.kind;
    const t = this.templates[kind] as Uint8Array;
    const v = this.views[kind] as DataView;
    const srcMac = this.outbound ? MAC_INSIDE : MAC_GATEWAY;
    const dstMac = this.outbound ? MAC_GATEWAY : MAC_INSIDE;
    for (let i = 0; i < 6; i++) {
      t[i] = dstMac[i] as number;
      t[6 + i] = srcMac[i] as number;
    }

    let l4: number;
    if (kind === KIND_TCP4 || kind === KIND_UDP4) {
      l4 = ETH_LEN + IP4_LEN;
      const totalLen = len - ETH_LEN;
      v.setUint16(ETH_LEN + 2, totalLen);
      v.setUint16(ETH_LEN + 4, this.ipId);
      v.setUint16(ETH_LEN + 10, 0);
      v.setUint32(ETH_LEN + 12, this.srcAddr);
      v.setUint32(ETH_LEN + 16, this.dstAddr);
      // RFC 1071 one's-complement sum over the ten header words, checksum field zero.
      let sum = 0;
      for (let off = ETH_LEN; off < ETH_LEN + IP4_LEN; off += 2) sum += v.getUint16(off);
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      v.setUint16(ETH_LEN + 10, ~sum & 0xffff);
    } else {
      l4 = ETH_LEN + IP6_LEN;
      v.setUint16(ETH_LEN + 4, len - l4); // payload length
      const srcPrefix = IP6_PREFIXES[this.outbound ? 0 : 1] as readonly number[];
      const dstPrefix = IP6_PREFIXES[this.outbound ? 1 : 0] as readonly number[];
      for (let i = 0; i < 8; i++) {
        t[ETH_LEN + 8 + i] = srcPrefix[i] as number;
        t[ETH_LEN + 24 + i] = dstPrefix[i] as number;
      }
      v.setUint32(ETH_LEN + 16, this.srcIidHigh);
      v.setUint32(ETH_LEN + 20, this.srcAddr);
      v.setUint32(ETH_LEN + 32, this.dstIidHigh);
      v.setUint32(ETH_LEN + 36, this.dstAddr);
    }

    v.setUint16(l4, this.srcPort);
    v.setUint16(l4 + 2, this.dstPort);
    if (kind === KIND_TCP4 || kind === KIND_TCP6) {
      v.setUint32(l4 + 4, this.seq);
      v.setUint32(l4 + 8, this.ack);
      t[l4 + 13] = this.tcpFlags;
      v.setUint32(l4 + 24, this.tsVal); // TSval
      v.setUint32(l4 + 28, this.tsVal - 20); // TSecr: the peer's clock, a little behind
    } else {
      v.setUint16(l4 + 4, len - l4); // UDP length
    }

    const cuts = this.cuts[kind] as (Uint8Array | undefined)[];
    let cut = cuts[len];
    if (cut === undefined) {
      cut = t.subarray(0, len);
      cuts[len] = cut;
    }
    return cut;
  }
}
