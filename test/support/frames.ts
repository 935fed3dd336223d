/**
 * Frame builders for tests and the fixture generator. Each builder returns the bytes of one
 * header followed by its payload, so frames are written inside out:
 *
 *   ethernet(B, A, ETHERTYPE_IPV4, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport }, data)))
 *
 * Checksums are correct: IPv4 header checksums always, ICMP checksums in the ICMP builders,
 * and transport checksums that need the IP pseudo-header (TCP, UDP, ICMPv6, Mobility) are
 * filled in by `ipv4`/`ipv6` when the payload is a whole datagram (fragments get theirs from
 * `ipv4Fragments`/`ipv6Fragments`, which checksum the datagram before cutting it).
 * Addresses are text ("10.0.0.1", "2001:db8::1", "02:00:00:00:00:01").
 */
import { parseAddress, parseIpv4 } from "../../src/decode/address.js";
import {
  ETHERTYPE_VLAN,
  IPPROTO_FRAGMENT,
  IPPROTO_ICMPV6,
  IPPROTO_MOBILITY,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "../../src/decode/protocols.js";

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------

/** Concatenates byte arrays into a new one. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes from hex text; spaces, newlines, colons and `|` separators are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s:|]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new Error(`bad hex: ${text}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Hex text of bytes, for assertion messages. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function u16(v: number): Uint8Array {
  return new Uint8Array([(v >>> 8) & 0xff, v & 0xff]);
}

function u32(v: number): Uint8Array {
  return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

/** The six bytes of a MAC address written "02:00:00:00:00:01" (or with dashes). */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`bad MAC address: ${text}`);
  }
  return new Uint8Array(parts.map((p) => Number.parseInt(p, 16)));
}

/** The four bytes of an IPv4 address. */
export function ipv4Bytes(text: string): Uint8Array {
  const w = parseIpv4(text);
  if (w === undefined) throw new Error(`bad IPv4 address: ${text}`);
  return u32(w);
}

/** The sixteen bytes of an IPv6 address. */
export function ipv6Bytes(text: string): Uint8Array {
  const a = parseAddress(text);
  if (a === undefined || a.family !== 6) throw new Error(`bad IPv6 address: ${text}`);
  return concat(u32(a.words[0]), u32(a.words[1]), u32(a.words[2]), u32(a.words[3]));
}

