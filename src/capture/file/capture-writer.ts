import { closeSync, openSync, writeSync } from "node:fs";
import {
  DEFAULT_TSRESOL,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  OPT_ENDOFOPT,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  PCAPNG_BOM,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_OPB,
  PCAPNG_SHB,
  PCAPNG_SPB,
  PCAPNG_VERSION_MAJOR,
  PCAPNG_VERSION_MINOR,
  tsresolUnits,
} from "./formats.js";

/**
 * Writers for pcap and pcapng files. The engine only reads captures; these exist for the
 * project's deterministic fixture generator, the benchmarks, and tests that need a capture
 * with a precise layout (byte order, timestamp resolution, block mix, damage).
 */

/** Where a writer sends finished bytes: a file, or memory (for tests). */
export interface ByteSink {
  write(chunk: Uint8Array): void;
  close(): void;
}

/** Collects every chunk in memory; `bytes()` gives the whole file. */
export class MemorySink implements ByteSink {
  private readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    // Buffer.from copies; `slice` on a Buffer would keep a view of the writer's reused buffer.
    this.chunks.push(Buffer.from(chunk));
  }
  close(): void {}
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Writes to a file through one buffered descriptor. */
export class FileSink implements ByteSink {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(chunk: Uint8Array): void {
    let done = 0;
    while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
  }
  close(): void {
    closeSync(this.fd);
  }
}

const FLUSH_AT = 1 << 20;

/** A growable little/big-endian byte buffer that flushes to a sink once it holds 1 MiB. */
class BlockBuffer {
  private buf = Buffer.alloc(FLUSH_AT * 2);
  private len = 0;
  constructor(
    private readonly sink: ByteSink,
    private readonly bigEndian: boolean,
  ) {}

  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  u8(v: number): void {
    this.buf[this.reserve(1)] = v;
  }
  u16(v: number): void {
    const at = this.reserve(2);
    if (this.bigEndian) this.buf.writeUInt16BE(v, at);
    else this.buf.writeUInt16LE(v, at);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    if (this.bigEndian) this.buf.writeUInt32BE(v >>> 0, at);
    else this.buf.writeUInt32LE(v >>> 0, at);
  }
  i32(v: number): void {
    const at = this.reserve(4);
    if (this.bigEndian) this.buf.writeInt32BE(v, at);
    else this.buf.writeInt32LE(v, at);
  }
  u64(v: bigint): void {
    const at = this.reserve(8);
    if (this.bigEndian) this.buf.writeBigUInt64BE(v, at);
    else this.buf.writeBigUInt64LE(v, at);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  pad4(): void {
    while (this.len % 4 !== 0) this.u8(0);
  }
  get length(): number {
    return this.len;
  }
  /** Overwrites a 32-bit value already written (block lengths known only at the end). */
  patchU32(at: number, v: number): void {
    if (this.bigEndian) this.buf.writeUInt32BE(v >>> 0, at);
    else this.buf.writeUInt32LE(v >>> 0, at);
  }
  maybeFlush(): void {
    if (this.len >= FLUSH_AT) this.flush();
  }
  flush(): void {
    if (this.len > 0) this.sink.write(this.buf.subarray(0, this.len));
    this.len = 0;
  }
}

export interface PcapWriterOptions {
  linktype: number;
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds (0xa1b2c3d4). */
  nanosecond?: boolean;
  bigEndian?: boolean;
}

/** A classic libpcap file writer. */
export class PcapWriter {
  private readonly out: BlockBuffer;
  private readonly nanosecond: boolean;
  private readonly snaplen: number;

  constructor(
    private readonly sink: ByteSink,
    opts: PcapWriterOptions,
  ) {
    this.out = new BlockBuffer(sink, opts.bigEndian ?? false);
    this.nanosecond = opts.nanosecond ?? false;
    this.snaplen = opts.snaplen ?? 262144;
    this.out.u32(this.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
    this.out.u16(PCAP_VERSION_MAJOR);
    this.out.u16(PCAP_VERSION_MINOR);
    this.out.i32(0); // thiszone
    this.out.u32(0); // sigfigs
    this.out.u32(this.snaplen);
    this.out.u32(opts.linktype);
  }

  /**
   * Writes one record. The frame is cut to the snaplen; `origlen` defaults to the frame's
   * length. `tsFrac` is in nanoseconds and is scaled down for microsecond files.
   */
  write(frame: Uint8Array, tsSec: number, tsNsec = 0, origlen = frame.length): void {
    const caplen = Math.min(frame.length, this.snaplen);
    this.out.u32(tsSec);
    this.out.u32(this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000));
    this.out.u32(caplen);
    this.out.u32(origlen);
    this.out.bytes(caplen === frame.length ? frame : frame.subarray(0, caplen));
    this.out.maybeFlush();
  }

  /** Appends raw bytes (to build damaged files in tests). */
  raw(bytes: Uint8Array): void {
    this.out.bytes(bytes);
  }

