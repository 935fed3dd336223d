import { type FileHandle, open } from "node:fs/promises";
import type { PacketSink } from "../../packet/packet-sink.js";
import { type ByteSource, FileSource, GunzipSource, IterableSource } from "./byte-sources.js";
import { type CaptureDamage, CaptureFileError, MAX_RECORD_BYTES } from "./capture-file-errors.js";
import type { CaptureInterfaceInfo, FormatParser } from "./format-parser.js";
import { isPcapMagic, PCAPNG_SHB } from "./formats.js";
import { PcapParser } from "./pcap-parser.js";
import { PcapngParser } from "./pcapng-parser.js";

/**
 * The capture file source: streams a pcap or pcapng file (optionally gzip-compressed, detected
 * from its first bytes) through one working buffer and hands every packet to a PacketSink.
 *
 * Memory is bounded by the chunk size and the largest record (itself capped at
 * MAX_RECORD_BYTES for pcap and MAX_BLOCK_BYTES for pcapng): the working buffer is read into,
 * every complete record in it is delivered in place, the unparsed tail is moved to the front
 * and the buffer refilled. It only grows when a single record is larger than it.
 *
 * A plain file is double-buffered: while one buffer is parsed, the next chunk is read into the
 * other (in libuv's thread pool), so the copy out of the page cache overlaps with decoding
 * instead of adding to it. The new chunk lands after PREFETCH_ROOM bytes of room, where the
 * previous buffer's unparsed tail is copied; a record too big for that room switches the file
 * to the single-buffer loop.
 */

export type {
  CaptureDamage,
  CaptureDamageCode,
  CaptureFileErrorCode,
} from "./capture-file-errors.js";
export {
  CAPTURE_DAMAGE_CODES,
  CAPTURE_FILE_ERROR_CODES,
  CaptureFileError,
  MAX_RECORD_BYTES,
} from "./capture-file-errors.js";
export type { CaptureInterfaceInfo } from "./format-parser.js";

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/** The largest `chunkSize` accepted. */
const MAX_CHUNK_SIZE = 256 * 1024 * 1024;

/** Room before each prefetched chunk for the previous chunk's tail: one record of the
 * largest snaplen (MAX_RECORD_BYTES) with its header and some pcapng options. */
const PREFETCH_ROOM = MAX_RECORD_BYTES + 64;

export interface ReadCaptureOptions {
  /** Bytes per read, default 1 MiB. Tiny values force records across chunk boundaries. */
  chunkSize?: number;
  /**
   * Called at most once per chunk read. `bytesRead` counts bytes taken from the file (for gzip,
   * compressed bytes fed to the decompressor, so it tracks `totalBytes`); `totalBytes` is the
   * file size on disk. It ends with `bytesRead === totalBytes` when the file is read to its end.
   */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Stops reading early; the result then has `aborted: true`. The signal is checked between
   * chunks, so the sink may still see the rest of the chunk being parsed when it fires.
   */
  signal?: AbortSignal;
  /**
   * Called after each chunk's packets were delivered; a returned promise is awaited before
   * the next chunk is parsed. Until it resolves, the bytes of every packet of that chunk stay
   * as they were in the buffer the sink was given (reads in flight go to the other buffer),
   * so a sink may keep views of them and use them later, as replaying at the recorded speed
   * does. The buffer is reused only once it resolves (and not at all after the last chunk
   * or damage).
   */
  afterChunk?: () => Promise<void> | undefined;
}

export interface ReadCaptureStreamOptions extends ReadCaptureOptions {
  /** What to call the input in error messages; default "the input". */
  name?: string;
  /** For `onProgress`: the input's size if known (0, the default, means unknown). */
  totalBytes?: number;
}

export interface CaptureFileResult {
  format: "pcap" | "pcapng";
  /** The file was gzip-compressed. */
  compressed: boolean;
  /** Records delivered to the sink. */
  packets: number;
  /** Uncompressed bytes parsed: up to the damage, the abort point, or the whole stream. */
  bytesRead: number;
  /** Every interface seen: the pcap header, or each pcapng IDB of every section in order. */
  interfaces: CaptureInterfaceInfo[];
  /** The first damage found; reading stopped there and every packet before it was delivered. */
  damage: CaptureDamage | null;
  /** Reading stopped because `signal` was aborted. */
  aborted: boolean;
}

/** Bytes needed to tell pcap from pcapng (the first block type or magic number). */
const MAGIC_BYTES = 4;