/** The RFC 1071 Internet checksum of the concatenation of `parts` (each may be odd-sized). */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  const all = concat(...parts);
  let sum = 0;
  for (let i = 0; i + 1 < all.length; i += 2) sum += ((all[i] ?? 0) << 8) | (all[i + 1] ?? 0);
  if (all.length % 2 === 1) sum += (all[all.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// Link layer
// ---------------------------------------------------------------------------------------------

/** An Ethernet II frame (no FCS). */
export function ethernet(dst: string, src: string, type: number, payload: Uint8Array): Uint8Array {
  return concat(macBytes(dst), macBytes(src), u16(type), payload);
}

export interface VlanTag {
  id: number;
  /** Priority code point, 0..7. */
  pcp?: number;
  dei?: boolean;
  /** The TPID announcing this tag (the EtherType before it): 0x8100 by default. */
  tpid?: number;
}

/**
 * One VLAN tag's body (TCI and the next EtherType) followed by the payload; the EtherType
 * before it (the TPID) belongs to the enclosing header, so tags stack by nesting:
 * `ethernet(d, s, 0x88a8, vlan(10, 0x8100, vlan(20, 0x0800, ip)))`.
 */
export function vlan(tag: VlanTag | number, type: number, payload: Uint8Array): Uint8Array {
  const t = typeof tag === "number" ? { id: tag } : tag;
  const tci = ((t.pcp ?? 0) << 13) | (t.dei === true ? 0x1000 : 0) | (t.id & 0x0fff);
  return concat(u16(tci), u16(type), payload);
}

/** An Ethernet frame with a stack of VLAN tags, outermost first. */
export function ethernetTagged(
  dst: string,
  src: string,
  tags: readonly VlanTag[],
  type: number,
  payload: Uint8Array,
): Uint8Array {
  let inner = payload;
  let innerType = type;
  for (let i = tags.length - 1; i >= 0; i--) {
    const tag = tags[i];
    if (tag === undefined) continue;
    inner = vlan(tag, innerType, inner);
    innerType = tag.tpid ?? ETHERTYPE_VLAN;
  }
  return ethernet(dst, src, innerType, inner);
}

/** An IEEE 802.3 frame: the type field holds the length of the LLC payload. */
export function ieee8023(dst: string, src: string, llcPayload: Uint8Array): Uint8Array {
  return ethernet(dst, src, llcPayload.length, llcPayload);
}

/** An 802.2 LLC header (DSAP, SSAP, one-byte control) and payload. */
export function llc(dsap: number, ssap: number, control: number, payload: Uint8Array): Uint8Array {
  return concat(new Uint8Array([dsap, ssap, control]), payload);
}

/** LLC/SNAP (AA AA 03), OUI (00-00-00 by default: RFC 1042) and the protocol id. */
export function llcSnap(type: number, payload: Uint8Array, oui = 0): Uint8Array {
  return concat(
    new Uint8Array([0xaa, 0xaa, 0x03, (oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff]),
    u16(type),
    payload,
  );
}

export interface SllHeader {
  protocol: number;
  /** 0 to us, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
  pktType?: number;
  /** ARPHRD_ type: 1 (Ethernet) by default. */
  hatype?: number;
  /** Link-layer address, up to 8 bytes (a MAC by default). */
  addr?: string;
}

function sllAddr(addr: string | undefined): Uint8Array {
  return macBytes(addr ?? "02:00:00:00:00:01");
}

/** A Linux cooked capture v1 header (16 bytes) and payload. */
export function sll(h: SllHeader, payload: Uint8Array): Uint8Array {
  const a = sllAddr(h.addr);
  const addr8 = new Uint8Array(8);
  addr8.set(a);
  return concat(
    u16(h.pktType ?? 0),
    u16(h.hatype ?? 1),
    u16(a.length),
    addr8,
    u16(h.protocol),
    payload,
  );
}

export interface Sll2Header extends SllHeader {
  ifindex?: number;
}

/** A Linux cooked capture v2 header (20 bytes) and payload. */
export function sll2(h: Sll2Header, payload: Uint8Array): Uint8Array {
  const a = sllAddr(h.addr);
  const addr8 = new Uint8Array(8);
  addr8.set(a);
  return concat(
    u16(h.protocol),
    u16(0), // reserved
    u32(h.ifindex ?? 1),
    u16(h.hatype ?? 1),
    new Uint8Array([h.pktType ?? 0, a.length]),
    addr8,
    payload,
  );
}

/** A BSD DLT_NULL header: the address family in host order (little-endian unless asked). */
export function nullLoopback(af: number, payload: Uint8Array, bigEndian = false): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, af, !bigEndian);
  return concat(b, payload);
}

/** An OpenBSD DLT_LOOP header: the address family in network byte order. */
export function loop(af: number, payload: Uint8Array): Uint8Array {
  return concat(u32(af), payload);
}

// ---------------------------------------------------------------------------------------------
// Network layer
// ---------------------------------------------------------------------------------------------

export interface Ipv4Header {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  tos?: number;
  ttl?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Option bytes; padded with zeros (End of Option List) to a multiple of 4. */
  options?: Uint8Array;
  /** Overrides the total length field (to build bad or padded datagrams). */
  totalLength?: number;
  /** Overrides the IHL nibble (in 4-byte words). */
  ihl?: number;
  /** Overrides the version nibble. */
  version?: number;
  /** Set to false to leave a TCP/UDP checksum as the payload has it. */
  l4Checksum?: boolean;
}

function pseudoHeader4(src: string, dst: string, proto: number, len: number): Uint8Array {
  return concat(ipv4Bytes(src), ipv4Bytes(dst), new Uint8Array([0, proto]), u16(len));
}

function pseudoHeader6(src: string, dst: string, proto: number, len: number): Uint8Array {
  return concat(ipv6Bytes(src), ipv6Bytes(dst), u32(len), new Uint8Array([0, 0, 0, proto]));
}

/** Where a transport checksum lives, by protocol; -1 when it has none that we fill. */
function checksumOffset(proto: number): number {
  if (proto === IPPROTO_TCP) return 16;
  if (proto === IPPROTO_UDP) return 6;
  if (proto === IPPROTO_ICMPV6) return 2;
  return -1;
}

/** Returns a copy of a whole transport segment with its pseudo-header checksum filled in. */
function withL4Checksum(segment: Uint8Array, proto: number, pseudo: Uint8Array): Uint8Array {
  const at = checksumOffset(proto);
  if (at < 0 || segment.length < at + 2) return segment;
  const out = segment.slice();
  put16(out, at, 0);
  let c = internetChecksum(pseudo, out);
  if (c === 0 && proto === IPPROTO_UDP) c = 0xffff; // 0 means "no checksum" for UDP/IPv4
  put16(out, at, c);
  return out;
}

/** The transport segment with its IPv4 pseudo-header checksum (for callers that cut it). */
export function checksummed4(
  src: string,
  dst: string,
  proto: number,
  segment: Uint8Array,
): Uint8Array {
  return withL4Checksum(segment, proto, pseudoHeader4(src, dst, proto, segment.length));
}

/** The transport segment with its IPv6 pseudo-header checksum (for callers that cut it). */
export function checksummed6(
  src: string,
  dst: string,
  proto: number,
  segment: Uint8Array,
): Uint8Array {
  return withL4Checksum(segment, proto, pseudoHeader6(src, dst, proto, segment.length));
}

/** An IPv4 datagram (RFC 791) with a correct header checksum. */
export function ipv4(h: Ipv4Header, payload: Uint8Array): Uint8Array {
  const options = h.options ?? EMPTY;
  const optLen = Math.ceil(options.length / 4) * 4;
  const hl = 20 + optLen;
  const fragOffset = h.fragOffset ?? 0;
  const whole = fragOffset === 0 && h.mf !== true;
  const body =
    whole && h.l4Checksum !== false ? checksummed4(h.src, h.dst, h.proto, payload) : payload;
  const hdr = new Uint8Array(hl);
  hdr[0] = ((h.version ?? 4) << 4) | ((h.ihl ?? hl / 4) & 0x0f);
  hdr[1] = h.tos ?? 0;
  put16(hdr, 2, h.totalLength ?? hl + body.length);
  put16(hdr, 4, h.id ?? 0);
  put16(hdr, 6, (h.df === true ? 0x4000 : 0) | (h.mf === true ? 0x2000 : 0) | (fragOffset >>> 3));
  hdr[8] = h.ttl ?? 64;
  hdr[9] = h.proto;
  hdr.set(ipv4Bytes(h.src), 12);
  hdr.set(ipv4Bytes(h.dst), 16);
  hdr.set(options, 20);
  put16(hdr, 10, internetChecksum(hdr));
  return concat(hdr, body);
}

/**
 * A whole transport segment cut into IPv4 fragments of at most `fragSize` payload bytes
 * (rounded down to a multiple of 8), with the checksum computed over the whole datagram.
 */
export function ipv4Fragments(
  h: Omit<Ipv4Header, "mf" | "fragOffset">,
  segment: Uint8Array,
  fragSize: number,
): Uint8Array[] {
  const whole = checksummed4(h.src, h.dst, h.proto, segment);
  const size = Math.max(8, fragSize - (fragSize % 8));
  const out: Uint8Array[] = [];
  for (let at = 0; at < whole.length; at += size) {
    const chunk = whole.subarray(at, Math.min(whole.length, at + size));
    const mf = at + size < whole.length;
    out.push(ipv4({ ...h, fragOffset: at, mf, l4Checksum: false }, chunk));
  }
  return out;
}

/** An IPv6 extension header in a chain; the chain builder fills each next-header field. */
export type Ipv6Ext =
  | {
      /** Hop-by-hop (0), routing (43), destination options (60), HIP (139), shim6 (140). */
      type: 0 | 43 | 60 | 139 | 140;
      /** Body after the next-header and length bytes; padded to a multiple of 8 in all. */
      data?: Uint8Array;
    }
  | { type: 44; offset: number; more: boolean; id: number }
  | { type: 51; spi: number; seq: number; icv?: Uint8Array }
  | {
      /** Mobility header (RFC 6275): `body` follows the type byte; checksum filled in. */
      type: 135;
      mhType: number;
      body?: Uint8Array;
    };

export interface Ipv6Header {
  src: string;
  dst: string;
  /** The protocol after the last extension header. */
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  ext?: readonly Ipv6Ext[];
  /** Overrides the payload length field. */
  payloadLength?: number;
  /** Overrides the version nibble. */
  version?: number;
  l4Checksum?: boolean;
}

/** PadN option filling `n` (>= 2) bytes, or Pad1 for one byte (RFC 8200 section 4.2). */
function padOptions(n: number): Uint8Array {
  if (n === 0) return EMPTY;
  if (n === 1) return new Uint8Array([0]);
  const b = new Uint8Array(n);
  b[0] = 1;
  b[1] = n - 2;
  return b;
}

function extBytes(e: Ipv6Ext, next: number, src: string, dst: string): Uint8Array {
  switch (e.type) {
    case 44: {
      const b = new Uint8Array(8);
      b[0] = next;
      put16(b, 2, (e.offset & 0xfff8) | (e.more ? 1 : 0));
      b.set(u32(e.id >>> 0), 4);
      return b;
    }
    case 51: {
      const icv = e.icv ?? new Uint8Array(12);
      const len = 12 + icv.length;
      const b = concat(new Uint8Array([next, len / 4 - 2, 0, 0]), u32(e.spi), u32(e.seq), icv);
      return b;
    }
    case 135: {
      // Payload Proto, Header Len, MH Type, Reserved, Checksum, message data.
      let raw = concat(new Uint8Array([next, 0, e.mhType, 0, 0, 0]), e.body ?? new Uint8Array(2));
      const padded = Math.ceil(raw.length / 8) * 8;
      raw = concat(raw, padOptions(padded - raw.length));
      raw[1] = padded / 8 - 1;
      put16(raw, 4, internetChecksum(pseudoHeader6(src, dst, IPPROTO_MOBILITY, raw.length), raw));
      return raw;
    }
    default: {
      const data = e.data ?? EMPTY;
      const total = Math.max(8, Math.ceil((2 + data.length) / 8) * 8);
      const b = concat(
        new Uint8Array([next, total / 8 - 1]),
        data,
        padOptions(total - 2 - data.length),
      );
      return b;
    }
  }
}

/** An IPv6 packet (RFC 8200) with its extension headers chained in order. */
export function ipv6(h: Ipv6Header, payload: Uint8Array): Uint8Array {
  const ext = h.ext ?? [];
  const fragmented = ext.some((e) => e.type === IPPROTO_FRAGMENT);
  const body =
    !fragmented && h.l4Checksum !== false
      ? checksummed6(h.src, h.dst, h.nextHeader, payload)
      : payload;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i];
    if (e === undefined) continue;
    const next = ext[i + 1]?.type ?? h.nextHeader;
    parts.push(extBytes(e, next, h.src, h.dst));
  }
  const chain = concat(...parts, body);
  const hdr = new Uint8Array(40);
  const vtf =
    (((h.version ?? 6) & 0xf) << 28) |
    (((h.trafficClass ?? 0) & 0xff) << 20) |
    ((h.flowLabel ?? 0) & 0xfffff);
  hdr.set(u32(vtf >>> 0), 0);
  put16(hdr, 4, h.payloadLength ?? chain.length);
  hdr[6] = ext[0]?.type ?? h.nextHeader;
  hdr[7] = h.hopLimit ?? 64;
  hdr.set(ipv6Bytes(h.src), 8);
  hdr.set(ipv6Bytes(h.dst), 24);
  return concat(hdr, chain);
}

