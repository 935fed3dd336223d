import type { FileHandle } from "node:fs/promises";
import { createGunzip, type Gunzip } from "node:zlib";

/**
 * Where the chunk reader gets bytes: a file read in place into the working buffer, an async
 * iterable of chunks (stdin), or either of those through gunzip. `read` copies at most `len`
 * bytes into `buf` at `off`, waits only when nothing is available, and returns 0 at the end.
 * It throws when the underlying read or the decompression fails, but only after every byte
 * produced before the failure has been returned.
 */
export interface ByteSource {
  read(buf: Uint8Array, off: number, len: number): Promise<number>;
  /** Bytes taken from the underlying file or stream so far (compressed bytes for gzip). */
  readonly consumed: number;
  /** True when a read may be issued before the previous one has completed. */
  readonly concurrentReads?: boolean;
  close(): Promise<void>;
}

/** A plain file: reads go straight into the working buffer, no copy. */
export class FileSource implements ByteSource {
  consumed = 0;
  /**
   * Reads take their file position when they are issued, so a read may be started while the
   * previous one is still in flight (the reader prefetches the next chunk while it parses).
   * A regular file's pread only returns short at its end, which makes this exact.
   */
  readonly concurrentReads = true;
  private position = 0;
  constructor(private readonly fh: FileHandle) {}

  async read(buf: Uint8Array, off: number, len: number): Promise<number> {
    const at = this.position;
    this.position += len;
    const { bytesRead } = await this.fh.read(buf, off, len, at);
    this.consumed += bytesRead;
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Chunks of an async iterable, with some already-pulled chunks in front. */
export class IterableSource implements ByteSource {
  consumed = 0;
  private chunk: Uint8Array | null = null;
  private chunkOff = 0;
  private done = false;

  constructor(
    private readonly input: AsyncIterator<Uint8Array>,
    private readonly prefix: Uint8Array[] = [],
  ) {}

  async read(buf: Uint8Array, off: number, len: number): Promise<number> {
    let n = 0;
    while (n < len) {
      if (this.chunk === null || this.chunkOff === this.chunk.length) {
        // Return what is here rather than wait: a live pipe may pause for a long time.
        if (n > 0 || !(await this.pull())) break;
        continue;
      }
      const take = Math.min(len - n, this.chunk.length - this.chunkOff);
      buf.set(this.chunk.subarray(this.chunkOff, this.chunkOff + take), off + n);
      this.chunkOff += take;
      n += take;
    }
    return n;
  }

  private async pull(): Promise<boolean> {
    const next = this.prefix.shift();
    if (next !== undefined) {
      this.chunk = next;
      this.chunkOff = 0;
      this.consumed += next.length;
      return true;
    }
    if (this.done) return false;
    const r = await this.input.next();
    if (r.done === true) {
      this.done = true;
      return false;
    }
    this.chunk = r.value;
    this.chunkOff = 0;
    this.consumed += r.value.length;
    return true;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.input.return?.();
    }
  }
}

/**
 * Compressed bytes handed to zlib at a time. Gzip expands at most about 1032:1, so this bounds
 * the decompressed bytes waiting in memory to about 16 MiB.
 */
const GZIP_FEED_BYTES = 16 * 1024;

/** A gzip member ends with its CRC-32 and its length modulo 2^32 (RFC 1952, section 2.3). */
const GZIP_TRAILER_BYTES = 8;

/**
 * Decompresses gzip (any number of members) read from another source.
 *
 * Node's stream iterator can drop decompressed data that is still buffered when zlib reports
 * a truncated or corrupt stream, so this drives the Gunzip by hand: its output is taken by a
 * 'data' listener as soon as zlib produces it, and the next compressed piece is written only
 * once all of that output has been read. So every byte zlib can recover reaches the parser
 * before the error does, and memory stays bounded without ever pausing the Gunzip.
 */
export class GunzipSource implements ByteSource {
  private readonly z: Gunzip;
  private readonly out: Buffer[] = [];
  private outOff = 0;
  /** Compressed bytes read from `source` and not yet written to zlib: `input[inputOff, inputEnd)`. */
  private readonly input = Buffer.allocUnsafeSlow(GZIP_FEED_BYTES * 4);
  private inputOff = 0;
  private inputEnd = 0;
  private inputDone = false;
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly source: ByteSource,
    zlibChunkBytes = 16 * 1024,
  ) {
    this.z = createGunzip({ chunkSize: zlibChunkBytes });
    this.z.on("data", (chunk: Buffer) => {
      this.out.push(chunk);
    });
    this.z.on("error", (err: unknown) => {
      this.error = err;
      this.notify();
    });
    this.z.on("end", () => {
      this.ended = true;
      this.notify();
    });
  }

  get consumed(): number {
    return this.source.consumed;
  }

  async read(buf: Uint8Array, off: number, len: number): Promise<number> {
    let n = 0;
    while (n < len) {
      const head = this.out[0];
      if (head !== undefined) {
        const take = Math.min(len - n, head.length - this.outOff);
        buf.set(head.subarray(this.outOff, this.outOff + take), off + n);
        n += take;
        this.outOff += take;
        if (this.outOff === head.length) {
          this.out.shift();
          this.outOff = 0;
        }
        continue;
      }
      if (n > 0 || this.ended) break;
      if (this.error !== null) throw this.error;
      await this.feed();
    }
    return n;
  }

  /**
   * Writes the next compressed piece (or the end) to zlib and waits until it is processed.
   *
   * The last GZIP_TRAILER_BYTES read so far are held back until more input shows they are not
   * the end of the file, so the final trailer (CRC-32 and length) reaches zlib in a write of
   * its own. zlib checks the trailer in the call that receives it and reports a mismatch
   * instead of that call's output; with the trailer alone, that output is empty and every
   * byte before it has been read (as zcat writes every byte before it says "crc error").
   */
  private async feed(): Promise<void> {
    if (!this.inputDone && this.inputEnd - this.inputOff <= GZIP_TRAILER_BYTES) {
      // Safe to move and overwrite: zlib has finished with every piece written before.
      const kept = this.inputEnd - this.inputOff;
      this.input.copyWithin(0, this.inputOff, this.inputEnd);
      this.inputOff = 0;
      this.inputEnd = kept;
      try {
        const n = await this.source.read(this.input, kept, this.input.length - kept);
        if (n === 0) this.inputDone = true;
        this.inputEnd += n;
      } catch (err: unknown) {
        this.error = err;
        return;
      }
    }
    const usable = this.inputDone ? this.inputEnd : this.inputEnd - GZIP_TRAILER_BYTES;
    if (usable <= this.inputOff && !this.inputDone) return; // more input is needed first
    const processed = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    if (this.inputOff === this.inputEnd) {
      this.z.end();
    } else {
      const end = Math.min(usable, this.inputOff + GZIP_FEED_BYTES);
      const piece = this.input.subarray(this.inputOff, end);
      this.inputOff = end;
      this.z.write(piece, () => this.notify());
    }
    await processed;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async close(): Promise<void> {
    this.z.destroy();
    await this.source.close();
  }
}
