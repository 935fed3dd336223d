/**
 * Protocol constants of the decoder, one place per layer. Values are as registered by IANA
 * (EtherTypes, IP protocol numbers, ICMP types) unless a comment says otherwise.
 */

// ---------------------------------------------------------------------------------------------
// Link layer
// ---------------------------------------------------------------------------------------------

/** Ethernet II header: destination MAC (6), source MAC (6), EtherType (2). */
export const ETHERNET_HEADER_LEN = 14;
/** Offset of the EtherType (or 802.3 length) field in an Ethernet header. */
export const ETHERNET_TYPE_OFFSET = 12;
/**
 * A type/length field of at most 1500 is an IEEE 802.3 length, so the frame carries an
 * 802.2 LLC header; 1536 (0x0600) and above is an EtherType (IEEE 802.3 clause 3.2.6).
 * Values in between are undefined and are treated as an unknown EtherType.
 */
export const ETHERNET_MAX_LENGTH_FIELD = 1500;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q customer tag (C-TAG)
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag (S-TAG)
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ S-TAG, still seen in the wild
export const ETHERTYPE_LLDP = 0x88cc;
export const ETHERTYPE_MPLS_UNICAST = 0x8847; // RFC 3032
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPPOE_DISCOVERY = 0x8863; // RFC 2516
export const ETHERTYPE_PPPOE_SESSION = 0x8864;
export const ETHERTYPE_PBB = 0x88e7; // IEEE 802.1ah backbone service instance tag (I-TAG)
export const ETHERTYPE_FABRICPATH = 0x8903; // Cisco FabricPath
export const ETHERTYPE_VNTAG = 0x8926; // Cisco VN-Tag (IEEE 802.1Qbh draft)
/** Inside GRE and Geneve: the payload is an Ethernet frame (RFC 1701 "transparent bridging"). */
export const ETHERTYPE_TEB = 0x6558;
/** Inside GRE: ERSPAN type I and II (type II carries a sequence number), and type III. */
export const ETHERTYPE_ERSPAN_II = 0x88be;
export const ETHERTYPE_ERSPAN_III = 0x22eb;
/** Inside GRE: PPP, as PPTP's enhanced GRE carries it (RFC 2637). */
export const ETHERTYPE_PPP = 0x880b;

/** MPLS label stack entry (RFC 3032 section 2.1): label 20, TC 3, bottom of stack 1, TTL 8. */
export const MPLS_LABEL_LEN = 4;
export const MPLS_BOTTOM_OF_STACK = 0x01; // in the entry's third byte

/** PPPoE session header (RFC 2516 section 4): ver/type 0x11, code 0, session id, length. */
export const PPPOE_HEADER_LEN = 6;
export const PPPOE_VER_TYPE = 0x11;
export const PPPOE_CODE_SESSION = 0x00;

/** PPP (RFC 1661): optional HDLC address and control bytes (RFC 1662), then the protocol. */
export const PPP_HDLC_ADDRESS = 0xff;
export const PPP_HDLC_CONTROL = 0x03;
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
export const PPP_MPLS_UNICAST = 0x0281;
export const PPP_MPLS_MULTICAST = 0x0283;

/** 802.1ah I-TAG: 4 bytes (priority, flags, I-SID), then the customer's two MAC addresses. */
export const PBB_ITAG_LEN = 4 + 12;
/** FabricPath: FTAG and TTL (2 bytes) after the EtherType, then the original Ethernet frame. */
export const FABRICPATH_TAG_LEN = 2;
/** VN-Tag: 4 bytes of tag, then the next EtherType. */
export const VNTAG_LEN = 4;

/** IEEE 802.11 (the MAC header of a data frame, 802.11-2020 section 9.3.2.1). */
export const IEEE80211_HEADER_LEN = 24;
export const IEEE80211_ADDR4_LEN = 6; // present when both To DS and From DS are set
export const IEEE80211_QOS_LEN = 2; // present in QoS data subtypes
export const IEEE80211_HT_CONTROL_LEN = 4; // present in QoS data frames with the Order bit
export const IEEE80211_TYPE_DATA = 2;
/** Frame control, second byte. */
export const IEEE80211_FC1_DS_MASK = 0x03; // To DS | From DS
export const IEEE80211_FC1_PROTECTED = 0x40;
export const IEEE80211_FC1_ORDER = 0x80;
/** Data subtypes with bit 2 set carry no frame body (Null, QoS Null, ...); bit 3 is QoS. */
export const IEEE80211_SUBTYPE_NO_DATA = 0x04;
export const IEEE80211_SUBTYPE_QOS = 0x08;
/** QoS control, first byte: the body is an A-MSDU (several subframes), not an LLC header. */
export const IEEE80211_QOS_AMSDU = 0x80;
/** Radiotap (radiotap.org): version 0, pad, then the whole header's length (little-endian). */
export const RADIOTAP_MIN_LEN = 8;