/**
 * Reads a capture file and calls `sink.packet` once per record, in file order.
 *
 * Throws CaptureFileError only when there is nothing to read: the file cannot be opened
 * ("ERR_CAPTURE_FILE_OPEN"), is empty ("ERR_CAPTURE_EMPTY_FILE"), or does not start like a capture file or is shorter
 * than 4 bytes ("ERR_CAPTURE_NOT_A_CAPTURE"). A file that goes bad later never throws: the result carries
 * `damage` and every packet before it has been delivered. A file that ends inside the pcap file
 * header or the first pcapng block is such damage, with no packets.
 */
export async function readCaptureFile(
  path: string,
  sink: PacketSink,
  opts: ReadCaptureOptions = {},
): Promise<CaptureFileResult> {
  const chunkSize = checkChunkSize(opts.chunkSize);
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (err: unknown) {
    throw new CaptureFileError(
      "ERR_CAPTURE_FILE_OPEN",
      `cannot open ${path}: ${describeSystemError(err)}`,
      {
        cause: err,
      },
    );
  }
  let totalBytes: number;
  let compressed: boolean;
  try {
    const stat = await fh.stat();
    if (stat.isDirectory()) {
      throw new CaptureFileError("ERR_CAPTURE_FILE_OPEN", `cannot read ${path}: it is a directory`);
    }
    totalBytes = stat.size;
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    compressed = bytesRead === 2 && isGzipMagic(head[0], head[1]);
  } catch (err: unknown) {
    await fh.close().catch(() => {});
    if (err instanceof CaptureFileError) throw err;
    throw new CaptureFileError(
      "ERR_CAPTURE_FILE_OPEN",
      `cannot read ${path}: ${describeSystemError(err)}`,
      {
        cause: err,
      },
    );
  }
  const file = new FileSource(fh);
  const source = compressed ? new GunzipSource(file) : file;
  return readSource(source, sink, opts, chunkSize, { name: path, compressed, totalBytes });
}

/**
 * Reads a capture from an async iterable of byte chunks (a Readable such as `process.stdin`),
 * with the same behaviour and errors as `readCaptureFile`. Gzip is detected the same way.
 */
export async function readCaptureStream(
  input: AsyncIterable<Uint8Array>,
  sink: PacketSink,
  opts: ReadCaptureStreamOptions = {},
): Promise<CaptureFileResult> {
  const chunkSize = checkChunkSize(opts.chunkSize);
  const name = opts.name ?? "the input";
  const it = input[Symbol.asyncIterator]();
  // Pull just enough to see the gzip magic; the chunks are handed back to the source.
  const prefix: Uint8Array[] = [];
  let have = 0;
  try {
    while (have < 2) {
      const r = await it.next();
      if (r.done === true) break;
      prefix.push(r.value);
      have += r.value.length;
    }
  } catch (err: unknown) {
    throw new CaptureFileError(
      "ERR_CAPTURE_FILE_OPEN",
      `cannot read ${name}: ${describeSystemError(err)}`,
      {
        cause: err,
      },
    );
  }
  const head = Buffer.concat(prefix);
  const compressed = isGzipMagic(head[0], head[1]);
  const raw = new IterableSource(it, prefix);
  const source = compressed ? new GunzipSource(raw) : raw;
  return readSource(source, sink, opts, chunkSize, {
    name,
    compressed,
    totalBytes: opts.totalBytes ?? 0,
  });
}

interface SourceInfo {
  name: string;
  compressed: boolean;
  totalBytes: number;
}

