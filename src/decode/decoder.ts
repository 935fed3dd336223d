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
} from "../packet/link-types.js";
import {
  BAD_IP_VERSION,
  BAD_IPV4_HEADER,
  BAD_IPV4_LENGTH,
  BAD_IPV6_HEADER,
  BAD_RADIOTAP,
  BAD_TCP_HEADER,
  DECODE_OK,
  ENCAPSULATION_TOO_DEEP,
  IPV4_TOTAL_LENGTH_ZERO,
  TRUNCATED_80211,
  TRUNCATED_ARP,
  TRUNCATED_ETHERNET,
  TRUNCATED_FABRICPATH,
  TRUNCATED_GRE,
  TRUNCATED_ICMP,
  TRUNCATED_ICMPV6,
  TRUNCATED_IP,
  TRUNCATED_IPV4,
  TRUNCATED_IPV6,
  TRUNCATED_IPV6_EXT,
  TRUNCATED_LLC,
  TRUNCATED_MPLS,
  TRUNCATED_NULL,
  TRUNCATED_PBB,
  TRUNCATED_PPP,
  TRUNCATED_PPPOE,
  TRUNCATED_RADIOTAP,
  TRUNCATED_SCTP,
  TRUNCATED_SLL,
  TRUNCATED_SLL2,
  TRUNCATED_TCP,
  TRUNCATED_TUNNEL,
  TRUNCATED_UDP,
  TRUNCATED_VLAN,
  TRUNCATED_VNTAG,
  UNSUPPORTED_LINK_TYPE,
} from "./decode-status.js";
import {
  ARP_ETH_IPV4_LEN,
  ARP_FIXED_LEN,
  ARP_HTYPE_ETHERNET,
  ARPHRD_NETLINK,
  AYIYA_HEADER_LEN,
  AYIYA_OPCODE_FORWARD,
  BSD_AF_INET,
  BSD_AF_INET6_BSD,
  BSD_AF_INET6_DARWIN,
  BSD_AF_INET6_FREEBSD,
  ERSPAN_II_HEADER_LEN,
  ERSPAN_III_HEADER_LEN,
  ERSPAN_III_PLATFORM_LEN,
  ETHERNET_HEADER_LEN,
  ETHERNET_MAX_LENGTH_FIELD,
  ETHERTYPE_ARP,
  ETHERTYPE_ERSPAN_II,
  ETHERTYPE_ERSPAN_III,
  ETHERTYPE_FABRICPATH,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_MPLS_MULTICAST,
  ETHERTYPE_MPLS_UNICAST,
  ETHERTYPE_PBB,
  ETHERTYPE_PPP,
  ETHERTYPE_PPPOE_SESSION,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_TEB,
  ETHERTYPE_VLAN,
  ETHERTYPE_VNTAG,
  FABRICPATH_TAG_LEN,
  GENEVE_HEADER_LEN,
  GRE_FLAG_CHECKSUM,
  GRE_FLAG_KEY,
  GRE_FLAG_ROUTING,
  GRE_FLAG_SEQUENCE,
  GRE_HEADER_LEN,
  GRE_V1_FLAG_ACK,
  GRE_VERSION_MASK,
  GTPU_FLAG_PT,
  GTPU_FLAGS_E,
  GTPU_FLAGS_OPTIONAL,
  GTPU_G_PDU,
  GTPU_HEADER_LEN,
  GTPU_OPTIONAL_LEN,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_HEADER_LEN,
  ICMPV6_ECHO_REPLY,
  ICMPV6_ECHO_REQUEST,
  IEEE80211_ADDR4_LEN,
  IEEE80211_FC1_DS_MASK,
  IEEE80211_FC1_ORDER,
  IEEE80211_FC1_PROTECTED,
  IEEE80211_HEADER_LEN,
  IEEE80211_HT_CONTROL_LEN,
  IEEE80211_QOS_AMSDU,
  IEEE80211_QOS_LEN,
  IEEE80211_SUBTYPE_NO_DATA,
  IEEE80211_SUBTYPE_QOS,
  IEEE80211_TYPE_DATA,
  IPPROTO_AH,
  IPPROTO_DSTOPTS,
  IPPROTO_FRAGMENT,
  IPPROTO_GRE,
  IPPROTO_HIP,
  IPPROTO_HOPOPTS,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_IPIP,
  IPPROTO_IPV6,
  IPPROTO_MOBILITY,
  IPPROTO_ROUTING,
  IPPROTO_SCTP,
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
  MPLS_BOTTOM_OF_STACK,
  MPLS_LABEL_LEN,
  NULL_HEADER_LEN,
  PBB_ITAG_LEN,
  PPP_HDLC_ADDRESS,
  PPP_HDLC_CONTROL,
  PPP_IPV4,
  PPP_IPV6,
  PPP_MPLS_MULTICAST,
  PPP_MPLS_UNICAST,
  PPPOE_CODE_SESSION,
  PPPOE_HEADER_LEN,
  PPPOE_VER_TYPE,
  RADIOTAP_MIN_LEN,
  SCTP_COMMON_HEADER_LEN,
  SLL_HEADER_LEN,
  SLL_PROTO_802_2,
  SLL2_HEADER_LEN,
  SNAP_OUI_8021H,
  SNAP_OUI_RFC1042,
  TCP_MIN_HEADER_LEN,
  TEREDO_AUTH,
  TEREDO_AUTH_FIXED_LEN,
  TEREDO_ORIGIN,
  TEREDO_ORIGIN_LEN,
  UDP_HEADER_LEN,
  UDP_PORT_AYIYA,
  UDP_PORT_GENEVE,
  UDP_PORT_GTPU,
  UDP_PORT_TEREDO,
  UDP_PORT_VXLAN,
  VLAN_TAG_LEN,
  VLAN_VID_MASK,
  VNTAG_LEN,
  VXLAN_FLAG_I,
  VXLAN_HEADER_LEN,
} from "./protocols.js";

