/**
 * The on-disk constants of the two capture formats, shared by the readers (pcap-parser.ts,
 * pcapng-parser.ts, capture-file-reader.ts) and the writer (capture-writer.ts), so neither
 * side takes them from the other.
 */

// ---------------------------------------------------------------------------------------------
// pcap (draft-ietf-opsawg-pcap)
// ---------------------------------------------------------------------------------------------

/** Magic numbers as read little-endian from the first four bytes of the file. */
export const PCAP_MAGIC_US_LE = 0xa1b2c3d4; // microseconds, written little-endian
export const PCAP_MAGIC_NS_LE = 0xa1b23c4d; // nanoseconds, written little-endian
export const PCAP_MAGIC_US_BE = 0xd4c3b2a1; // microseconds, written big-endian
export const PCAP_MAGIC_NS_BE = 0x4d3cb2a1; // nanoseconds, written big-endian

/** The magic a writer puts first, in its own byte order. */
export const PCAP_MAGIC_US = PCAP_MAGIC_US_LE;
export const PCAP_MAGIC_NS = PCAP_MAGIC_NS_LE;

export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

/** True when `magicLe` (the first four bytes read little-endian) opens a pcap file. */
export function isPcapMagic(magicLe: number): boolean {
  return (
    magicLe === PCAP_MAGIC_US_LE ||
    magicLe === PCAP_MAGIC_NS_LE ||
    magicLe === PCAP_MAGIC_US_BE ||
    magicLe === PCAP_MAGIC_NS_BE
  );
}

// ---------------------------------------------------------------------------------------------
// pcapng (draft-ietf-opsawg-pcapng)
// ---------------------------------------------------------------------------------------------

/** Block types. */
export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_OPB = 0x00000002; // obsolete Packet Block
export const PCAPNG_SPB = 0x00000003;
export const PCAPNG_NRB = 0x00000004;
export const PCAPNG_ISB = 0x00000005;
export const PCAPNG_EPB = 0x00000006;

/** The Section Header Block's byte-order magic, as read little-endian. */
export const PCAPNG_BOM_LE = 0x1a2b3c4d;
/** The same magic written by a big-endian writer, as read little-endian. */
export const PCAPNG_BOM_BE = 0x4d3c2b1a;
/** The byte-order magic a writer puts in its own byte order. */
export const PCAPNG_BOM = PCAPNG_BOM_LE;

export const PCAPNG_VERSION_MAJOR = 1;
export const PCAPNG_VERSION_MINOR = 0;

// Interface Description Block options (section 4.2).
export const OPT_ENDOFOPT = 0;
export const IF_NAME = 2;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;

/** Microseconds: the resolution of an interface without `if_tsresol`. */
export const DEFAULT_TSRESOL = 6;

/** Units per second of an `if_tsresol` value: 10^n, or 2^n with the top bit set. */
export function tsresolUnits(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}
