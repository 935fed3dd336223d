/**
 * The live addon's batch format, and the loop that hands each record to the engine.
 *
 * A batch is one ArrayBuffer holding `count` records in `byteLength` bytes, each
 *
 *   [ts seconds u32][ts nanoseconds u32][caplen u32][origlen u32][caplen bytes][0-3 zero bytes]
 *
 * little-endian, every record starting on a 4-byte boundary (native/src/live-handle.cc writes
 * them), so the headers are read through one Uint32Array without DataView calls.
 */
import type { PacketSink } from "../../packet/packet-sink.js";

/** Bytes of a record header: seconds, nanoseconds, caplen, origlen. */
export const BATCH_RECORD_HEADER = 16;

/** Bytes a record of `caplen` packet bytes takes in a batch (header plus padded bytes). */
export function batchRecordSize(caplen: number): number {
  return BATCH_RECORD_HEADER + ((caplen + 3) & ~3);
}

/**
 * Walks batches of one source: one `sink.packet` call per record, with a view into the batch
 * buffer (no copy, no allocation per packet). Views are made once per ArrayBuffer; the addon
 * hands the same one every time.
 */
export class BatchWalker {
  /** Packets handed to the sink. */
  packets = 0;
  /** Batches walked. */
  batches = 0;
  /** Records cut short by the batch's end (never expected from the addon; counted). */
  malformed = 0;

  private buffer: ArrayBuffer | null = null;
  private bytes = new Uint8Array(0);
  private words = new Uint32Array(0);

  constructor(
    private readonly sink: PacketSink,
    readonly linktype: number,
  ) {}

  /** Hands the batch's records to the sink; returns how many it handed. */
  walk(buffer: ArrayBuffer, byteLength: number, count: number): number {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.bytes = new Uint8Array(buffer);
      this.words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    }
    const bytes = this.bytes;
    const words = this.words;
    const sink = this.sink;
    const linktype = this.linktype;
    const end = Math.min(byteLength, buffer.byteLength);
    let off = 0;
    let i = 0;
    for (; i < count; i++) {
      if (off + BATCH_RECORD_HEADER > end) break;
      const w = off >>> 2;
      const caplen = words[w + 2];
      const next = off + BATCH_RECORD_HEADER + ((caplen + 3) & ~3);
      if (next > end) break;
      sink.packet(
        bytes,
        off + BATCH_RECORD_HEADER,
        caplen,
        words[w + 3],
        words[w],
        words[w + 1],
        linktype,
      );
      off = next;
    }
    if (i < count) this.malformed += count - i;
    this.packets += i;
    this.batches += 1;
    return i;
  }
}

/** Writes records in the batch format (for tests and benchmarks that stand in for the addon). */
export class BatchBuilder {
  readonly buffer: ArrayBuffer;
  byteLength = 0;
  count = 0;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
  }

  /** Appends a record; returns false (and writes nothing) when it does not fit. */
  add(frame: Uint8Array, tsSec: number, tsNsec: number, origlen = frame.length): boolean {
    const size = batchRecordSize(frame.length);
    if (this.byteLength + size > this.buffer.byteLength) return false;
    const at = this.byteLength;
    this.view.setUint32(at, tsSec, true);
    this.view.setUint32(at + 4, tsNsec, true);
    this.view.setUint32(at + 8, frame.length, true);
    this.view.setUint32(at + 12, origlen, true);
    this.bytes.set(frame, at + BATCH_RECORD_HEADER);
    this.bytes.fill(0, at + BATCH_RECORD_HEADER + frame.length, at + size);
    this.byteLength += size;
    this.count += 1;
    return true;
  }

  clear(): void {
    this.byteLength = 0;
    this.count = 0;
  }
}