/**
 * A whole transport segment cut into IPv6 fragments of at most `fragSize` bytes of
 * fragmentable part each (rounded down to a multiple of 8), behind the given unfragmentable
 * extension headers, with the checksum computed over the whole segment first.
 */
export function ipv6Fragments(
  h: Omit<Ipv6Header, "l4Checksum">,
  id: number,
  segment: Uint8Array,
  fragSize: number,
): Uint8Array[] {
  const whole = checksummed6(h.src, h.dst, h.nextHeader, segment);
  const size = Math.max(8, fragSize - (fragSize % 8));
  const out: Uint8Array[] = [];
  for (let at = 0; at < whole.length; at += size) {
    const chunk = whole.subarray(at, Math.min(whole.length, at + size));
    const more = at + size < whole.length;
    const ext: Ipv6Ext[] = [...(h.ext ?? []), { type: 44, offset: at, more, id }];
    out.push(ipv6({ ...h, ext }, chunk));
  }
  return out;
}

export interface ArpFields {
  /** 1 request, 2 reply. */
  op: number;
  sha: string;
  spa: string;
  tha?: string;
  tpa: string;
}

/** An Ethernet/IPv4 ARP packet (RFC 826), 28 bytes. */
export function arp(a: ArpFields): Uint8Array {
  return concat(
    u16(1), // hardware: Ethernet
    u16(0x0800), // protocol: IPv4
    new Uint8Array([6, 4]),
    u16(a.op),
    macBytes(a.sha),
    ipv4Bytes(a.spa),
    macBytes(a.tha ?? "00:00:00:00:00:00"),
    ipv4Bytes(a.tpa),
  );
}

