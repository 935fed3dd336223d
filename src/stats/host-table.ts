/**
 * Per-host counters (bytes and packets sent and received, first and last seen), in an
 * open-addressing hash over typed arrays keyed by address. Feeds top talkers and, later, the
 * hosts API. Grows by doubling up to `capacity`; hosts beyond it are not tracked (their
 * traffic still counts in every total) and each refused lookup is counted in `untracked`.
 */

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HostTable {
  addr = new Int32Array(0); // 4 words per host, int32 (`word | 0`) as the flow table
  family = new Uint8Array(0);
  hash = new Uint32Array(0);
  bytesOut = new Float64Array(0);
  bytesIn = new Float64Array(0);
  packetsOut = new Float64Array(0);
  packetsIn = new Float64Array(0);
  /** Bytes and packets sent and received in the current window; `closeWindow` adds them to
   * the totals above and starts again from zero. */
  windowOut = new Float64Array(0);
  windowIn = new Float64Array(0);
  windowPacketsOut = new Float64Array(0);
  windowPacketsIn = new Float64Array(0);
  firstSeen = new Float64Array(0);
  lastSeen = new Float64Array(0);
  private index = new Int32Array(0);
  private mask = 0;
  allocated = 0;
  count = 0;
  /** Lookups refused because the table was full (once per flow, or per packet outside flows). */
  untracked = 0;

  constructor(
    readonly capacity: number,
    initial = 4096,
  ) {
    this.grow(Math.min(capacity, initial));
  }

  private grow(n: number): void {
    const copy = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(
      next: T,
      prev: T,
    ): T => {
      next.set(prev as ArrayLike<number>);
      return next;
    };
    this.addr = copy(new Int32Array(n * 4), this.addr);
    this.family = copy(new Uint8Array(n), this.family);
    this.hash = copy(new Uint32Array(n), this.hash);
    this.bytesOut = copy(new Float64Array(n), this.bytesOut);
    this.bytesIn = copy(new Float64Array(n), this.bytesIn);
    this.packetsOut = copy(new Float64Array(n), this.packetsOut);
    this.packetsIn = copy(new Float64Array(n), this.packetsIn);
    this.windowOut = copy(new Float64Array(n), this.windowOut);
    this.windowIn = copy(new Float64Array(n), this.windowIn);
    this.windowPacketsOut = copy(new Float64Array(n), this.windowPacketsOut);
    this.windowPacketsIn = copy(new Float64Array(n), this.windowPacketsIn);
    this.firstSeen = copy(new Float64Array(n), this.firstSeen);
    this.lastSeen = copy(new Float64Array(n), this.lastSeen);
    this.allocated = n;
    let slots = 1;
    while (slots < n * 2) slots *= 2;
    this.index = new Int32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < this.count; i++) {
      let s = this.hash[i] & this.mask;
      while (this.index[s] !== 0) s = (s + 1) & this.mask;
      this.index[s] = i + 1;
    }
  }

  /** The index of a host (address words as int32), created if new; -1 when the table is full. */
  lookup(family: number, w0: number, w1: number, w2: number, w3: number, ts: number): number {
    let h = Math.imul(w0 ^ family, 0xcc9e2d51);
    h = Math.imul(h ^ w1, 0x1b873593) + 0xe6546b64;
    h = Math.imul(h ^ w2, 0xcc9e2d51);
    h = mix32(Math.imul(h ^ w3, 0x1b873593));
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
    if (this.count >= this.allocated) {
      if (this.allocated >= this.capacity) {
        this.untracked++;
        return -1;
      }
      this.grow(Math.min(this.capacity, this.allocated * 2));
      s = h & this.mask;
      while (this.index[s] !== 0) s = (s + 1) & this.mask;
    }
    const i = this.count++;
    const o = i * 4;
    // `this.addr`, not the local `addr`: a grow above replaced the array.
    this.addr[o] = w0;
    this.addr[o + 1] = w1;
    this.addr[o + 2] = w2;
    this.addr[o + 3] = w3;
    this.family[i] = family;
    this.hash[i] = h;
    this.firstSeen[i] = ts;
    this.index[s] = i + 1;
    return i;
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