/** One VLAN tag: TCI (PCP 3 bits, DEI 1 bit, VID 12 bits) then the next EtherType. */
export const VLAN_TAG_LEN = 4;
export const VLAN_VID_MASK = 0x0fff;

/** 802.2 LLC header: DSAP, SSAP, control (1 byte for U-frames such as UI 0x03). */
export const LLC_HEADER_LEN = 3;
/** SNAP: LLC AA AA 03, then OUI (3 bytes) and protocol id (2 bytes) (IEEE 802 clause 10). */
export const LLC_SNAP_HEADER_LEN = 8;
export const LLC_SAP_SNAP = 0xaa;
export const LLC_CONTROL_UI = 0x03;
/** OUI 00-00-00: the SNAP protocol id is an EtherType (RFC 1042). */
export const SNAP_OUI_RFC1042 = 0x000000;
/** OUI 00-00-F8: 802.1H bridge tunnel, the protocol id is also an EtherType. */
export const SNAP_OUI_8021H = 0x0000f8;

/** Linux cooked capture v1: packet type, ARPHRD type, address length, address (8), protocol. */
export const SLL_HEADER_LEN = 16;
export const SLL_PROTOCOL_OFFSET = 14;
export const SLL_HATYPE_OFFSET = 2;
/** Linux cooked capture v2: protocol, reserved, ifindex, ARPHRD type, packet type, ... */
export const SLL2_HEADER_LEN = 20;
export const SLL2_PROTOCOL_OFFSET = 0;
export const SLL2_HATYPE_OFFSET = 8;
export const SLL2_PKTTYPE_OFFSET = 10;
/**
 * SLL protocol values below 0x0600 are Linux `ETH_P_*` pseudo-protocols, not EtherTypes;
 * 0x0004 (ETH_P_802_2) means the payload starts with an 802.2 LLC header.
 */
export const SLL_PROTO_802_2 = 0x0004;
/** ARPHRD_NETLINK: the SLL protocol field is a netlink family, not an EtherType. */
export const ARPHRD_NETLINK = 824;
/** SLL packet types (`sll_pkttype`). */
export const SLL_HOST = 0; // to us
export const SLL_BROADCAST = 1;
export const SLL_MULTICAST = 2;
export const SLL_OTHERHOST = 3; // to someone else, seen in promiscuous mode
export const SLL_OUTGOING = 4; // sent by us

/** BSD loopback header: one 32-bit address family. */
export const NULL_HEADER_LEN = 4;
/** Address families in NULL/LOOP headers. AF_INET6 differs between the BSDs. */
export const BSD_AF_INET = 2;
export const BSD_AF_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
export const BSD_AF_INET6_FREEBSD = 28; // FreeBSD, DragonFly BSD
export const BSD_AF_INET6_DARWIN = 30; // macOS, iOS

// ---------------------------------------------------------------------------------------------
// ARP (RFC 826)
// ---------------------------------------------------------------------------------------------

/** Fixed part: hardware type, protocol type, hardware length, protocol length, operation. */
export const ARP_FIXED_LEN = 8;
/** The whole packet for Ethernet hardware and IPv4 protocol addresses. */
export const ARP_ETH_IPV4_LEN = 28;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;

// ---------------------------------------------------------------------------------------------
// Network layer
// ---------------------------------------------------------------------------------------------

export const IPV4_MIN_HEADER_LEN = 20;
/** IPv4 flags and fragment offset share one 16-bit word (RFC 791 section 3.1). */
export const IPV4_FLAG_DF = 0x4000;
export const IPV4_FLAG_MF = 0x2000;
/** The fragment offset counts 8-byte units. */
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;

export const IPV6_HEADER_LEN = 40;
/** IPv6 Fragment header: next header, reserved, offset (13 bits) | res (2) | M, id (32). */
export const IPV6_FRAG_HEADER_LEN = 8;
/** In the fragment header's second word the offset is already in bytes once masked. */
export const IPV6_FRAG_OFFSET_MASK = 0xfff8;
export const IPV6_FRAG_M = 0x0001;

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IPPROTO_HOPOPTS = 0; // IPv6 Hop-by-Hop Options (RFC 8200 section 4.3)
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ROUTING = 43; // IPv6 Routing header (RFC 8200 section 4.4)
export const IPPROTO_FRAGMENT = 44; // IPv6 Fragment header (RFC 8200 section 4.5)
export const IPPROTO_GRE = 47;
export const IPPROTO_ESP = 50; // encrypted: nothing after it can be read (RFC 4303)
export const IPPROTO_AH = 51; // length in 4-byte units minus 2 (RFC 4302 section 2.2)
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE = 59; // IPv6 No Next Header (RFC 8200 section 4.7)
export const IPPROTO_DSTOPTS = 60; // IPv6 Destination Options (RFC 8200 section 4.6)
export const IPPROTO_OSPF = 89;
export const IPPROTO_SCTP = 132;
export const IPPROTO_MOBILITY = 135; // Mobility header (RFC 6275 section 6.1)
export const IPPROTO_HIP = 139; // Host Identity Protocol (RFC 7401 section 5.1)
export const IPPROTO_SHIM6 = 140; // Shim6 (RFC 5533 section 5)