/** What the network layer turned out to be. */
export const L3_NONE = 0; // nothing past the link layer (truncated, or link layer only)
export const L3_ARP = 1;
export const L3_OTHER = 2; // a non-IP, non-ARP payload (LLC, LLDP, ...), by `ethertype`
export const L3_IPV4 = 4;
export const L3_IPV6 = 6;

/** Tunnels the decoder walks into (`tunnelType`); names as Zeek's Tunnel::Type spells them,
 * lower-case: the `tunnel` of a flow record. */
export const TUNNEL_NONE = 0;
export const TUNNEL_IP = 1; // IP in IP: 4in4, 6in4 (proto 41), 4in6, 6in6
export const TUNNEL_GRE = 2; // including ERSPAN, PPTP's PPP, and MPLS over GRE
export const TUNNEL_VXLAN = 3;
export const TUNNEL_GENEVE = 4;
export const TUNNEL_GTPV1 = 5;
export const TUNNEL_TEREDO = 6;
export const TUNNEL_AYIYA = 7;
export const TUNNEL_NAMES: readonly string[] = [
  "",
  "ip",
  "gre",
  "vxlan",
  "geneve",
  "gtpv1",
  "teredo",
  "ayiya",
];

/**
 * Most nested encapsulations of one packet: tunnels and the link-layer shims that wrap a
 * whole Ethernet frame again (802.1ah, FabricPath, VN-Tag). Zeek stops at two tunnels by
 * default (Tunnel::max_depth); four covers a VXLAN overlay carried over GRE and more, and
 * bounds both the work and the recursion for any input.
 */
export const MAX_ENCAP_DEPTH = 4;

