/**
 * murmur3's finaliser: full avalanche of a 32-bit value (the hash tables' last step).
 *
 * Returns the hash as a signed 32-bit integer. An unsigned result (`>>> 0`) of 2^31 or more
 * is not a small integer to V8, so returning it from a call V8 did not inline allocates a
 * heap number: half of all hashes, several per packet, in the runs where V8 chose not to
 * inline this function.
 */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