// ---------------------------------------------------------------------------------------------
// Transport layer
// ---------------------------------------------------------------------------------------------

/** TCP flags as a number, or letters: F S R P A U E C (e.g. "SA" for SYN+ACK). */
export type TcpFlags = number | string;

export function tcpFlags(f: TcpFlags): number {
  if (typeof f === "number") return f;
  let v = 0;
  for (const ch of f) {
    const bit = "FSRPAUEC".indexOf(ch.toUpperCase());
    if (bit < 0) throw new Error(`bad TCP flag letter ${ch} in ${f}`);
    v |= 1 << bit;
  }
  return v;
}

export interface TcpHeader {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags?: TcpFlags;
  window?: number;
  urgent?: number;
  /** Option bytes, padded with zeros (End of Option List) to a multiple of 4. */
  options?: Uint8Array;
  /** Overrides the data offset nibble (in 4-byte words). */
  dataOffset?: number;
}

/** A TCP segment (RFC 9293); its checksum is filled in by `ipv4`/`ipv6`. */
export function tcp(h: TcpHeader, payload: Uint8Array = EMPTY): Uint8Array {
  const options = h.options ?? EMPTY;
  const hl = 20 + Math.ceil(options.length / 4) * 4;
  const b = new Uint8Array(hl);
  put16(b, 0, h.sport);
  put16(b, 2, h.dport);
  b.set(u32((h.seq ?? 0) >>> 0), 4);
  b.set(u32((h.ack ?? 0) >>> 0), 8);
  b[12] = ((h.dataOffset ?? hl / 4) & 0x0f) << 4;
  b[13] = tcpFlags(h.flags ?? 0);
  put16(b, 14, h.window ?? 65535);
  put16(b, 18, h.urgent ?? 0);
  b.set(options, 20);
  return concat(b, payload);
}

