/**
 * The two ways a capture file can fail, kept apart on purpose:
 *
 * - `CaptureFileError` is thrown when there is nothing to read at all: the file cannot be
 *   opened, is empty, or is not a capture file. Nothing was delivered to the sink.
 * - `CaptureDamage` is returned (never thrown) when a readable capture goes bad part-way:
 *   every packet before the damage was delivered, and the damage says where and why it stopped.
 *
 * Messages are one plain sentence meant for the person running `netnet`; they never carry a
 * stack trace or a Node error string.
 */

import { NetnetError } from "../../util/errors.js";

/** Codes of `CaptureFileError`, stable across releases (the CLI maps them to exit codes). */
export const CAPTURE_FILE_ERROR_CODES = [
  "ERR_CAPTURE_FILE_OPEN", // missing, unreadable, a directory
  "ERR_CAPTURE_EMPTY_FILE", // zero bytes (or a gzip stream that holds zero bytes)
  "ERR_CAPTURE_NOT_A_CAPTURE", // first bytes are no pcap/pcapng magic, or fewer than 4 bytes
] as const;
export type CaptureFileErrorCode = (typeof CAPTURE_FILE_ERROR_CODES)[number];

/**
 * Codes of `CaptureDamage`, stable across releases. A damage is data (the replay report's
 * `damage.code`, docs/engine.md), not an error thrown, so its codes are spelled as report
 * fields are.
 */
export const CAPTURE_DAMAGE_CODES = [
  "truncated_header", // pcap: the file ends inside the 24-byte file header
  "truncated_record", // pcap: the file ends inside a record
  "bad_record_length", // pcap: a record claims more than MAX_RECORD_BYTES (262144)
  "truncated_block", // pcapng: the file ends inside a block
  "bad_block_length", // pcapng: length < 12, not a multiple of 4, over MAX_BLOCK_BYTES, or trailer differs
  "bad_packet_length", // pcapng: a packet block's captured length runs past the block
  "bad_byte_order_magic", // pcapng: a section header whose byte-order magic is neither order
  "unsupported_version", // pcapng: a section whose major version is not 1
  "bad_interface_id", // pcapng: a packet block names an interface the section never described
  "bad_option", // pcapng: an interface option runs past its block or has the wrong length
  "truncated_gzip", // the gzip stream ends early
  "bad_gzip", // the gzip stream is corrupt
  "read_error", // the operating system failed a read part-way through
] as const;
export type CaptureDamageCode = (typeof CAPTURE_DAMAGE_CODES)[number];

/** Where and why a capture stopped being readable. */
export interface CaptureDamage {
  code: string;
  message: string;
  /** Byte offset in the (uncompressed) stream where the damage starts. */
  offset: number;
}

/** Thrown by the capture readers when there is no capture to read. */
export class CaptureFileError extends NetnetError<CaptureFileErrorCode> {}

/**
 * pcap records that claim more captured bytes than this are damage, not a reason to allocate.
 * It is libpcap's MAXIMUM_SNAPLEN, the largest snapshot length any capture tool writes, and
 * libpcap itself refuses a pcap record above it ("invalid packet capture length"). Trusting a
 * larger length field would let one damaged byte make the reader buffer up to 4 GiB (a 260 KB
 * gzip file of zeros claiming 256 MiB took 370 MB of memory when the bound was 256 MiB).
 */
export const MAX_RECORD_BYTES = 262144;

/** MAX_RECORD_BYTES as people read it, for damage messages. */
export const MAX_RECORD_TEXT = "262144, the largest snapshot length of libpcap";

/**
 * pcapng blocks longer than this are damage. A block may rightly be much larger than one
 * packet: a packet of MAX_RECORD_BYTES with options (comments, hashes), a name resolution
 * block with many names, a decryption secrets block holding a TLS key log, a custom block.
 * libpcap reads blocks up to 16 MiB for those reasons (INITIAL_MAX_BLOCKSIZE in
 * sf-pcapng.c), so every file tcpdump reads is read here too, and a damaged length makes the
 * reader buffer at most 16 MiB.
 */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

/** MAX_BLOCK_BYTES as people read it, for damage messages. */
export const MAX_BLOCK_TEXT = "16 MiB";
