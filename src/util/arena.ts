/**
 * Typed-array columns carved out of one ArrayBuffer. The flow and host tables allocate every
 * column at full capacity: one large buffer is one allocation for V8 to account for (many
 * separate ones each nudge its external-memory heuristics into a garbage collection), and, as
 * zero pages the operating system backs only when first written, it costs resident memory
 * only for the rows in use.
 */
export class Arena {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  /** `bytes` must cover every column plus up to 7 bytes of alignment padding per column. */
  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(bytes);
  }

  /** Bytes needed for columns of these byte lengths, with 8-byte alignment between them. */
  static size(columnBytes: readonly number[]): number {
    return columnBytes.reduce((sum, b) => sum + Math.ceil(b / 8) * 8, 0);
  }

  private take(bytes: number): number {
    const at = this.offset;
    if (at + bytes > this.buffer.byteLength) throw new RangeError("arena exhausted");
    this.offset = at + Math.ceil(bytes / 8) * 8;
    return at;
  }

  f64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.take(n * 8), n);
  }
  i32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(n * 4), n);
  }
  u32(n: number): Uint32Array {
    return new Uint32Array(this.buffer, this.take(n * 4), n);
  }
  u16(n: number): Uint16Array {
    return new Uint16Array(this.buffer, this.take(n * 2), n);
  }
  u8(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(n), n);
  }
}