/** Common TCP options for a SYN: MSS 1460, SACK permitted, window scale 7 (12 bytes). */
export const TCP_SYN_OPTIONS = hex("020405b4 0402 0103 0307 0000");

/** A UDP datagram (RFC 768); its checksum is filled in by `ipv4`/`ipv6`. */
export function udp(
  h: { sport: number; dport: number; length?: number },
  payload: Uint8Array = EMPTY,
): Uint8Array {
  return concat(u16(h.sport), u16(h.dport), u16(h.length ?? 8 + payload.length), u16(0), payload);
}

/** An ICMP message (RFC 792) with its checksum: type, code, 4 header bytes, body. */
export function icmp(
  type: number,
  code: number,
  rest: Uint8Array,
  body: Uint8Array = EMPTY,
): Uint8Array {
  const b = concat(new Uint8Array([type, code, 0, 0]), rest, body);
  put16(b, 2, internetChecksum(b));
  return b;
}

/** An ICMP echo request (type 8) or reply (type 0). */
export function icmpEcho(
  e: { reply?: boolean; id: number; seq: number },
  data: Uint8Array = EMPTY,
): Uint8Array {
  return icmp(e.reply === true ? 0 : 8, 0, concat(u16(e.id), u16(e.seq)), data);
}

/** An ICMP destination unreachable (type 3) quoting the start of the original datagram. */
export function icmpUnreachable(code: number, original: Uint8Array): Uint8Array {
  return icmp(3, code, new Uint8Array(4), original);
}