  close(): void {
    this.out.flush();
    this.sink.close();
  }
}

export interface PcapngInterface {
  linktype: number;
  snaplen?: number;
  /** `if_tsresol` option byte: 6 = microseconds (the default), 9 = nanoseconds, 0x80|n = 2^-n. */
  tsresol?: number;
  name?: string;
  /**
   * `if_tsoffset` option: whole seconds the reader adds to every timestamp of this interface.
   * The writer subtracts it, so `packet()` still takes the real time.
   */
  tsoffset?: number;
}

/** A pcapng writer: sections, interfaces, enhanced/simple/obsolete packet blocks, any block. */
export class PcapngWriter {
  private readonly out: BlockBuffer;
  private interfaces: PcapngInterface[] = [];

  constructor(
    private readonly sink: ByteSink,
    opts: { bigEndian?: boolean } = {},
  ) {
    this.out = new BlockBuffer(sink, opts.bigEndian ?? false);
  }

  private block(type: number, body: (out: BlockBuffer) => void): void {
    const start = this.out.length;
    this.out.u32(type);
    this.out.u32(0); // total length, patched below
    body(this.out);
    this.out.pad4();
    const total = this.out.length - start + 4;
    this.out.u32(total);
    this.out.patchU32(start + 4, total);
    this.out.maybeFlush();
  }

  /** Starts a section; interfaces of earlier sections are forgotten, as the format says. */
  section(): void {
    this.interfaces = [];
    this.block(PCAPNG_SHB, (o) => {
      o.u32(PCAPNG_BOM); // written in this section's byte order
      o.u16(PCAPNG_VERSION_MAJOR);
      o.u16(PCAPNG_VERSION_MINOR);
      o.u64(0xffffffffffffffffn); // section length unknown
    });
  }

  /** Adds an interface to the current section and returns its id. */
  addInterface(iface: PcapngInterface): number {
    this.interfaces.push(iface);
    this.block(PCAPNG_IDB, (o) => {
      o.u16(iface.linktype);
      o.u16(0);
      o.u32(iface.snaplen ?? 0);
      if (iface.name !== undefined) {
        const name = Buffer.from(iface.name, "utf8");
        o.u16(IF_NAME);
        o.u16(name.length);
        o.bytes(name);
        o.pad4();
      }
      if (iface.tsresol !== undefined) {
        o.u16(IF_TSRESOL);
        o.u16(1);
        o.u8(iface.tsresol);
        o.pad4();
      }
      if (iface.tsoffset !== undefined) {
        o.u16(IF_TSOFFSET);
        o.u16(8);
        o.u64(BigInt.asUintN(64, BigInt(iface.tsoffset)));
      }
      o.u16(OPT_ENDOFOPT);
      o.u16(0);
    });
    return this.interfaces.length - 1;
  }

  private ticks(ifId: number, tsSec: number, tsNsec: number): bigint {
    const iface = this.interfaces[ifId];
    if (iface === undefined) throw new RangeError(`no interface ${ifId} in this section`);
    const units = tsresolUnits(iface.tsresol ?? DEFAULT_TSRESOL);
    const sec = BigInt(tsSec) - BigInt(iface.tsoffset ?? 0);
    return ((sec * 1_000_000_000n + BigInt(tsNsec)) * units) / 1_000_000_000n;
  }

  /** An Enhanced Packet Block. */
  packet(ifId: number, frame: Uint8Array, tsSec: number, tsNsec = 0, origlen = frame.length): void {
    const t = this.ticks(ifId, tsSec, tsNsec);
    this.block(PCAPNG_EPB, (o) => {
      o.u32(ifId);
      o.u32(Number(t >> 32n));
      o.u32(Number(t & 0xffffffffn));
      o.u32(frame.length);
      o.u32(origlen);
      o.bytes(frame);
    });
  }

  /** A Simple Packet Block (no timestamp; always interface 0; caplen implied by the block). */
  simplePacket(frame: Uint8Array, origlen = frame.length): void {
    this.block(PCAPNG_SPB, (o) => {
      o.u32(origlen);
      o.bytes(frame);
    });
  }

  /** An obsolete Packet Block (type 2), as written by old tools. */
  obsoletePacket(ifId: number, frame: Uint8Array, tsSec: number, tsNsec = 0): void {
    const t = this.ticks(ifId, tsSec, tsNsec);
    this.block(PCAPNG_OPB, (o) => {
      o.u16(ifId);
      o.u16(0); // drops count
      o.u32(Number(t >> 32n));
      o.u32(Number(t & 0xffffffffn));
      o.u32(frame.length);
      o.u32(frame.length);
      o.bytes(frame);
    });
  }

  /** Any other block, such as an unknown type that readers must skip. */
  otherBlock(type: number, body: Uint8Array): void {
    this.block(type, (o) => o.bytes(body));
  }

  raw(bytes: Uint8Array): void {
    this.out.bytes(bytes);
  }

  close(): void {
    this.out.flush();
    this.sink.close();
  }
}