/** The chunk loop shared by both entry points; always closes `source`. */
async function readSource(
  source: ByteSource,
  sink: PacketSink,
  opts: ReadCaptureOptions,
  chunkSize: number,
  info: SourceInfo,
): Promise<CaptureFileResult> {
  const onProgress = opts.onProgress;
  const signal = opts.signal;
  // Double-buffering is for sources that allow a read in flight while parsing (plain files).
  let room = source.concurrentReads === true ? PREFETCH_ROOM : 0;
  let buf = Buffer.allocUnsafeSlow(room + chunkSize);
  // One DataView per working buffer, made again only when the buffer is replaced.
  let dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let spare = room > 0 ? Buffer.allocUnsafeSlow(room + chunkSize) : null;
  let spareDv =
    spare === null ? null : new DataView(spare.buffer, spare.byteOffset, spare.byteLength);
  let pending: Promise<number> | null = null; // a read into `spare` at `room`
  let parser: FormatParser | null = null;
  let start = room; // first unparsed byte in buf
  let end = room; // end of valid data in buf
  let base = -room; // stream offset of buf[0]
  let need = MAGIC_BYTES; // bytes the parser needs from `start` to make progress
  let damage: CaptureDamage | null = null;
  let aborted = false;
  let reported = -1;
  try {
    for (;;) {
      if (parser !== null && signal?.aborted === true) {
        aborted = true;
        break;
      }
      let n: number;
      const tail = end - start;
      if (spare !== null && spareDv !== null && tail <= room && need <= room + chunkSize) {
        // Fast path: the next chunk is (or is now being) read into the spare buffer; its room
        // takes the tail, the buffers swap, and the chunk after is requested before parsing.
        pending ??= source.read(spare, room, chunkSize);
        try {
          n = await pending;
        } catch (err: unknown) {
          pending = null;
          if (parser === null) throw unreadableStart(err, base + end, info);
          damage = readDamage(err, base + end, info);
          break;
        }
        pending = null;
        if (tail > 0) buf.copy(spare, room - tail, start, end);
        base += start - (room - tail);
        const b = buf;
        const d = dv;
        buf = spare;
        dv = spareDv;
        spare = b;
        spareDv = d;
        start = room - tail;
        end = room + n;
        if (n > 0) pending = source.read(spare, room, chunkSize);
      } else {
        // Bytes of a prefetch still in flight when the loop leaves double-buffering.
        let merged = 0;
        if (spare !== null) {
          // A record bigger than the room: finish with the single-buffer loop. A chunk already
          // in flight is the next data, so it is appended before anything else is read.
          merged = pending === null ? 0 : await pending;
          pending = null;
          const grown = Buffer.allocUnsafeSlow(Math.max(need, tail + merged) + chunkSize);
          buf.copy(grown, 0, start, end);
          spare.copy(grown, tail, room, room + merged);
          base += start;
          buf = grown;
          dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
          start = 0;
          end = tail + merged;
          spare = null;
          spareDv = null;
          room = 0;
        }
        if (merged > 0) {
          n = merged;
        } else {
          // Move the unparsed tail (less than one record) to the front.
          if (start > 0) {
            if (end > start) buf.copyWithin(0, start, end);
            base += start;
            end -= start;
            start = 0;
          }
          // Grow only when one record is bigger than the whole buffer. Parsers never ask for
          // more than MAX_BLOCK_BYTES (pcapng) or MAX_RECORD_BYTES plus a header (pcap): a
          // bigger length is damage.
          if (need > buf.length) {
            const bigger = Buffer.allocUnsafeSlow(need);
            buf.copy(bigger, 0, 0, end);
            buf = bigger;
            dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
          }
          try {
            n = await source.read(buf, end, Math.min(chunkSize, buf.length - end));
          } catch (err: unknown) {
            if (parser === null) throw unreadableStart(err, base + end, info);
            damage = readDamage(err, base + end, info);
            break;
          }
          end += n;
        }
      }
      if (n === 0) break;
      if (parser === null) {
        if (end - start < MAGIC_BYTES) continue;
        parser = detectFormat(buf.subarray(start), end - start, sink, info);
        if (signal?.aborted === true) {
          aborted = true;
          break;
        }
      }
      start = parser.parse(buf, dv, start, end, base);
      if (parser.damage !== null) {
        damage = parser.damage;
        break;
      }
      need = parser.need;
      // After parsing, so a progress display sees the packets of this chunk counted.
      if (onProgress !== undefined) {
        reported = source.consumed;
        onProgress(reported, info.totalBytes);
      }
      const wait = opts.afterChunk?.();
      if (wait !== undefined) await wait;
    }

    if (parser === null) throw tooShort(base + end, info);
    if (damage === null && !aborted) {
      if (start < end) damage = parser.truncated(base + start, end - start);
      else if (onProgress !== undefined && reported !== source.consumed) {
        onProgress(source.consumed, info.totalBytes);
      }
    }
    return {
      format: parser.format,
      compressed: info.compressed,
      packets: parser.packets,
      bytesRead: base + start,
      interfaces: parser.interfaces,
      damage,
      aborted,
    };
  } finally {
    // Never close the file under a read still in flight.
    if (pending !== null) await pending.catch(() => 0);
    await source.close().catch(() => {});
  }
}