/** An ICMPv6 message (RFC 4443); its checksum needs the pseudo-header and is set by `ipv6`. */
export function icmpv6(
  type: number,
  code: number,
  rest: Uint8Array,
  body: Uint8Array = EMPTY,
): Uint8Array {
  return concat(new Uint8Array([type, code, 0, 0]), rest, body);
}

/** An ICMPv6 echo request (type 128) or reply (type 129). */
export function icmpv6Echo(
  e: { reply?: boolean; id: number; seq: number },
  data: Uint8Array = EMPTY,
): Uint8Array {
  return icmpv6(e.reply === true ? 129 : 128, 0, concat(u16(e.id), u16(e.seq)), data);
}

/** An ESP packet (RFC 4303): SPI, sequence number, then opaque (encrypted) bytes. */
export function esp(spi: number, seq: number, opaque: Uint8Array): Uint8Array {
  return concat(u32(spi), u32(seq), opaque);
}

/** A basic GRE header (RFC 2784, no options) carrying `protocolType`. */
export function gre(protocolType: number, payload: Uint8Array): Uint8Array {
  return concat(u16(0), u16(protocolType), payload);
}

/** A GRE header with its optional fields (RFC 2784/2890; version 1 is PPTP's, RFC 2637). */
export interface GreHeader {
  type: number;
  checksum?: boolean;
  key?: number;
  seq?: number;
  /** Version 1 only: an acknowledgment number. */
  ack?: number;
  version?: number;
}

export function greHeader(h: GreHeader): Uint8Array {
  const flags =
    (h.checksum === true ? 0x80 : 0) |
    (h.key !== undefined ? 0x20 : 0) |
    (h.seq !== undefined ? 0x10 : 0);
  const byte1 = (h.ack !== undefined ? 0x80 : 0) | (h.version ?? 0);
  return concat(
    new Uint8Array([flags, byte1]),
    u16(h.type),
    h.checksum === true ? u32(0) : EMPTY,
    h.key !== undefined ? u32(h.key) : EMPTY,
    h.seq !== undefined ? u32(h.seq) : EMPTY,
    h.ack !== undefined ? u32(h.ack) : EMPTY,
  );
}

/** A GRE header and payload, with the checksum (over both, RFC 2784) filled in when asked. */
export function grePacket(h: GreHeader, payload: Uint8Array): Uint8Array {
  const out = concat(greHeader(h), payload);
  if (h.checksum === true) put16(out, 4, internetChecksum(out));
  return out;
}

/** An ERSPAN type II header (version 1): VLAN 0, session `session`, index 0. */
export function erspan2(session: number): Uint8Array {
  return concat(u16(0x1000), u16(session & 0x3ff), u32(0));
}

