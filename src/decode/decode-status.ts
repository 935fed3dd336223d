/**
 * Decode status codes. `decode` returns DECODE_OK or one of these reasons; the engine counts
 * each reason (the `decode_errors` of a report) and keeps whatever layers were valid before
 * the problem. Codes are indexes into DECODE_REASONS so counting is an array increment.
 */
export const DECODE_OK = 0;
export const TRUNCATED_ETHERNET = 1;
export const TRUNCATED_VLAN = 2;
export const TRUNCATED_LLC = 3;
export const TRUNCATED_SLL = 4;
export const TRUNCATED_SLL2 = 5;
export const TRUNCATED_NULL = 6;
export const TRUNCATED_ARP = 7;
export const TRUNCATED_IPV4 = 8;
export const BAD_IPV4_HEADER = 9; // version is not 4 or IHL < 5
export const BAD_IPV4_LENGTH = 10; // total length smaller than the header
export const TRUNCATED_IPV6 = 11;
export const BAD_IPV6_HEADER = 12; // version is not 6
export const TRUNCATED_IPV6_EXT = 13;
export const TRUNCATED_TCP = 14;
export const BAD_TCP_HEADER = 15; // data offset < 5
export const TRUNCATED_UDP = 16;
export const TRUNCATED_ICMP = 17;
export const TRUNCATED_ICMPV6 = 18;
export const BAD_IP_VERSION = 19; // raw-IP link whose first nibble is neither 4 nor 6
export const UNSUPPORTED_LINK_TYPE = 20;
export const TRUNCATED_IP = 21; // raw-IP link frame too short to hold even the version nibble
export const TRUNCATED_SCTP = 22;
/**
 * Not an error: an IPv4 total length of 0 from segmentation offload on the capturing host (the
 * NIC fills it in later). The captured length stands in for it, as Wireshark and Zeek do; the
 * packet counts in its flow, and this code counts how often it happened.
 */
export const IPV4_TOTAL_LENGTH_ZERO = 23;
export const TRUNCATED_MPLS = 24;
export const TRUNCATED_PPPOE = 25;
export const TRUNCATED_PPP = 26;
export const TRUNCATED_PBB = 27;
export const TRUNCATED_FABRICPATH = 28;
export const TRUNCATED_VNTAG = 29;
export const TRUNCATED_80211 = 30;
export const TRUNCATED_RADIOTAP = 31;
export const BAD_RADIOTAP = 32; // version is not 0, or a length shorter than its fixed part
export const TRUNCATED_GRE = 33;
/** A tunnel header (VXLAN, Geneve, GTP-U, Teredo, AYIYA, ERSPAN) cut short: the packet counts
 * as the outer one alone. */
export const TRUNCATED_TUNNEL = 34;
/** More nested encapsulations than MAX_ENCAP_DEPTH: the rest is not decoded. */
export const ENCAPSULATION_TOO_DEEP = 35;

/** Reason names, indexed by code; these are the keys of `decode_errors` in reports. */
export const DECODE_REASONS: readonly string[] = [
  "ok",
  "truncated_ethernet",
  "truncated_vlan",
  "truncated_llc",
  "truncated_sll",
  "truncated_sll2",
  "truncated_null",
  "truncated_arp",
  "truncated_ipv4",
  "bad_ipv4_header",
  "bad_ipv4_length",
  "truncated_ipv6",
  "bad_ipv6_header",
  "truncated_ipv6_ext",
  "truncated_tcp",
  "bad_tcp_header",
  "truncated_udp",
  "truncated_icmp",
  "truncated_icmpv6",
  "bad_ip_version",
  "unsupported_link_type",
  "truncated_ip",
  "truncated_sctp",
  "ipv4_total_length_zero",
  "truncated_mpls",
  "truncated_pppoe",
  "truncated_ppp",
  "truncated_pbb",
  "truncated_fabricpath",
  "truncated_vntag",
  "truncated_80211",
  "truncated_radiotap",
  "bad_radiotap",
  "truncated_gre",
  "truncated_tunnel",
  "encapsulation_too_deep",
];