// ---------------------------------------------------------------------------------------------
// Transport layer
// ---------------------------------------------------------------------------------------------

export const TCP_MIN_HEADER_LEN = 20;
/** TCP flag bits of header byte 13 (RFC 9293 section 3.1; ECE/CWR from RFC 3168). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export const UDP_HEADER_LEN = 8;

/** SCTP common header (RFC 9260 section 3.1): ports, verification tag, checksum. */
export const SCTP_COMMON_HEADER_LEN = 12;

// ---------------------------------------------------------------------------------------------
// Tunnels
// ---------------------------------------------------------------------------------------------

/** GRE (RFC 2784, RFC 2890 keys and sequence numbers, RFC 1701 routing; RFC 2637 version 1). */
export const GRE_HEADER_LEN = 4;
export const GRE_FLAG_CHECKSUM = 0x80; // adds checksum and reserved (4 bytes)
export const GRE_FLAG_ROUTING = 0x40; // RFC 1701 source routing: not decapsulated
export const GRE_FLAG_KEY = 0x20; // adds 4 bytes
export const GRE_FLAG_SEQUENCE = 0x10; // adds 4 bytes
export const GRE_VERSION_MASK = 0x07; // in the second byte
export const GRE_V1_FLAG_ACK = 0x80; // version 1, second byte: adds an acknowledgment (4 bytes)
/** ERSPAN type II header (8 bytes, version 1) and type III (12 bytes, version 2, optional
 * 8-byte platform sub-header when the O flag, bit 0 of its last byte, is set). */
export const ERSPAN_II_HEADER_LEN = 8;
export const ERSPAN_III_HEADER_LEN = 12;
export const ERSPAN_III_PLATFORM_LEN = 8;

/** UDP ports of the tunnels decoded (IANA). */
export const UDP_PORT_GTPU = 2152; // 3GPP TS 29.281
export const UDP_PORT_TEREDO = 3544; // RFC 4380
export const UDP_PORT_VXLAN = 4789; // RFC 7348
export const UDP_PORT_AYIYA = 5072; // draft-massar-v6ops-ayiya
export const UDP_PORT_GENEVE = 6081; // RFC 8926

/** VXLAN header: flags (I = VNI valid), reserved, VNI (24 bits), reserved. */
export const VXLAN_HEADER_LEN = 8;
export const VXLAN_FLAG_I = 0x08;
/** Geneve: version (2 bits) and option length (6 bits, 4-byte units), flags, protocol type,
 * VNI, reserved; options follow the 8 fixed bytes. */
export const GENEVE_HEADER_LEN = 8;
/** GTPv1-U: flags (version 1, PT 1, E, S, PN), message type (255 = G-PDU), length, TEID. */
export const GTPU_HEADER_LEN = 8;
export const GTPU_OPTIONAL_LEN = 4; // sequence number, N-PDU number, next extension type
export const GTPU_FLAGS_E = 0x04;
export const GTPU_FLAGS_OPTIONAL = 0x07; // E, S or PN: the optional 4 bytes are present
export const GTPU_FLAG_PT = 0x10;
export const GTPU_G_PDU = 0xff;
/** Teredo: optional authentication (0x0001) and origin indication (0x0000) headers. */
export const TEREDO_AUTH = 0x0001;
export const TEREDO_ORIGIN = 0x0000;
export const TEREDO_AUTH_FIXED_LEN = 4 + 8 + 1; // type, id/auth lengths; nonce; confirmation
export const TEREDO_ORIGIN_LEN = 8;
/** AYIYA: identity length (2^n), signature length (n * 4), opcode (1 = forward), next header,
 * epoch; then identity and signature. */
export const AYIYA_HEADER_LEN = 8;
export const AYIYA_OPCODE_FORWARD = 1;

/** Every ICMP and ICMPv6 message starts with type, code, checksum and 4 more bytes. */
export const ICMP_HEADER_LEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACHABLE = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMPV6_DEST_UNREACHABLE = 1;
export const ICMPV6_PACKET_TOO_BIG = 2;
export const ICMPV6_TIME_EXCEEDED = 3;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
