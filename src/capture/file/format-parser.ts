import type { CaptureDamage } from "./capture-file-errors.js";

/** One capture interface: the pcap file header, or one pcapng Interface Description Block. */
export interface CaptureInterfaceInfo {
  linktype: number;
  snaplen: number;
  /**
   * The `if_tsresol` byte: 6 = microseconds (the pcapng default), 9 = nanoseconds, 0x80 | n =
   * 2^-n seconds. pcap files report 6 or 9 from their magic number.
   */
  tsresol: number;
  /** pcapng `if_name`, or null (always null for pcap). */
  name: string | null;
}

/**
 * A parser for one capture format, driven by the chunk reader. The reader owns one working
 * buffer and calls `parse` after every read; the parser delivers every complete record in
 * `buf[start, end)` to its sink straight from that buffer and returns where it stopped. It keeps
 * its own state (header seen, byte order, interfaces) between calls, so a record is simply
 * parsed on the call after the read that completes it.
 */
export interface FormatParser {
  readonly format: "pcap" | "pcapng";
  /** Records delivered so far. */
  readonly packets: number;
  /** Bytes needed from the returned position before `parse` can make progress again. */
  readonly need: number;
  /** Set when parsing stopped for good; `parse` returns the damaged record's position. */
  readonly damage: CaptureDamage | null;
  readonly interfaces: CaptureInterfaceInfo[];
  /**
   * Parses complete records in `buf[start, end)` and returns the position of the first byte not
   * consumed. `dv` views the whole of `buf` (made once per buffer by the reader); `base` is the
   * stream offset of `buf[0]`, for damage offsets.
   */
  parse(buf: Uint8Array, dv: DataView, start: number, end: number, base: number): number;
  /** Called at end of input with bytes left over at stream offset `offset`: the damage. */
  truncated(offset: number, available: number): CaptureDamage;
}