/** An ERSPAN type III header (version 2); `platform` adds the 8-byte sub-header (O flag). */
export function erspan3(session: number, platform = false): Uint8Array {
  const base = concat(u16(0x2000), u16(session & 0x3ff), u32(0x12345678), u16(0), u16(0));
  if (platform) base[11] |= 0x01;
  return platform ? concat(base, new Uint8Array(8)) : base;
}

/** A VXLAN header (RFC 7348) with the I flag and `vni`, before an Ethernet frame. */
export function vxlan(vni: number, frame: Uint8Array, flags = 0x08): Uint8Array {
  return concat(new Uint8Array([flags, 0, 0, 0]), u32((vni & 0xffffff) << 8), frame);
}

/** A Geneve header (RFC 8926) with `options` (a multiple of 4 bytes) and a protocol type. */
export function geneve(
  type: number,
  vni: number,
  payload: Uint8Array,
  options: Uint8Array = EMPTY,
): Uint8Array {
  return concat(
    new Uint8Array([options.length >> 2, 0]),
    u16(type),
    u32((vni & 0xffffff) << 8),
    options,
    payload,
  );
}

/** A GTPv1-U G-PDU (TS 29.281); `seq` adds the optional fields, `ext` one extension header
 * (4 bytes: length 1, two bytes of content, next type 0). */
export function gtpu(
  teid: number,
  payload: Uint8Array,
  o: { seq?: number; ext?: number } = {},
): Uint8Array {
  const optional = o.seq !== undefined || o.ext !== undefined;
  const flags = 0x30 | (o.seq !== undefined ? 0x02 : 0) | (o.ext !== undefined ? 0x04 : 0);
  const opt = optional
    ? concat(u16(o.seq ?? 0), new Uint8Array([0, o.ext !== undefined ? o.ext : 0]))
    : EMPTY;
  const ext = o.ext !== undefined ? new Uint8Array([1, 0xaa, 0xbb, 0]) : EMPTY;
  const body = concat(opt, ext, payload);
  return concat(new Uint8Array([flags, 0xff]), u16(body.length), u32(teid), body);
}

/** A Teredo packet (RFC 4380): optional origin indication, then an IPv6 packet. */
export function teredo(ipv6Packet: Uint8Array, origin = false): Uint8Array {
  const o = origin ? concat(u16(0), u16(0x1234), u32(0x01020304)) : EMPTY;
  return concat(o, ipv6Packet);
}

/** An AYIYA header (forward, identity of 2^idlen bytes, no signature), then the packet. */
export function ayiya(nextHeader: number, payload: Uint8Array, idlen = 4): Uint8Array {
  return concat(
    new Uint8Array([(idlen << 4) | 1, 0, 0x01, nextHeader]),
    u32(0x5f5e1000),
    new Uint8Array(1 << idlen).fill(0x11),
    payload,
  );
}

