/**
 * The packet decoder: link layer, network layer, transport layer, into one reusable record
 * (the decoder's own fields), with no allocation per packet and no exception for any input.
 *
 * The flow table and the aggregator read the public fields after each `decode` call. Every
 * read of the frame is preceded by a length check against the end of the captured bytes (or,
 * above IP, the end of the datagram when that comes first), so no byte past `off + caplen`
 * is ever looked at, and a short or malformed frame ends in a status code instead of a throw.
 */
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
  UNSUPPORTED_LINK_TYPE,
} from "./decode-status.js";
import {
  ARP_ETH_IPV4_LEN,
  ARP_FIXED_LEN,
  ARP_HTYPE_ETHERNET,
  ARPHRD_NETLINK,
  BSD_AF_INET,
  BSD_AF_INET6_BSD,
  BSD_AF_INET6_DARWIN,
  BSD_AF_INET6_FREEBSD,
  ETHERNET_HEADER_LEN,
  ETHERNET_MAX_LENGTH_FIELD,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_VLAN,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_HIP,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_MOBILITY,
  IPPROTO_ROUTING,
  IPPROTO_SHIM6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPV4_FLAG_MF,
  IPV4_FRAG_OFFSET_MASK,
  IPV4_MIN_HEADER_LEN,
  IPV6_FRAG_HEADER_LEN,
  IPV6_FRAG_M,
  IPV6_FRAG_OFFSET_MASK,
  IPV6_HEADER_LEN,
  LLC_CONTROL_UI,
  LLC_HEADER_LEN,
  LLC_SAP_SNAP,
  LLC_SNAP_HEADER_LEN,
  NULL_HEADER_LEN,
  SLL_HEADER_LEN,
  SLL_PROTO_802_2,
  SLL2_HEADER_LEN,
  SNAP_OUI_8021H,
  SNAP_OUI_RFC1042,
  TCP_MIN_HEADER_LEN,
  UDP_HEADER_LEN,
  VLAN_TAG_LEN,
  VLAN_VID_MASK,
} from "./protocols.js";

/** What the network layer turned out to be. */
export const L3_NONE = 0; // nothing past the link layer (truncated, or link layer only)
export const L3_ARP = 1;
export const L3_OTHER = 2; // a non-IP, non-ARP payload (LLC, LLDP, ...), by `ethertype`
export const L3_IPV4 = 4;
export const L3_IPV6 = 6;

/** Default number of fragment-table slots (a power of two). */
export const FRAGMENT_SLOTS = 4096;
/** A remembered first fragment lends its ports to later fragments for this long (packet time). */
export const FRAGMENT_MAX_AGE_SEC = 30;

export class Decoder {
  /** Status of the last decode: DECODE_OK or a reason code from decode-status.ts. */
  status = DECODE_OK;
  l3 = L3_NONE;
  /** EtherType of the network layer (after VLAN tags); 0 when the link has none (raw IP). */
  ethertype = 0;
  /** Outermost VLAN id (802.1Q or 802.1ad), 0 when untagged. */
  vlan = 0;
  /** Second VLAN id of a QinQ stack, 0 when there is none. */
  innerVlan = 0;
  /** Number of VLAN tags walked. */
  vlanDepth = 0;
  /** Linux cooked capture packet type (0 to us, 1 broadcast, 4 outgoing, ...); -1 otherwise. */
  pktType = -1;

  // Network layer. Addresses are four big-endian 32-bit words; an IPv4 address is in word 3
  // with words 0..2 zero (the family is told by `l3`).
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** IP protocol number of the transport layer (after IPv6 extension headers); -1 if no IP. */
  proto = -1;
  ttl = 0;
  /** IPv4 identification (16 bits) or the IPv6 fragment header's identification (32 bits). */
  ipId = 0;
  /** 1 when the datagram is a fragment (offset > 0 or more-fragments set). */
  isFragment = 0;
  /** Fragment offset in bytes. */
  fragOffset = 0;
  moreFragments = 0;
  /** Bytes of the IP payload after all IP headers, by the IP length fields (not by caplen). */
  ipPayloadLen = 0;
  /** Offset in `buf` of the network-layer header (IP or ARP); -1 when there is none. */
  l3Offset = -1;
  /** Offset in `buf` of the transport header (after all IP headers); -1 when there is none,
   * as for a later fragment. */
  l4Offset = -1;

