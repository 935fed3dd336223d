/**
 * Small deterministic helpers for the capture generator: a seeded PRNG and a 32-bit
 * bijective mixer. Both are plain integer arithmetic, so a given seed yields the same
 * bytes on every machine and every Node version.
 */

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 32-bit variant). Fast in V8
 * because every step stays in int32, and good enough statistically for traffic shapes.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed | 0;
    // The first outputs of sfc32 are correlated with the seed; discard them.
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

/**
 * A bijection on 32-bit integers (the murmur3 finaliser with a seed folded in first).
 * Distinct inputs give distinct outputs, which is what makes flow tuples unique by
 * construction: the generator splits the output's bits into tuple fields.
 */
export function mix32(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A non-bijective 32-bit hash used for per-flow attributes that need not be unique. */
export function hash32(x: number, salt: number): number {
  return mix32(Math.imul(x ^ salt, 0x9e3779b1) >>> 0, salt ^ 0x5bd1e995);
}
