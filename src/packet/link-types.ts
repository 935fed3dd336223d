/**
 * Link-layer header types, as numbered by tcpdump.org's LINKTYPE_ registry (the values that
 * appear in pcap file headers and pcapng interface description blocks). Where the registry's
 * LINKTYPE_ value differs from the platform DLT_ value (raw IP), both spellings are listed,
 * because old captures written by some tools carry the DLT_ value.
 */
export const LINKTYPE_NULL = 0; // BSD loopback: 4-byte address family in host byte order
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9; // PPP, with or without the HDLC address and control bytes
export const DLT_RAW_12 = 12; // raw IP on most BSDs (DLT_RAW)
export const DLT_RAW_14 = 14; // raw IP on OpenBSD (DLT_RAW)
export const LINKTYPE_PPP_HDLC = 50; // PPP in HDLC-like framing (RFC 1662)
export const LINKTYPE_PPP_ETHER = 51; // PPPoE session packets without their Ethernet header
export const LINKTYPE_RAW = 101; // raw IPv4 or IPv6, version from the first nibble
export const LINKTYPE_IEEE802_11 = 105; // 802.11 frames, no radio header
export const LINKTYPE_LOOP = 108; // OpenBSD loopback: address family in network byte order
export const LINKTYPE_LINUX_SLL = 113; // Linux cooked capture v1 (`-i any`)
export const LINKTYPE_IEEE802_11_RADIOTAP = 127; // 802.11 with a radiotap header (monitor mode)
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276; // Linux cooked capture v2

/** The link types the decoder understands; any other is counted as unsupported. */
export const SUPPORTED_LINK_TYPES: ReadonlySet<number> = new Set([
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_PPP,
  LINKTYPE_PPP_HDLC,
  LINKTYPE_PPP_ETHER,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_RADIOTAP,
  DLT_RAW_12,
  DLT_RAW_14,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
]);

const NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: "NULL",
  [LINKTYPE_ETHERNET]: "ETHERNET",
  [LINKTYPE_PPP]: "PPP",
  [LINKTYPE_PPP_HDLC]: "PPP_HDLC",
  [LINKTYPE_PPP_ETHER]: "PPP_ETHER",
  [DLT_RAW_12]: "RAW",
  [DLT_RAW_14]: "RAW",
  [LINKTYPE_RAW]: "RAW",
  [LINKTYPE_LOOP]: "LOOP",
  [LINKTYPE_LINUX_SLL]: "LINUX_SLL",
  [LINKTYPE_IPV4]: "IPV4",
  [LINKTYPE_IPV6]: "IPV6",
  [LINKTYPE_LINUX_SLL2]: "LINUX_SLL2",
  [LINKTYPE_IEEE802_11]: "IEEE802_11",
  [LINKTYPE_IEEE802_11_RADIOTAP]: "IEEE802_11_RADIOTAP",
  147: "USER0",
  220: "USB_LINUX_MMAPPED",
};

/** A readable name for a link type, for reports (`unsupported_link_types`). */
export function linkTypeName(linktype: number): string {
  return NAMES[linktype] ?? `LINKTYPE_${linktype}`;
}
