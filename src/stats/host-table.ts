/**
 * Per-host counters (bytes and packets sent and received, first and last seen), in an
 * open-addressing hash over typed arrays keyed by address. Feeds top talkers and, later, the
 * hosts API. Holds up to `capacity` hosts; hosts beyond it are not tracked (their traffic
 * still counts in every total) and each refused lookup is counted in `untracked`.
 */

import { Arena } from "../util/arena.js";
import { mix32 } from "../util/hash.js";

/** A host's hash from its family and address words (int32, so never boxed). */
function hostHash(family: number, w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0 ^ family, 0xcc9e2d51);
  h = Math.imul(h ^ w1, 0x1b873593) + 0xe6546b64;
  h = Math.imul(h ^ w2, 0xcc9e2d51);
  return mix32(Math.imul(h ^ w3, 0x1b873593)) | 0;
}

export class HostTable {
  readonly addr: Int32Array; // 4 words per host, int32 (`word | 0`) as the flow table
  readonly family: Uint8Array;
  readonly hash: Int32Array;
  readonly bytesOut: Float64Array;
  readonly bytesIn: Float64Array;
  readonly packetsOut: Float64Array;
  readonly packetsIn: Float64Array;
  /** Bytes and packets sent and received in the current window; `closeWindow` adds them to
   * the totals above and starts again from zero. */
  readonly windowOut: Float64Array;
  readonly windowIn: Float64Array;
  readonly windowPacketsOut: Float64Array;
  readonly windowPacketsIn: Float64Array;
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  private index: Int32Array;
  private mask: number;
  count = 0;
  /** Packet time in seconds, set by the caller (a field, not an argument: no boxing). */
  now = 0;
  /** Lookups refused because the table was full (once per flow, or per packet outside flows). */
  untracked = 0;

  /**
   * Columns are allocated at `capacity` up front, as the flow table's: untouched zero pages
   * cost no resident memory, and hosts take the lowest indexes.
   */
  constructor(readonly capacity: number) {
    const n = capacity;
    const arena = new Arena(Arena.size([n * 16, n, n * 4, ...Array(10).fill(n * 8)]));
    this.addr = arena.i32(n * 4);
    this.family = arena.u8(n);
    this.hash = arena.i32(n);
    this.bytesOut = arena.f64(n);
    this.bytesIn = arena.f64(n);
    this.packetsOut = arena.f64(n);
    this.packetsIn = arena.f64(n);
    this.windowOut = arena.f64(n);
    this.windowIn = arena.f64(n);
    this.windowPacketsOut = arena.f64(n);
    this.windowPacketsIn = arena.f64(n);
    this.firstSeen = arena.f64(n);
    this.lastSeen = arena.f64(n);
    // The hash index grows (doubling, load factor at most 1/2) so that few hosts probe a
    // cache-sized array.
    this.index = new Int32Array(4096);
    this.mask = this.index.length - 1;
  }

  private growIndex(): void {
    const index = new Int32Array(this.index.length * 2);
    const mask = index.length - 1;
    for (let i = 0; i < this.count; i++) {
      let s = this.hash[i] & mask;
      while (index[s] !== 0) s = (s + 1) & mask;
      index[s] = i + 1;
    }
    this.index = index;
    this.mask = mask;
  }

  /** The index of a host (address words as int32), created at time `now` if new; -1 when the
   * table is full. */
  lookup(family: number, w0: number, w1: number, w2: number, w3: number): number {
    const h = hostHash(family, w0, w1, w2, w3);
    const addr = this.addr;
    let s = h & this.mask;
    for (;;) {
      const e = this.index[s];
      if (e === 0) break;
      const i = e - 1;
      const o = i * 4;
      if (
        this.hash[i] === h &&
        addr[o + 3] === w3 &&
        addr[o] === w0 &&
        addr[o + 1] === w1 &&
        addr[o + 2] === w2 &&
        this.family[i] === family
      ) {
        return i;
      }
      s = (s + 1) & this.mask;
    }
    if (this.count >= this.capacity) {
      this.untracked++;
      return -1;
    }
    if (this.count * 2 >= this.index.length) {
      this.growIndex();
      s = h & this.mask;
      while (this.index[s] !== 0) s = (s + 1) & this.mask;
    }
    const i = this.count++;
    const o = i * 4;
    addr[o] = w0;
    addr[o + 1] = w1;
    addr[o + 2] = w2;
    addr[o + 3] = w3;
    this.family[i] = family;
    this.hash[i] = h;
    this.firstSeen[i] = this.now;
    this.index[s] = i + 1;
    return i;
  }

  /** The index of a host (address words as int32), or -1 if the table does not hold it. Not
   * for the packet path (which uses `lookup`): the API's host questions. */
  find(family: number, w0: number, w1: number, w2: number, w3: number): number {
    const h = hostHash(family, w0, w1, w2, w3);
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.index[s];
      if (e === 0) return -1;
      const i = e - 1;
      const o = i * 4;
      if (
        this.hash[i] === h &&
        this.addr[o] === w0 &&
        this.addr[o + 1] === w1 &&
        this.addr[o + 2] === w2 &&
        this.addr[o + 3] === w3 &&
        this.family[i] === family
      ) {
        return i;
      }
    }
  }

  /** Rolls the window's counters into the totals and starts a new window. */
  closeWindow(): void {
    for (let i = 0; i < this.count; i++) {
      this.bytesOut[i] += this.windowOut[i];
      this.bytesIn[i] += this.windowIn[i];
      this.packetsOut[i] += this.windowPacketsOut[i];
      this.packetsIn[i] += this.windowPacketsIn[i];
    }
    this.windowOut.fill(0, 0, this.count);
    this.windowIn.fill(0, 0, this.count);
    this.windowPacketsOut.fill(0, 0, this.count);
    this.windowPacketsIn.fill(0, 0, this.count);
  }
}