/** An MPLS label stack (RFC 3032): the last label has the bottom-of-stack bit. */
export function mpls(labels: readonly number[], payload: Uint8Array): Uint8Array {
  return concat(
    ...labels.map((l, i) =>
      u32(((l & 0xfffff) << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64),
    ),
    payload,
  );
}

/** A PPP frame (RFC 1661): HDLC address and control when `hdlc`, then a 2-byte protocol. */
export function ppp(protocol: number, payload: Uint8Array, hdlc = true): Uint8Array {
  return concat(hdlc ? new Uint8Array([0xff, 0x03]) : EMPTY, u16(protocol), payload);
}

/** A PPPoE session packet (RFC 2516) carrying a PPP protocol and payload. */
export function pppoe(session: number, protocol: number, payload: Uint8Array): Uint8Array {
  return concat(
    new Uint8Array([0x11, 0x00]),
    u16(session),
    u16(payload.length + 2),
    u16(protocol),
    payload,
  );
}

/** An 802.1ah I-TAG (I-SID `isid`) and the customer's addresses, before `type`. */
export function pbb(isid: number, dst: string, src: string, type: number, payload: Uint8Array) {
  return concat(u32(isid & 0xffffff), macBytes(dst), macBytes(src), u16(type), payload);
}

/** A FabricPath header's FTAG/TTL and the original frame's addresses, before `type`. */
export function fabricPath(dst: string, src: string, type: number, payload: Uint8Array) {
  return concat(u16(0x0401), macBytes(dst), macBytes(src), u16(type), payload);
}

/** A VN-Tag (4 bytes) before `type`. */
export function vnTag(type: number, payload: Uint8Array): Uint8Array {
  return concat(u32(0x80010002), u16(type), payload);
}

/** An 802.11 data frame (to the AP) with LLC/SNAP; `qos` makes it a QoS data frame. */
export function ieee80211Data(
  type: number,
  payload: Uint8Array,
  o: { qos?: boolean; fromDs?: boolean; toDs?: boolean; protected?: boolean } = {},
): Uint8Array {
  const subtype = o.qos === true ? 0x08 : 0x00;
  const fc0 = (subtype << 4) | (2 << 2);
  const fc1 =
    (o.toDs !== false ? 0x01 : 0) |
    (o.fromDs === true ? 0x02 : 0) |
    (o.protected === true ? 0x40 : 0);
  const addr4 = (fc1 & 0x03) === 0x03 ? macBytes("02:00:00:00:00:04") : EMPTY;
  const qos = o.qos === true ? new Uint8Array([0x00, 0x00]) : EMPTY;
  return concat(
    new Uint8Array([fc0, fc1, 0, 0]),
    macBytes("02:00:00:00:00:01"),
    macBytes("02:00:00:00:00:02"),
    macBytes("02:00:00:00:00:03"),
    u16(0),
    addr4,
    qos,
    llcSnap(type, payload),
  );
}

/** A minimal radiotap header (version 0, length 8, no fields present). */
export function radiotap(frame: Uint8Array): Uint8Array {
  return concat(new Uint8Array([0, 0, 8, 0, 0, 0, 0, 0]), frame);
}

/** An SCTP packet (RFC 9260): common header, then the given chunks. */
export function sctp(sport: number, dport: number, chunks: Uint8Array, vtag = 0): Uint8Array {
  return concat(u16(sport), u16(dport), u32(vtag), u32(0), chunks);
}

/** An SCTP chunk: type, flags, length, value (padded to 4 bytes). */
export function sctpChunk(type: number, value: Uint8Array, flags = 0): Uint8Array {
  const pad = (4 - (value.length % 4)) % 4;
  return concat(new Uint8Array([type, flags]), u16(4 + value.length), value, new Uint8Array(pad));
}

export interface DnsMessage {
  id: number;
  response?: boolean;
  qname: string;
  /** 1 A, 28 AAAA, ... */
  qtype?: number;
  /** IPv4 answers (type A) for a response. */
  answers?: readonly string[];
  /** Response code (3 = NXDOMAIN). */
  rcode?: number;
}

/** A DNS message (RFC 1035) with one question and A-record answers. */
export function dns(m: DnsMessage): Uint8Array {
  const answers = m.answers ?? [];
  const flags = m.response === true ? 0x8180 | ((m.rcode ?? 0) & 0x0f) : 0x0100;
  const labels: Uint8Array[] = [];
  for (const label of m.qname.split(".")) {
    if (label === "") continue;
    const b = Buffer.from(label, "ascii");
    labels.push(new Uint8Array([b.length]), b);
  }
  const qname = concat(...labels, new Uint8Array([0]));
  const parts: Uint8Array[] = [
    u16(m.id),
    u16(flags),
    u16(1),
    u16(answers.length),
    u16(0),
    u16(0),
    qname,
    u16(m.qtype ?? 1),
    u16(1),
  ];
  for (const a of answers) {
    parts.push(u16(0xc00c), u16(1), u16(1), u32(300), u16(4), ipv4Bytes(a));
  }
  return concat(...parts);
}