/** What a tunnel carries. */
const INNER_IP = 0; // IPv4 or IPv6, told by the version nibble
const INNER_IPV4 = 4;
const INNER_IPV6 = 6;
const INNER_ETHERNET = 1;
const INNER_MPLS = 2;
const INNER_PPP = 3;

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

  // Encapsulation. When the packet came through tunnels, the fields above describe the
  // innermost packet and these the outermost tunnel: its type, its outer addresses, protocol
  // and ports (the tunnel's own flow). They are valid only while `tunnelDepth` > 0.
  /** Nested encapsulations walked (tunnels and Ethernet-in-Ethernet shims). */
  encapDepth = 0;
  /** Tunnels walked; 0 when the packet was not tunneled. */
  tunnelDepth = 0;
  tunnelType = TUNNEL_NONE;
  /** 4 or 6. */
  tunnelFamily = 0;
  tunnelSrc0 = 0;
  tunnelSrc1 = 0;
  tunnelSrc2 = 0;
  tunnelSrc3 = 0;
  tunnelDst0 = 0;
  tunnelDst1 = 0;
  tunnelDst2 = 0;
  tunnelDst3 = 0;
  /** The outer transport: GRE (47), IP in IP (4, 41) or UDP (17), and its ports (UDP). */
  tunnelProto = 0;
  tunnelSport = 0;
  tunnelDport = 0;
  /** Transport payload bytes of the outer packet, by its IP length fields. */
  tunnelPayloadLen = 0;
  // What else the outer packet's record held, to restore it when nothing inside decodes.
  private outerTtl = 0;
  private outerIpId = 0;
  private outerIpPayloadLen = 0;
  private outerL3Offset = -1;
  private outerL4Offset = -1;

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

  /** Clears the network and transport layers (for each packet, and inside each tunnel). */
  private resetNetwork(): void {
    this.l3 = L3_NONE;
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
  }

  /**
   * Decodes one frame `buf[off .. off + caplen)` of link type `linktype` into this record
   * and returns its status. `tsSec` ages the fragment table.
   */
  decode(buf: Uint8Array, off: number, caplen: number, linktype: number, tsSec: number): number {
    // Reset every per-packet field with plain number stores (no allocation).
    this.ethertype = 0;
    this.vlan = 0;
    this.innerVlan = 0;
    this.vlanDepth = 0;
    this.pktType = -1;
    this.encapDepth = 0;
    this.tunnelDepth = 0;
    this.tunnelType = TUNNEL_NONE;
    this.resetNetwork();

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
      case LINKTYPE_PPP:
      case LINKTYPE_PPP_HDLC:
        st = this.ppp(buf, off, end, tsSec);
        break;
      case LINKTYPE_PPP_ETHER:
        st = this.pppoe(buf, off, end, tsSec);
        break;
      case LINKTYPE_IEEE802_11_RADIOTAP:
        st = this.radiotap(buf, off, end, tsSec);
        break;
      case LINKTYPE_IEEE802_11:
        st = this.ieee80211(buf, off, end, tsSec);
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
      // The flow's VLANs are those of the outermost frame: tags inside a tunnel (a VXLAN
      // tenant's, say) are walked but not kept.
      if (this.tunnelDepth === 0) {
        if (depth === 1) this.vlan = vid;
        else if (depth === 2) this.innerVlan = vid;
      }
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
    if (type === ETHERTYPE_MPLS_UNICAST || type === ETHERTYPE_MPLS_MULTICAST) {
      return this.mpls(buf, p, end, ts);
    }
    if (type === ETHERTYPE_PPPOE_SESSION) return this.pppoe(buf, p, end, ts);
    if (type === ETHERTYPE_PBB || type === ETHERTYPE_FABRICPATH || type === ETHERTYPE_VNTAG) {
      return this.shim(buf, p, end, type, ts);
    }
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  /**
   * Shims that wrap a frame again: an 802.1ah I-TAG or a FabricPath header (each followed by
   * the customer's MAC addresses and EtherType), or a VN-Tag (followed by the next EtherType).
   * Each counts as one encapsulation, so nesting them is bounded.
   */
  private shim(buf: Uint8Array, p: number, end: number, type: number, ts: number): number {
    if (this.encapDepth >= MAX_ENCAP_DEPTH) return ENCAPSULATION_TOO_DEEP;
    this.encapDepth += 1;
    let skip: number;
    let truncated: number;
    if (type === ETHERTYPE_PBB) {
      skip = PBB_ITAG_LEN;
      truncated = TRUNCATED_PBB;
    } else if (type === ETHERTYPE_FABRICPATH) {
      skip = FABRICPATH_TAG_LEN + 12;
      truncated = TRUNCATED_FABRICPATH;
    } else {
      skip = VNTAG_LEN;
      truncated = TRUNCATED_VNTAG;
    }
    if (end - p < skip + 2) return truncated;
    const next = (buf[p + skip] << 8) | buf[p + skip + 1];
    return this.etherPayload(buf, p + skip + 2, end, next, ts);
  }

  /**
   * An MPLS label stack (RFC 3032), then the payload. MPLS does not say what it carries; as
   * Zeek and Wireshark do, the first nibble after the bottom of the stack tells IPv4 (4) from
   * IPv6 (6); anything else (a pseudowire, say) is counted as OTHER.
   */
  private mpls(buf: Uint8Array, p: number, end: number, ts: number): number {
    let q = p;
    for (;;) {
      if (end - q < MPLS_LABEL_LEN) return TRUNCATED_MPLS;
      const bottom = buf[q + 2] & MPLS_BOTTOM_OF_STACK;
      q += MPLS_LABEL_LEN;
      if (bottom !== 0) break;
    }
    if (end - q < 1) return TRUNCATED_MPLS;
    const version = buf[q] >> 4;
    if (version === 4) return this.ipv4(buf, q, end, ts);
    if (version === 6) return this.ipv6(buf, q, end, ts);
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  /** A PPPoE session packet (RFC 2516): its header, then a PPP protocol and payload. Discovery
   * packets and other codes are OTHER. */
  private pppoe(buf: Uint8Array, p: number, end: number, ts: number): number {
    if (end - p < PPPOE_HEADER_LEN + 2) return TRUNCATED_PPPOE;
    if (buf[p] !== PPPOE_VER_TYPE || buf[p + 1] !== PPPOE_CODE_SESSION) {
      this.l3 = L3_OTHER;
      return DECODE_OK;
    }
    // The length field counts the PPP protocol and payload; bytes after it are padding.
    const len = (buf[p + 4] << 8) | buf[p + 5];
    const lim = Math.min(end, p + PPPOE_HEADER_LEN + len);
    const proto = (buf[p + 6] << 8) | buf[p + 7];
    return this.pppPayload(buf, p + PPPOE_HEADER_LEN + 2, lim, proto, ts);
  }

  /**
   * A PPP frame (RFC 1661): the HDLC address and control bytes when present (RFC 1662), then
   * the protocol, one byte when compressed (an odd first byte, RFC 1661 section 6.5).
   */
  private ppp(buf: Uint8Array, p: number, end: number, ts: number): number {
    let q = p;
    if (end - q >= 2 && buf[q] === PPP_HDLC_ADDRESS && buf[q + 1] === PPP_HDLC_CONTROL) q += 2;
    if (end - q < 1) return TRUNCATED_PPP;
    let proto = buf[q];
    if ((proto & 1) === 1) {
      q += 1;
    } else {
      if (end - q < 2) return TRUNCATED_PPP;
      proto = (proto << 8) | buf[q + 1];
      q += 2;
    }
    return this.pppPayload(buf, q, end, proto, ts);
  }

  private pppPayload(buf: Uint8Array, p: number, end: number, proto: number, ts: number): number {
    if (proto === PPP_IPV4) return this.ipv4(buf, p, end, ts);
    if (proto === PPP_IPV6) return this.ipv6(buf, p, end, ts);
    if (proto === PPP_MPLS_UNICAST || proto === PPP_MPLS_MULTICAST) {
      return this.mpls(buf, p, end, ts);
    }
    this.l3 = L3_OTHER;
    return DECODE_OK;
  }

  /** A radiotap header (radiotap.org), skipped by its length, then an 802.11 frame. */
  private radiotap(buf: Uint8Array, off: number, end: number, ts: number): number {
    if (end - off < RADIOTAP_MIN_LEN) return TRUNCATED_RADIOTAP;
    const len = buf[off + 2] | (buf[off + 3] << 8); // little-endian, unlike the rest of this file
    if (buf[off] !== 0 || len < RADIOTAP_MIN_LEN) return BAD_RADIOTAP;
    if (end - off < len) return TRUNCATED_RADIOTAP;
    return this.ieee80211(buf, off + len, end, ts);
  }

  /**
   * An IEEE 802.11 frame: only data frames with a body that is not encrypted lead on, through
   * their LLC/SNAP header, to a network layer. Management and control frames, frames without a
   * body, protected (encrypted) frames and A-MSDU aggregates are OTHER. A trailing FCS, when
   * the capture kept it, is cut off by the IP length fields.
   */
  private ieee80211(buf: Uint8Array, p: number, end: number, ts: number): number {
    if (end - p < IEEE80211_HEADER_LEN) return TRUNCATED_80211;
    const fc0 = buf[p];
    const fc1 = buf[p + 1];
    const subtype = fc0 >> 4;
    if (
      (fc0 & 0x03) !== 0 || // protocol version 0
      ((fc0 >> 2) & 0x03) !== IEEE80211_TYPE_DATA ||
      (subtype & IEEE80211_SUBTYPE_NO_DATA) !== 0 ||
      (fc1 & IEEE80211_FC1_PROTECTED) !== 0
    ) {
      this.l3 = L3_OTHER;
      return DECODE_OK;
    }
    let hl = IEEE80211_HEADER_LEN;
    if ((fc1 & IEEE80211_FC1_DS_MASK) === IEEE80211_FC1_DS_MASK) hl += IEEE80211_ADDR4_LEN;
    if ((subtype & IEEE80211_SUBTYPE_QOS) !== 0) {
      if (end - p < hl + IEEE80211_QOS_LEN) return TRUNCATED_80211;
      if ((buf[p + hl] & IEEE80211_QOS_AMSDU) !== 0) {
        this.l3 = L3_OTHER;
        return DECODE_OK;
      }
      hl += IEEE80211_QOS_LEN;
      if ((fc1 & IEEE80211_FC1_ORDER) !== 0) hl += IEEE80211_HT_CONTROL_LEN;
    }
    if (end - p < hl) return TRUNCATED_80211;
    return this.llc(buf, p + hl, end, ts);
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
    let total = (buf[p + 2] << 8) | buf[p + 3];
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
    // A total length of 0 comes from segmentation offload on the capturing host (the NIC
    // fills it in later): the captured bytes stand in for it, as in Wireshark and Zeek.
    let lengthZero = false;
    if (total === 0) {
      lengthZero = true;
      total = end - p;
    }
    if (end - p < hl) return TRUNCATED_IPV4; // options cut by the snaplen
    if (total < hl) return BAD_IPV4_LENGTH;
    const payloadLen = total - hl;
    this.ipPayloadLen = payloadLen;
    let lim = p + total;
    if (lim > end) lim = end;

    let st = DECODE_OK;
    if (fragOffset > 0) {
      // A later fragment: no transport header, ports only from the datagram's first fragment.
      this.l4PayloadLen = payloadLen;
      this.fragLookup(proto, this.ipId, ts);
    } else {
      st = this.transport(buf, p + hl, lim, proto, ts);
      if (mf === 1 && this.hasPorts === 1) this.fragStore(proto, this.ipId, ts);
    }
    return lengthZero && st === DECODE_OK ? IPV4_TOTAL_LENGTH_ZERO : st;
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
    const st = this.transport(buf, q, lim, nh, ts);
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
  private transport(buf: Uint8Array, q: number, lim: number, proto: number, ts: number): number {
    this.l4Offset = q;
    if (proto === IPPROTO_TCP) return this.tcp(buf, q, lim);
    if (proto === IPPROTO_UDP) return this.udp(buf, q, lim, ts);
    if (proto === IPPROTO_ICMP) return this.icmp(buf, q, lim, TRUNCATED_ICMP);
    if (proto === IPPROTO_ICMPV6) return this.icmp(buf, q, lim, TRUNCATED_ICMPV6);
    // Any other protocol (ESP, No Next Header, ...) is counted by number; SCTP has ports, and
    // GRE and IP in IP carry a packet of their own.
    this.l4PayloadLen = this.ipPayloadLen;
    if (proto === IPPROTO_SCTP) return this.sctp(buf, q, lim);
    if (proto === IPPROTO_GRE) return this.gre(buf, q, lim, ts);
    if (proto === IPPROTO_IPIP) return this.tunnel(TUNNEL_IP, buf, q, lim, ts, INNER_IPV4);
    if (proto === IPPROTO_IPV6) return this.tunnel(TUNNEL_IP, buf, q, lim, ts, INNER_IPV6);
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

  private udp(buf: Uint8Array, q: number, lim: number, ts: number): number {
    if (lim - q < UDP_HEADER_LEN) return TRUNCATED_UDP;
    this.hasPorts = 1;
    const sport = (buf[q] << 8) | buf[q + 1];
    const dport = (buf[q + 2] << 8) | buf[q + 3];
    this.sport = sport;
    this.dport = dport;
    const payload = this.ipPayloadLen - UDP_HEADER_LEN;
    this.l4PayloadLen = Math.max(payload, 0);
    // Every tunnel port lies in [2152, 6081]: one range test keeps other datagrams cheap.
    if (
      (dport >= UDP_PORT_GTPU && dport <= UDP_PORT_GENEVE) ||
      (sport >= UDP_PORT_GTPU && sport <= UDP_PORT_GENEVE)
    ) {
      return this.udpTunnel(buf, q + UDP_HEADER_LEN, lim, ts, sport, dport);
    }
    return DECODE_OK;
  }

  /** SCTP (RFC 9260): the common header's ports make its flows. */
  private sctp(buf: Uint8Array, q: number, lim: number): number {
    if (lim - q < SCTP_COMMON_HEADER_LEN) return TRUNCATED_SCTP;
    this.hasPorts = 1;
    this.sport = (buf[q] << 8) | buf[q + 1];
    this.dport = (buf[q + 2] << 8) | buf[q + 3];
    this.l4PayloadLen = Math.max(this.ipPayloadLen - SCTP_COMMON_HEADER_LEN, 0);
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
  // Tunnels
  // -------------------------------------------------------------------------------------------

  /**
   * GRE (RFC 2784 and 2890; RFC 1701's routing is not decoded; version 1 is PPTP's enhanced
   * GRE, RFC 2637). The protocol type says what follows: IP, an Ethernet frame (transparent
   * bridging, ERSPAN I, II and III), MPLS or PPP. Anything else leaves the packet a GRE packet.
   */
  private gre(buf: Uint8Array, q: number, lim: number, ts: number): number {
    if (lim - q < GRE_HEADER_LEN) return TRUNCATED_GRE;
    const flags = buf[q];
    const byte1 = buf[q + 1];
    const version = byte1 & GRE_VERSION_MASK;
    const type = (buf[q + 2] << 8) | buf[q + 3];
    let hl = GRE_HEADER_LEN;
    if (version === 0) {
      if ((flags & GRE_FLAG_ROUTING) !== 0) return DECODE_OK;
      if ((flags & GRE_FLAG_CHECKSUM) !== 0) hl += 4;
      if ((flags & GRE_FLAG_KEY) !== 0) hl += 4;
      if ((flags & GRE_FLAG_SEQUENCE) !== 0) hl += 4;
    } else if (version === 1 && type === ETHERTYPE_PPP && (flags & GRE_FLAG_KEY) !== 0) {
      hl += 4; // payload length and call id
      if ((flags & GRE_FLAG_SEQUENCE) !== 0) hl += 4;
      if ((byte1 & GRE_V1_FLAG_ACK) !== 0) hl += 4;
    } else {
      return DECODE_OK;
    }
    if (lim - q < hl) return TRUNCATED_GRE;
    const p = q + hl;
    switch (type) {
      case ETHERTYPE_IPV4:
        return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_IPV4);
      case ETHERTYPE_IPV6:
        return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_IPV6);
      case ETHERTYPE_TEB:
        return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_ETHERNET);
      case ETHERTYPE_MPLS_UNICAST:
      case ETHERTYPE_MPLS_MULTICAST:
        return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_MPLS);
      case ETHERTYPE_PPP:
        return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_PPP);
      case ETHERTYPE_ERSPAN_II: {
        // Type II has a sequence number and its own 8-byte header (version 1); type I has
        // neither and the mirrored frame follows the GRE header.
        if ((flags & GRE_FLAG_SEQUENCE) === 0) {
          return this.tunnel(TUNNEL_GRE, buf, p, lim, ts, INNER_ETHERNET);
        }
        if (lim - p < ERSPAN_II_HEADER_LEN) return TRUNCATED_TUNNEL;
        if (buf[p] >> 4 !== 1) return DECODE_OK;
        return this.tunnel(TUNNEL_GRE, buf, p + ERSPAN_II_HEADER_LEN, lim, ts, INNER_ETHERNET);
      }
      case ETHERTYPE_ERSPAN_III: {
        if (lim - p < ERSPAN_III_HEADER_LEN) return TRUNCATED_TUNNEL;
        if (buf[p] >> 4 !== 2) return DECODE_OK;
        let h = ERSPAN_III_HEADER_LEN;
        if ((buf[p + ERSPAN_III_HEADER_LEN - 1] & 0x01) !== 0) h += ERSPAN_III_PLATFORM_LEN;
        if (lim - p < h) return TRUNCATED_TUNNEL;
        return this.tunnel(TUNNEL_GRE, buf, p + h, lim, ts, INNER_ETHERNET);
      }
      default:
        return DECODE_OK;
    }
  }

  /**
   * A UDP datagram on a tunnel's port (either side): VXLAN, Geneve, GTP-U, Teredo or AYIYA,
   * when its header is valid; otherwise it stays a UDP datagram. `p` is the UDP payload.
   */
  private udpTunnel(
    buf: Uint8Array,
    p: number,
    lim: number,
    ts: number,
    sport: number,
    dport: number,
  ): number {
    if (dport === UDP_PORT_VXLAN || sport === UDP_PORT_VXLAN) {
      if (lim - p < VXLAN_HEADER_LEN) return TRUNCATED_TUNNEL;
      if ((buf[p] & VXLAN_FLAG_I) === 0) return DECODE_OK;
      return this.tunnel(TUNNEL_VXLAN, buf, p + VXLAN_HEADER_LEN, lim, ts, INNER_ETHERNET);
    }
    if (dport === UDP_PORT_GENEVE || sport === UDP_PORT_GENEVE) {
      if (lim - p < GENEVE_HEADER_LEN) return TRUNCATED_TUNNEL;
      if (buf[p] >> 6 !== 0) return DECODE_OK; // version 0 only
      const hl = GENEVE_HEADER_LEN + ((buf[p] & 0x3f) << 2);
      if (lim - p < hl) return TRUNCATED_TUNNEL;
      const type = (buf[p + 2] << 8) | buf[p + 3];
      const inner =
        type === ETHERTYPE_TEB
          ? INNER_ETHERNET
          : type === ETHERTYPE_IPV4
            ? INNER_IPV4
            : type === ETHERTYPE_IPV6
              ? INNER_IPV6
              : -1;
      if (inner < 0) return DECODE_OK;
      return this.tunnel(TUNNEL_GENEVE, buf, p + hl, lim, ts, inner);
    }
    if (dport === UDP_PORT_GTPU || sport === UDP_PORT_GTPU) return this.gtpu(buf, p, lim, ts);
    if (dport === UDP_PORT_TEREDO || sport === UDP_PORT_TEREDO) {
      return this.teredo(buf, p, lim, ts);
    }
    if (dport === UDP_PORT_AYIYA || sport === UDP_PORT_AYIYA) {
      if (lim - p < AYIYA_HEADER_LEN) return TRUNCATED_TUNNEL;
      const hl = AYIYA_HEADER_LEN + (1 << (buf[p] >> 4)) + (buf[p + 1] >> 4) * 4;
      if ((buf[p + 2] & 0x0f) !== AYIYA_OPCODE_FORWARD) return DECODE_OK;
      const next = buf[p + 3];
      const inner = next === IPPROTO_IPV6 ? INNER_IPV6 : next === IPPROTO_IPIP ? INNER_IPV4 : -1;
      if (inner < 0) return DECODE_OK;
      if (lim - p < hl) return TRUNCATED_TUNNEL;
      return this.tunnel(TUNNEL_AYIYA, buf, p + hl, lim, ts, inner);
    }
    return DECODE_OK;
  }

  /**
   * GTPv1-U (3GPP TS 29.281): a G-PDU carries an IP packet after the 8-byte header, the
   * optional 4 bytes (when E, S or PN is set) and the chain of extension headers (each one's
   * first byte is its length in 4-byte units, its last byte the next one's type).
   */
  private gtpu(buf: Uint8Array, p: number, lim: number, ts: number): number {
    if (lim - p < GTPU_HEADER_LEN) return TRUNCATED_TUNNEL;
    const flags = buf[p];
    if (flags >> 5 !== 1 || (flags & GTPU_FLAG_PT) === 0 || buf[p + 1] !== GTPU_G_PDU) {
      return DECODE_OK;
    }
    let q = p + GTPU_HEADER_LEN;
    if ((flags & GTPU_FLAGS_OPTIONAL) !== 0) {
      if (lim - q < GTPU_OPTIONAL_LEN) return TRUNCATED_TUNNEL;
      let next = (flags & GTPU_FLAGS_E) !== 0 ? buf[q + 3] : 0;
      q += GTPU_OPTIONAL_LEN;
      while (next !== 0) {
        if (lim - q < 1) return TRUNCATED_TUNNEL;
        const len = buf[q] << 2;
        if (len === 0) return DECODE_OK; // malformed: not decapsulated
        if (lim - q < len) return TRUNCATED_TUNNEL;
        next = buf[q + len - 1];
        q += len;
      }
    }
    return this.tunnel(TUNNEL_GTPV1, buf, q, lim, ts, INNER_IP);
  }

  /**
   * Teredo (RFC 4380): optional authentication and origin indication headers, then an IPv6
   * packet. Port 3544 alone is not enough: the datagram must hold exactly one valid IPv6
   * header and its payload, as Zeek requires, or it stays a UDP datagram.
   */
  private teredo(buf: Uint8Array, p: number, lim: number, ts: number): number {
    // The UDP payload's end by the IP length fields (the captured bytes may stop earlier).
    const udpEnd = this.l4Offset + UDP_HEADER_LEN + this.l4PayloadLen;
    let q = p;
    if (lim - q >= 2 && buf[q] === 0 && buf[q + 1] === TEREDO_AUTH) {
      if (lim - q < 4) return DECODE_OK;
      q += TEREDO_AUTH_FIXED_LEN + buf[q + 2] + buf[q + 3];
    }
    if (lim - q >= 2 && buf[q] === 0 && buf[q + 1] === TEREDO_ORIGIN) q += TEREDO_ORIGIN_LEN;
    if (lim - q < IPV6_HEADER_LEN || buf[q] >> 4 !== 6) return DECODE_OK;
    const plen = (buf[q + 4] << 8) | buf[q + 5];
    if (q + IPV6_HEADER_LEN + plen !== udpEnd) return DECODE_OK;
    return this.tunnel(TUNNEL_TEREDO, buf, q, lim, ts, INNER_IPV6);
  }

  /**
   * Decodes a tunnel's payload as the packet. The record's network and transport layers are
   * kept as the tunnel's (the outermost tunnel's when tunnels nest) and cleared for the inner
   * packet. When nothing inside decodes as a network layer, the packet is the outer one alone
   * again. A fragment of the outer packet is not decapsulated (its payload is incomplete), and
   * more than MAX_ENCAP_DEPTH encapsulations stop the walk.
   */
  private tunnel(
    type: number,
    buf: Uint8Array,
    p: number,
    lim: number,
    ts: number,
    inner: number,
  ): number {
    if (this.isFragment === 1) return DECODE_OK;
    if (this.encapDepth >= MAX_ENCAP_DEPTH) return ENCAPSULATION_TOO_DEEP;
    this.encapDepth += 1;
    if (this.tunnelDepth === 0) this.saveOuter(type);
    this.tunnelDepth += 1;
    this.resetNetwork();
    let st: number;
    if (inner === INNER_ETHERNET) {
      st = this.ethernet(buf, p, lim, ts);
    } else if (inner === INNER_MPLS) {
      st = this.mpls(buf, p, lim, ts);
    } else if (inner === INNER_PPP) {
      st = this.ppp(buf, p, lim, ts);
    } else {
      const version = lim - p >= 1 ? buf[p] >> 4 : -1;
      if (version === 4 && inner !== INNER_IPV6) st = this.ipv4(buf, p, lim, ts);
      else if (version === 6 && inner !== INNER_IPV4) st = this.ipv6(buf, p, lim, ts);
      else st = version < 0 ? TRUNCATED_IP : BAD_IP_VERSION;
    }
    if (this.l3 === L3_NONE) this.restoreOuter();
    return st;
  }

  /** Keeps the outermost tunnel's packet: its addresses, protocol and ports. */
  private saveOuter(type: number): void {
    this.tunnelType = type;
    this.tunnelFamily = this.l3 === L3_IPV4 ? 4 : 6;
    this.tunnelSrc0 = this.src0;
    this.tunnelSrc1 = this.src1;
    this.tunnelSrc2 = this.src2;
    this.tunnelSrc3 = this.src3;
    this.tunnelDst0 = this.dst0;
    this.tunnelDst1 = this.dst1;
    this.tunnelDst2 = this.dst2;
    this.tunnelDst3 = this.dst3;
    this.tunnelProto = this.proto;
    this.tunnelSport = this.sport;
    this.tunnelDport = this.dport;
    this.tunnelPayloadLen = this.l4PayloadLen;
    this.outerTtl = this.ttl;
    this.outerIpId = this.ipId;
    this.outerIpPayloadLen = this.ipPayloadLen;
    this.outerL3Offset = this.l3Offset;
    this.outerL4Offset = this.l4Offset;
  }

  /** The packet is the outermost tunnel's again (nothing inside decoded). */
  private restoreOuter(): void {
    this.resetNetwork();
    this.l3 = this.tunnelFamily === 4 ? L3_IPV4 : L3_IPV6;
    this.src0 = this.tunnelSrc0;
    this.src1 = this.tunnelSrc1;
    this.src2 = this.tunnelSrc2;
    this.src3 = this.tunnelSrc3;
    this.dst0 = this.tunnelDst0;
    this.dst1 = this.tunnelDst1;
    this.dst2 = this.tunnelDst2;
    this.dst3 = this.tunnelDst3;
    this.proto = this.tunnelProto;
    const udp = this.tunnelProto === IPPROTO_UDP ? 1 : 0;
    this.hasPorts = udp;
    this.sport = this.tunnelSport;
    this.dport = this.tunnelDport;
    this.l4PayloadLen = this.tunnelPayloadLen;
    this.ttl = this.outerTtl;
    this.ipId = this.outerIpId;
    this.ipPayloadLen = this.outerIpPayloadLen;
    this.l3Offset = this.outerL3Offset;
    this.l4Offset = this.outerL4Offset;
    this.tunnelDepth = 0;
    this.tunnelType = TUNNEL_NONE;
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
