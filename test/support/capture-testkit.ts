import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  type CaptureFileResult,
  type ReadCaptureOptions,
  type ReadCaptureStreamOptions,
  readCaptureFile,
  readCaptureStream,
} from "../../src/capture/file/capture-file-reader.js";
import type { PacketSink } from "../../src/packet/packet-sink.js";

/** Helpers shared by the capture file tests (not used by the product). */

/** One packet as the sink saw it, with its bytes copied out of the reader's buffer. */
export interface SeenPacket {
  data: Buffer;
  origlen: number;
  tsSec: number;
  tsNsec: number;
  linktype: number;
}

/** Copies every packet it is given, so tests can compare them after the read. */
export class RecordingSink implements PacketSink {
  readonly packets: SeenPacket[] = [];
  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    this.packets.push({
      data: Buffer.from(buf.subarray(off, off + caplen)),
      origlen,
      tsSec,
      tsNsec,
      linktype,
    });
  }
}

/** A temporary directory for test captures; call `remove` in `after`. */
export class TempDir {
  readonly dir = mkdtempSync(join(tmpdir(), "netnet-capture-"));
  private n = 0;
  /** Writes `bytes` to a new file and returns its path. */
  file(bytes: Uint8Array, name = `capture-${this.n++}`): string {
    const path = join(this.dir, name);
    writeFileSync(path, bytes);
    return path;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A deterministic frame of `length` bytes whose content depends on `seed`. */
export function frame(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (seed * 31 + i * 7 + (i >> 8)) & 0xff;
  return b;
}

export async function readPath(
  path: string,
  opts: ReadCaptureOptions = {},
): Promise<{ result: CaptureFileResult; packets: SeenPacket[] }> {
  const sink = new RecordingSink();
  const result = await readCaptureFile(path, sink, opts);
  return { result, packets: sink.packets };
}

/** Reads bytes from memory, handed over as chunks cut at `cuts` (sorted offsets). */
export async function readBytes(
  bytes: Uint8Array,
  opts: ReadCaptureStreamOptions = {},
  cuts: number[] = [],
): Promise<{ result: CaptureFileResult; packets: SeenPacket[] }> {
  const sink = new RecordingSink();
  const result = await readCaptureStream(chunksOf(bytes, cuts), sink, opts);
  return { result, packets: sink.packets };
}

async function* chunksOf(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of cuts) {
    if (cut > at && cut < bytes.length) {
      yield bytes.slice(at, cut);
      at = cut;
    }
  }
  if (at < bytes.length) yield bytes.slice(at);
}

export function gzip(bytes: Uint8Array): Buffer {
  return gzipSync(bytes);
}

/**
 * Offsets where each pcap record ends, by walking the file independently of the reader
 * (the file header's magic gives the byte order).
 */
export function pcapRecordEnds(bytes: Buffer): number[] {
  const le = bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d;
  const ends: number[] = [];
  let p = 24;
  while (p + 16 <= bytes.length) {
    const caplen = le ? bytes.readUInt32LE(p + 8) : bytes.readUInt32BE(p + 8);
    p += 16 + caplen;
    ends.push(p);
  }
  return ends;
}

/** Offsets where each pcapng block ends, with the block type, walking independently. */
export function pcapngBlocks(bytes: Buffer): { type: number; end: number }[] {
  const blocks: { type: number; end: number }[] = [];
  let le = true;
  let p = 0;
  while (p + 12 <= bytes.length) {
    const type = bytes.readUInt32LE(p);
    if (type === 0x0a0d0d0a) le = bytes.readUInt32LE(p + 8) === 0x1a2b3c4d;
    const len = le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
    p += len;
    blocks.push({ type: le ? type : bytes.readUInt32BE(p - len), end: p });
  }
  return blocks;
}