function checkChunkSize(chunkSize: number | undefined): number {
  if (chunkSize === undefined) return DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}`);
  }
  return chunkSize;
}

function isGzipMagic(b0: number | undefined, b1: number | undefined): boolean {
  return b0 === 0x1f && b1 === 0x8b;
}

function detectFormat(
  buf: Uint8Array,
  end: number,
  sink: PacketSink,
  info: SourceInfo,
): FormatParser {
  const magicLe = (buf[0] | (buf[1] << 8) | (buf[2] << 16) | (buf[3] << 24)) >>> 0;
  if (isPcapMagic(magicLe)) return new PcapParser(sink);
  if (magicLe === PCAPNG_SHB) return new PcapngParser(sink);
  const shown = Math.min(end, 8);
  const hex = Array.from(buf.subarray(0, shown), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const hint = guessContent(buf, shown);
  throw new CaptureFileError(
    "ERR_CAPTURE_NOT_A_CAPTURE",
    `${subject(info)} is not a pcap or pcapng capture: it starts with the bytes ${hex}${hint === "" ? "" : ` (${hint})`}`,
  );
}

/** A hint for the things people most often pass by mistake. */
function guessContent(buf: Uint8Array, n: number): string {
  const b0 = buf[0];
  const b1 = buf[1];
  const b2 = buf[2];
  const b3 = buf[3];
  if (b0 === 0x50 && b1 === 0x4b && b2 === 0x03 && b3 === 0x04) return "a zip archive";
  if (b0 === 0x28 && b1 === 0xb5 && b2 === 0x2f && b3 === 0xfd) {
    return "zstd-compressed data: decompress it first";
  }
  if (b0 === 0xfd && b1 === 0x37 && b2 === 0x7a && b3 === 0x58) {
    return "xz-compressed data: decompress it first";
  }
  if (b0 === 0x42 && b1 === 0x5a && b2 === 0x68)
    return "bzip2-compressed data: decompress it first";
  if (isGzipMagic(b0, b1)) return "gzip data inside gzip: decompress it once first";
  if (
    (b0 === 0xa1 && b1 === 0xb2 && b2 === 0xcd && b3 === 0x34) ||
    (b0 === 0x34 && b1 === 0xcd && b2 === 0xb2 && b3 === 0xa1)
  ) {
    return "a modified (Kuznetzov) pcap, which is not supported: convert it with editcap first";
  }
  let text = true;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (!((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d)) text = false;
  }
  return text ? "text" : "";
}

function subject(info: SourceInfo): string {
  return info.compressed ? `the data in the gzip file ${info.name}` : info.name;
}

function tooShort(length: number, info: SourceInfo): CaptureFileError {
  if (length === 0) {
    return new CaptureFileError(
      "ERR_CAPTURE_EMPTY_FILE",
      info.compressed ? `the gzip file ${info.name} holds no data` : `${info.name} is empty`,
    );
  }
  const what = info.compressed ? `the gzip file ${info.name} holds only` : `${info.name} is only`;
  return new CaptureFileError(
    "ERR_CAPTURE_NOT_A_CAPTURE",
    `${what} ${length} byte${length === 1 ? "" : "s"}, too short to be a pcap or pcapng capture`,
  );
}

/** A read or gzip failure before the format could even be recognised. */
function unreadableStart(err: unknown, offset: number, info: SourceInfo): CaptureFileError {
  if (info.compressed && isZlibError(err)) {
    return new CaptureFileError(
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `the gzip file ${info.name} is ${errorCode(err) === "Z_BUF_ERROR" ? "cut short" : "corrupt"} after ${offset} bytes of data, before a capture header could be read`,
      { cause: err },
    );
  }
  return new CaptureFileError(
    "ERR_CAPTURE_FILE_OPEN",
    `cannot read ${info.name}: ${describeSystemError(err)}`,
    {
      cause: err,
    },
  );
}

/** A read or gzip failure part-way: damage at `offset` (uncompressed bytes produced). */
function readDamage(err: unknown, offset: number, info: SourceInfo): CaptureDamage {
  if (info.compressed && isZlibError(err)) {
    if (errorCode(err) === "Z_BUF_ERROR") {
      return {
        code: "truncated_gzip",
        message: `the gzip file ends early, after ${offset} bytes of capture data: the rest is missing`,
        offset,
      };
    }
    const detail = err instanceof Error ? ` (${err.message})` : "";
    return {
      code: "bad_gzip",
      message: `the gzip data is corrupt after ${offset} bytes of capture data${detail}: the rest cannot be read`,
      offset,
    };
  }
  return {
    code: "read_error",
    message: `reading failed after ${offset} bytes of capture data: ${describeSystemError(err)}`,
    offset,
  };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  return typeof err.code === "string" ? err.code : undefined;
}

function isZlibError(err: unknown): boolean {
  return errorCode(err)?.startsWith("Z_") === true;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files",
  EIO: "input/output error",
};

/** A Node system error as a few words, without Node's "ENOENT: ..., open '/x'" formatting. */
function describeSystemError(err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined) return SYSTEM_ERRORS[code] ?? `system error ${code}`;
  return err instanceof Error ? err.message : "unknown error";
}