  // Transport layer.
  /** 1 when `sport`/`dport` are known: parsed from a first fragment or whole datagram, or
   * taken from the fragment table for a later fragment whose first fragment was seen. */
  hasPorts = 0;
  sport = 0;
  dport = 0;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE, CWR). */
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  /** TCP header length in bytes (data offset * 4). */
  tcpHeaderLen = 0;
  /** ICMP / ICMPv6 type and code; -1 when not ICMP. */
  icmpType = -1;
  icmpCode = -1;
  /** Echo request/reply identifier; -1 for other ICMP messages. */
  icmpId = -1;
  /** Bytes of transport payload by the IP length fields (0 when unknown). */
  l4PayloadLen = 0;

  // ARP (Ethernet/IPv4 only).
  arpOp = 0;
  arpSpa = 0;
  arpTpa = 0;

  /**
   * The fragment table: first fragments leave their ports here for the later fragments of the
   * same datagram, which carry no transport header. It is a fixed-size, direct-mapped table
   * (a colliding datagram overwrites the slot), so memory is bounded whatever the traffic.
   * The key is the full address pair, the protocol and the identification, compared exactly.
   */
  readonly fragmentSlots: number;
  private readonly fragMask: number;
  private readonly fragAddr: Uint32Array; // 8 words per slot: src0..3, dst0..3
  private readonly fragId: Uint32Array;
  private readonly fragKeyProto: Int16Array; // -1 marks an empty slot
  private readonly fragProto: Uint8Array; // transport protocol found behind the first fragment
  private readonly fragPorts: Uint32Array; // sport << 16 | dport
  private readonly fragTs: Float64Array;

  /** `fragmentSlots` is rounded up to a power of two (at least 1). */
  constructor(fragmentSlots = FRAGMENT_SLOTS) {
    let n = 1;
    while (n < fragmentSlots && n < 1 << 24) n <<= 1;
    this.fragmentSlots = n;
    this.fragMask = n - 1;
    this.fragAddr = new Uint32Array(n * 8);
    this.fragId = new Uint32Array(n);
    this.fragKeyProto = new Int16Array(n).fill(-1);
    this.fragProto = new Uint8Array(n);
    this.fragPorts = new Uint32Array(n);
    this.fragTs = new Float64Array(n);
  }

  /** Forgets every remembered fragment (for instance between two unrelated capture files). */
  clearFragments(): void {
    this.fragKeyProto.fill(-1);
  }

  /**
   * Decodes one frame `buf[off .. off + caplen)` of link type `linktype` into this record
   * and returns its status. `tsSec` ages the fragment table.
   */
  decode(buf: Uint8Array, off: number, caplen: number, linktype: number, tsSec: number): number {
    // Reset every per-packet field with plain number stores (no allocation).
    this.l3 = L3_NONE;
    this.ethertype = 0;
    this.vlan = 0;
    this.innerVlan = 0;
    this.vlanDepth = 0;
    this.pktType = -1;
    this.src0 = 0;
    this.src1 = 0;
    this.src2 = 0;
    this.src3 = 0;
    this.dst0 = 0;
    this.dst1 = 0;
    this.dst2 = 0;
    this.dst3 = 0;
    this.proto = -1;
    this.ttl = 0;
    this.ipId = 0;
    this.isFragment = 0;
    this.fragOffset = 0;
    this.moreFragments = 0;
    this.ipPayloadLen = 0;
    this.l3Offset = -1;
    this.l4Offset = -1;
    this.hasPorts = 0;
    this.sport = 0;
    this.dport = 0;
    this.tcpFlags = 0;
    this.tcpSeq = 0;
    this.tcpAck = 0;
    this.tcpWindow = 0;
    this.tcpHeaderLen = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = -1;
    this.l4PayloadLen = 0;
    this.arpOp = 0;
    this.arpSpa = 0;
    this.arpTpa = 0;

    // The frame ends at off + caplen, or at the end of the buffer if the caller got that
    // wrong; nonsense arguments (negative, fractional or NaN offsets) decode as an empty frame.
    let end = off + caplen;
    if (end > buf.length) end = buf.length;
    if (!(end >= off && off >>> 0 === off)) {
      off = 0;
      end = 0;
    }

    let st: number;
    switch (linktype) {
      case LINKTYPE_ETHERNET:
        st = this.ethernet(buf, off, end, tsSec);
        break;
      case LINKTYPE_LINUX_SLL:
        st = this.sll(buf, off, end, tsSec);
        break;
      case LINKTYPE_LINUX_SLL2:
        st = this.sll2(buf, off, end, tsSec);
        break;
      case LINKTYPE_RAW:
      case DLT_RAW_12:
      case DLT_RAW_14:
        st = this.rawIp(buf, off, end, tsSec);
        break;
      case LINKTYPE_NULL:
        st = this.bsdLoopback(buf, off, end, tsSec, 0);
        break;
      case LINKTYPE_LOOP:
        st = this.bsdLoopback(buf, off, end, tsSec, 1);
        break;
      case LINKTYPE_IPV4:
        st = this.ipv4(buf, off, end, tsSec);
        break;
      case LINKTYPE_IPV6:
        st = this.ipv6(buf, off, end, tsSec);
        break;
      default:
        st = UNSUPPORTED_LINK_TYPE;
    }
    this.status = st;
    return st;
  }

  // -------------------------------------------------------------------------------------------
  // Link layer
  // -------------------------------------------------------------------------------------------

  private ethernet(buf: Uint8Array, off: number, end: number, ts: number): number {
    if (end - off < ETHERNET_HEADER_LEN) return TRUNCATED_ETHERNET;
    // Fast path: an untagged IPv4 frame, the overwhelming majority on most links.
    const type = (buf[off + 12] << 8) | buf[off + 13];
    if (type === ETHERTYPE_IPV4) {
      this.ethertype = ETHERTYPE_IPV4;
      return this.ipv4(buf, off + ETHERNET_HEADER_LEN, end, ts);
    }
    return this.etherPayload(buf, off + ETHERNET_HEADER_LEN, end, type, ts);
  }

  /**
   * What follows an EtherType field: VLAN tags (any depth, walked in a loop, never by
   * recursion), then an 802.3 length (LLC) or the network layer.
   */
  private etherPayload(buf: Uint8Array, p: number, end: number, type: number, ts: number): number {
    while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      if (end - p < VLAN_TAG_LEN) return TRUNCATED_VLAN;
      const vid = ((buf[p] << 8) | buf[p + 1]) & VLAN_VID_MASK;
      const depth = this.vlanDepth + 1;
      this.vlanDepth = depth;
      if (depth === 1) this.vlan = vid;
      else if (depth === 2) this.innerVlan = vid;
      type = (buf[p + 2] << 8) | buf[p + 3];
      p += VLAN_TAG_LEN;
    }
    if (type <= ETHERNET_MAX_LENGTH_FIELD) return this.llc(buf, p, end, ts);
    return this.network(buf, p, end, type, ts);
  }

  /**
   * An IEEE 802.2 LLC header. Only SNAP with an EtherType inside (OUI 00-00-00 per RFC 1042,
   * or 00-00-F8 per 802.1H) leads on to a network layer; every other LLC payload (STP, NetBIOS,
   * CDP under Cisco's OUI, ...) is L3_OTHER with `ethertype` 0.
   */
  private llc(buf: Uint8Array, p: number, end: number, ts: number): number {
    if (end - p < LLC_HEADER_LEN) return TRUNCATED_LLC;
    // The low bit of the SSAP is the command/response bit, so AA and AB are both SNAP.
    if (
      buf[p] === LLC_SAP_SNAP &&
      (buf[p + 1] & 0xfe) === LLC_SAP_SNAP &&
      buf[p + 2] === LLC_CONTROL_UI
    ) {
      if (end - p < LLC_SNAP_HEADER_LEN) return TRUNCATED_LLC;
      const oui = (buf[p + 3] << 16) | (buf[p + 4] << 8) | buf[p + 5];
      if (oui === SNAP_OUI_RFC1042 || oui === SNAP_OUI_8021H) {
        const type = (buf[p + 6] << 8) | buf[p + 7];
        // No VLAN or LLC again here: that would allow unbounded nesting of headers.
        if (type > ETHERNET_MAX_LENGTH_FIELD) {
          return this.network(buf, p + LLC_SNAP_HEADER_LEN, end, type, ts);
        }
      }
    }
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  private network(buf: Uint8Array, p: number, end: number, type: number, ts: number): number {
    this.ethertype = type;
    if (type === ETHERTYPE_IPV4) return this.ipv4(buf, p, end, ts);
    if (type === ETHERTYPE_IPV6) return this.ipv6(buf, p, end, ts);
    if (type === ETHERTYPE_ARP) return this.arp(buf, p, end);
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  /** Linux cooked capture v1: the protocol is at offset 14, the ARPHRD type at offset 2. */
  private sll(buf: Uint8Array, off: number, end: number, ts: number): number {
    if (end - off < SLL_HEADER_LEN) return TRUNCATED_SLL;
    this.pktType = (buf[off] << 8) | buf[off + 1];
    const hatype = (buf[off + 2] << 8) | buf[off + 3];
    const proto = (buf[off + 14] << 8) | buf[off + 15];
    return this.cooked(buf, off + SLL_HEADER_LEN, end, hatype, proto, ts);
  }

  /** Linux cooked capture v2: the protocol is at offset 0, the ARPHRD type at offset 8. */
  private sll2(buf: Uint8Array, off: number, end: number, ts: number): number {
    if (end - off < SLL2_HEADER_LEN) return TRUNCATED_SLL2;
    this.pktType = buf[off + 10];
    const hatype = (buf[off + 8] << 8) | buf[off + 9];
    const proto = (buf[off] << 8) | buf[off + 1];
    return this.cooked(buf, off + SLL2_HEADER_LEN, end, hatype, proto, ts);
  }

  private cooked(
    buf: Uint8Array,
    p: number,
    end: number,
    hatype: number,
    proto: number,
    ts: number,
  ): number {
    // Netlink captures put the netlink family in the protocol field.
    if (hatype === ARPHRD_NETLINK) {
      this.l3 = L3_OTHER;
      return DECODE_OK;
    }
    if (proto === SLL_PROTO_802_2) return this.llc(buf, p, end, ts);
    // Other values below 0x0600 are Linux pseudo-protocols (ETH_P_802_3, ETH_P_CAN, ...).
    if (proto <= ETHERNET_MAX_LENGTH_FIELD) {
      this.l3 = L3_OTHER;
      return DECODE_OK;
    }
    return this.etherPayload(buf, p, end, proto, ts);
  }

  /**
   * BSD loopback: a 32-bit address family. DLT_NULL writes it in the capturing host's byte
   * order, which the file does not record, so both orders are tried; LOOP is network order.
   */
  private bsdLoopback(
    buf: Uint8Array,
    off: number,
    end: number,
    ts: number,
    networkOrder: number,
  ): number {
    if (end - off < NULL_HEADER_LEN) return TRUNCATED_NULL;
    const be = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
    const le =
      networkOrder === 1
        ? be
        : ((buf[off + 3] << 24) | (buf[off + 2] << 16) | (buf[off + 1] << 8) | buf[off]) >>> 0;
    const p = off + NULL_HEADER_LEN;
    if (be === BSD_AF_INET || le === BSD_AF_INET) return this.ipv4(buf, p, end, ts);
    if (
      be === BSD_AF_INET6_BSD ||
      be === BSD_AF_INET6_FREEBSD ||
      be === BSD_AF_INET6_DARWIN ||
      le === BSD_AF_INET6_BSD ||
      le === BSD_AF_INET6_FREEBSD ||
      le === BSD_AF_INET6_DARWIN
    ) {
      return this.ipv6(buf, p, end, ts);
    }
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  /** Raw IP: the version nibble of the first byte tells IPv4 from IPv6. */
  private rawIp(buf: Uint8Array, off: number, end: number, ts: number): number {
    if (end - off < 1) return TRUNCATED_IP;
    const version = buf[off] >> 4;
    if (version === 4) return this.ipv4(buf, off, end, ts);
    if (version === 6) return this.ipv6(buf, off, end, ts);
    return BAD_IP_VERSION;
  }

  // -------------------------------------------------------------------------------------------
  // Network layer
  // -------------------------------------------------------------------------------------------

  /** ARP (RFC 826); addresses are read only for Ethernet hardware and IPv4 protocol. */
  private arp(buf: Uint8Array, p: number, end: number): number {
    if (end - p < ARP_FIXED_LEN) return TRUNCATED_ARP;
    this.l3 = L3_ARP;
    this.l3Offset = p;
    this.arpOp = (buf[p + 6] << 8) | buf[p + 7];
    const htype = (buf[p] << 8) | buf[p + 1];
    const ptype = (buf[p + 2] << 8) | buf[p + 3];
    // Hardware length 6 and protocol length 4, or the addresses are elsewhere.
    if (
      htype !== ARP_HTYPE_ETHERNET ||
      ptype !== ETHERTYPE_IPV4 ||
      buf[p + 4] !== 6 ||
      buf[p + 5] !== 4
    ) {
      return DECODE_OK;
    }
    if (end - p < ARP_ETH_IPV4_LEN) return TRUNCATED_ARP;
    // Sender protocol address at 14 (after 8 fixed + 6 MAC), target at 24.
    const spa =
      ((buf[p + 14] << 24) | (buf[p + 15] << 16) | (buf[p + 16] << 8) | buf[p + 17]) >>> 0;
    const tpa =
      ((buf[p + 24] << 24) | (buf[p + 25] << 16) | (buf[p + 26] << 8) | buf[p + 27]) >>> 0;
    this.arpSpa = spa;
    this.arpTpa = tpa;
    this.src3 = spa;
    this.dst3 = tpa;
    return DECODE_OK;
  }

  /**
   * IPv4 (RFC 791). The fixed 20 bytes make the layer valid (addresses, protocol, fragment
   * fields); options are skipped by IHL. Bytes captured beyond the total length are link
   * padding and are ignored; a total length beyond the captured bytes is only the snaplen.
   */
  private ipv4(buf: Uint8Array, p: number, end: number, ts: number): number {
    if (end - p < IPV4_MIN_HEADER_LEN) return TRUNCATED_IPV4;
    const vihl = buf[p];
    const hl = (vihl & 0x0f) << 2;
    if (vihl >> 4 !== 4 || hl < IPV4_MIN_HEADER_LEN) return BAD_IPV4_HEADER;
    const total = (buf[p + 2] << 8) | buf[p + 3];
    const frag = (buf[p + 6] << 8) | buf[p + 7];
    const fragOffset = (frag & IPV4_FRAG_OFFSET_MASK) << 3;
    const mf = (frag & IPV4_FLAG_MF) === 0 ? 0 : 1;
    const proto = buf[p + 9];
    this.l3 = L3_IPV4;
    this.l3Offset = p;
    this.ipId = (buf[p + 4] << 8) | buf[p + 5];
    this.fragOffset = fragOffset;
    this.moreFragments = mf;
    this.isFragment = fragOffset > 0 || mf === 1 ? 1 : 0;
    this.ttl = buf[p + 8];
    this.proto = proto;
    this.src3 =
      ((buf[p + 12] << 24) | (buf[p + 13] << 16) | (buf[p + 14] << 8) | buf[p + 15]) >>> 0;
    this.dst3 =
      ((buf[p + 16] << 24) | (buf[p + 17] << 16) | (buf[p + 18] << 8) | buf[p + 19]) >>> 0;
    if (total < hl) return BAD_IPV4_LENGTH;
    if (end - p < hl) return TRUNCATED_IPV4; // options cut by the snaplen
    const payloadLen = total - hl;
    this.ipPayloadLen = payloadLen;
    let lim = p + total;
    if (lim > end) lim = end;

    if (fragOffset > 0) {
      // A later fragment: no transport header, ports only from the datagram's first fragment.
      this.l4PayloadLen = payloadLen;
      this.fragLookup(proto, this.ipId, ts);
      return DECODE_OK;
    }
    const st = this.transport(buf, p + hl, lim, proto);
    if (mf === 1 && this.hasPorts === 1) this.fragStore(proto, this.ipId, ts);
    return st;
  }

  /**
   * IPv6 (RFC 8200) and its extension-header chain. The chain is walked in a loop; each
   * header is at least 8 bytes and must fit in the datagram, so the walk always ends.
   */
  private ipv6(buf: Uint8Array, p: number, end: number, ts: number): number {
    if (end - p < IPV6_HEADER_LEN) return TRUNCATED_IPV6;
    if (buf[p] >> 4 !== 6) return BAD_IPV6_HEADER;
    this.l3 = L3_IPV6;
    this.l3Offset = p;
    this.ttl = buf[p + 7];
    this.src0 = ((buf[p + 8] << 24) | (buf[p + 9] << 16) | (buf[p + 10] << 8) | buf[p + 11]) >>> 0;
    this.src1 =
      ((buf[p + 12] << 24) | (buf[p + 13] << 16) | (buf[p + 14] << 8) | buf[p + 15]) >>> 0;
    this.src2 =
      ((buf[p + 16] << 24) | (buf[p + 17] << 16) | (buf[p + 18] << 8) | buf[p + 19]) >>> 0;
    this.src3 =
      ((buf[p + 20] << 24) | (buf[p + 21] << 16) | (buf[p + 22] << 8) | buf[p + 23]) >>> 0;
    this.dst0 =
      ((buf[p + 24] << 24) | (buf[p + 25] << 16) | (buf[p + 26] << 8) | buf[p + 27]) >>> 0;
    this.dst1 =
      ((buf[p + 28] << 24) | (buf[p + 29] << 16) | (buf[p + 30] << 8) | buf[p + 31]) >>> 0;
    this.dst2 =
      ((buf[p + 32] << 24) | (buf[p + 33] << 16) | (buf[p + 34] << 8) | buf[p + 35]) >>> 0;
    this.dst3 =
      ((buf[p + 36] << 24) | (buf[p + 37] << 16) | (buf[p + 38] << 8) | buf[p + 39]) >>> 0;
    const plen = (buf[p + 4] << 8) | buf[p + 5];
    // A payload length of 0 is a jumbogram (RFC 2675) or a segmentation-offloaded packet seen
    // before the NIC split it; either way the captured bytes are all there is to go by.
    const ipEnd = plen === 0 ? end : p + IPV6_HEADER_LEN + plen;
    const lim = Math.min(ipEnd, end);
    let nh = buf[p + 6];
    let q = p + IPV6_HEADER_LEN;
    let fragKey = -1; // the fragment header's next header, when this is a first fragment

    for (;;) {
      if (
        nh === IPPROTO_HOPOPTS ||
        nh === IPPROTO_ROUTING ||
        nh === IPPROTO_DSTOPTS ||
        nh === IPPROTO_MOBILITY ||
        nh === IPPROTO_HIP ||
        nh === IPPROTO_SHIM6
      ) {
        // Generic format: next header, length in 8-byte units not counting the first 8.
        if (lim - q < 8) return this.ipv6Stop(nh, ipEnd, q, TRUNCATED_IPV6_EXT);
        const len = (buf[q + 1] + 1) << 3;
        if (lim - q < len) return this.ipv6Stop(nh, ipEnd, q, TRUNCATED_IPV6_EXT);
        nh = buf[q];
        q += len;
      } else if (nh === IPPROTO_AH) {
        // AH counts 4-byte units minus 2 (RFC 4302 section 2.2).
        if (lim - q < 8) return this.ipv6Stop(nh, ipEnd, q, TRUNCATED_IPV6_EXT);
        const len = (buf[q + 1] + 2) << 2;
        if (lim - q < len) return this.ipv6Stop(nh, ipEnd, q, TRUNCATED_IPV6_EXT);
        nh = buf[q];
        q += len;
      } else if (nh === IPPROTO_FRAGMENT) {
        if (lim - q < IPV6_FRAG_HEADER_LEN) return this.ipv6Stop(nh, ipEnd, q, TRUNCATED_IPV6_EXT);
        const w = (buf[q + 2] << 8) | buf[q + 3];
        const fragOffset = w & IPV6_FRAG_OFFSET_MASK;
        const more = w & IPV6_FRAG_M;
        this.fragOffset = fragOffset;
        this.moreFragments = more;
        // Offset 0 without M is an atomic fragment (RFC 6946): a whole datagram.
        this.isFragment = fragOffset > 0 || more === 1 ? 1 : 0;
        this.ipId =
          ((buf[q + 4] << 24) | (buf[q + 5] << 16) | (buf[q + 6] << 8) | buf[q + 7]) >>> 0;
        nh = buf[q];
        q += IPV6_FRAG_HEADER_LEN;
        if (fragOffset > 0) {
          // A later fragment: what follows is the middle of the datagram (RFC 8200 4.5).
          this.ipv6Stop(nh, ipEnd, q, DECODE_OK);
          this.l4PayloadLen = this.ipPayloadLen;
          this.fragLookup(nh, this.ipId, ts);
          return DECODE_OK;
        }
        if (more === 1) fragKey = nh;
      } else {
        break;
      }
    }

    this.ipv6Stop(nh, ipEnd, q, DECODE_OK);
    const st = this.transport(buf, q, lim, nh);
    if (fragKey >= 0 && this.hasPorts === 1) this.fragStore(fragKey, this.ipId, ts);
    return st;
  }

  /** Records where the IPv6 header chain ended: protocol and payload length after it. */
  private ipv6Stop(nh: number, ipEnd: number, q: number, st: number): number {
    this.proto = nh;
    this.ipPayloadLen = ipEnd > q ? ipEnd - q : 0;
    return st;
  }

  // -------------------------------------------------------------------------------------------
  // Transport layer
  // -------------------------------------------------------------------------------------------

  /** `lim` is the end of the datagram or of the captured bytes, whichever comes first. */
  private transport(buf: Uint8Array, q: number, lim: number, proto: number): number {
    this.l4Offset = q;
    if (proto === IPPROTO_TCP) return this.tcp(buf, q, lim);
    if (proto === IPPROTO_UDP) return this.udp(buf, q, lim);
    if (proto === IPPROTO_ICMP) return this.icmp(buf, q, lim, TRUNCATED_ICMP);
    if (proto === IPPROTO_ICMPV6) return this.icmp(buf, q, lim, TRUNCATED_ICMPV6);
    // Any other protocol (ESP, GRE, SCTP, No Next Header, ...) is counted by number.
    this.l4PayloadLen = this.ipPayloadLen;
    return DECODE_OK;
  }

  /**
   * TCP (RFC 9293 section 3.1). The fixed 20 bytes make the layer valid; options cut by the
   * snaplen are not an error, as for IP, but a data offset below 5 or one that does not fit
   * in the datagram is BAD_TCP_HEADER (the fields read so far are kept).
   */
  private tcp(buf: Uint8Array, q: number, lim: number): number {
    if (lim - q < TCP_MIN_HEADER_LEN) return TRUNCATED_TCP;
    this.hasPorts = 1;
    this.sport = (buf[q] << 8) | buf[q + 1];
    this.dport = (buf[q + 2] << 8) | buf[q + 3];
    this.tcpSeq = ((buf[q + 4] << 24) | (buf[q + 5] << 16) | (buf[q + 6] << 8) | buf[q + 7]) >>> 0;
    this.tcpAck =
      ((buf[q + 8] << 24) | (buf[q + 9] << 16) | (buf[q + 10] << 8) | buf[q + 11]) >>> 0;
    const hl = (buf[q + 12] >> 4) << 2;
    this.tcpHeaderLen = hl;
    this.tcpFlags = buf[q + 13];
    this.tcpWindow = (buf[q + 14] << 8) | buf[q + 15];
    if (hl < TCP_MIN_HEADER_LEN) return BAD_TCP_HEADER;
    const payload = this.ipPayloadLen - hl;
    if (payload < 0) return BAD_TCP_HEADER;
    this.l4PayloadLen = payload;
    return DECODE_OK;
  }

  private udp(buf: Uint8Array, q: number, lim: number): number {
    if (lim - q < UDP_HEADER_LEN) return TRUNCATED_UDP;
    this.hasPorts = 1;
    this.sport = (buf[q] << 8) | buf[q + 1];
    this.dport = (buf[q + 2] << 8) | buf[q + 3];
    const payload = this.ipPayloadLen - UDP_HEADER_LEN;
    this.l4PayloadLen = Math.max(payload, 0);
    return DECODE_OK;
  }

  /** ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code, and the echo identifier. */
  private icmp(buf: Uint8Array, q: number, lim: number, truncated: number): number {
    if (lim - q < ICMP_HEADER_LEN) return truncated;
    const type = buf[q];
    this.icmpType = type;
    this.icmpCode = buf[q + 1];
    if (truncated === TRUNCATED_ICMP) {
      if (type === ICMP_ECHO_REQUEST || type === ICMP_ECHO_REPLY) {
        this.icmpId = (buf[q + 4] << 8) | buf[q + 5];
      }
    } else if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
      this.icmpId = (buf[q + 4] << 8) | buf[q + 5];
    }
    const payload = this.ipPayloadLen - ICMP_HEADER_LEN;
    this.l4PayloadLen = Math.max(payload, 0);
    return DECODE_OK;
  }

  // -------------------------------------------------------------------------------------------
  // Fragment table
  // -------------------------------------------------------------------------------------------

  private fragSlot(keyProto: number, id: number): number {
    let h = Math.imul(this.src0 ^ this.src1 ^ this.src2 ^ this.src3 ^ keyProto, 0x9e3779b1);
    h = Math.imul(h ^ this.dst0 ^ this.dst1 ^ this.dst2 ^ this.dst3, 0x85ebca6b);
    h = Math.imul(h ^ id, 0xc2b2ae35);
    h ^= h >>> 15;
    return h & this.fragMask;
  }

  private fragStore(keyProto: number, id: number, ts: number): void {
    const s = this.fragSlot(keyProto, id);
    const a = s << 3;
    const addr = this.fragAddr;
    addr[a] = this.src0;
    addr[a + 1] = this.src1;
    addr[a + 2] = this.src2;
    addr[a + 3] = this.src3;
    addr[a + 4] = this.dst0;
    addr[a + 5] = this.dst1;
    addr[a + 6] = this.dst2;
    addr[a + 7] = this.dst3;
    this.fragId[s] = id;
    this.fragKeyProto[s] = keyProto;
    this.fragProto[s] = this.proto;
    this.fragPorts[s] = ((this.sport << 16) | this.dport) >>> 0;
    this.fragTs[s] = ts;
  }

  /** Gives a later fragment the ports (and, for IPv6, the transport protocol) of its first. */
  private fragLookup(keyProto: number, id: number, ts: number): void {
    const s = this.fragSlot(keyProto, id);
    if (this.fragKeyProto[s] !== keyProto || this.fragId[s] !== id) return;
    const a = s << 3;
    const addr = this.fragAddr;
    if (
      addr[a] !== this.src0 ||
      addr[a + 1] !== this.src1 ||
      addr[a + 2] !== this.src2 ||
      addr[a + 3] !== this.src3 ||
      addr[a + 4] !== this.dst0 ||
      addr[a + 5] !== this.dst1 ||
      addr[a + 6] !== this.dst2 ||
      addr[a + 7] !== this.dst3
    ) {
      return;
    }
    const age = ts - this.fragTs[s];
    if (age > FRAGMENT_MAX_AGE_SEC || age < -FRAGMENT_MAX_AGE_SEC) return;
    const ports = this.fragPorts[s];
    this.proto = this.fragProto[s];
    this.hasPorts = 1;
    this.sport = ports >>> 16;
    this.dport = ports & 0xffff;
  }
}
