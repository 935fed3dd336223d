/**
 * Ordering the first rows of a big list without sorting all of it: the API's pages of flows
 * and hosts ask for 100 rows among up to a million.
 */

/**
 * The ids of the `limit` lowest ranks, in order (ties by lower id, so pages are stable).
 * With a limit below the list's length only that many are sorted, after a linear selection.
 */
export function firstInOrder(
  ids: readonly number[],
  ranks: readonly number[],
  limit = Number.POSITIVE_INFINITY,
): number[] {
  const total = ids.length;
  let chosen = Array.from(ids.keys());
  if (limit < total) {
    // The limit-th smallest rank, then everything below it and the lowest ids among those
    // equal to it.
    const threshold = nthSmallest(Float64Array.from(ranks), Math.max(0, limit - 1));
    chosen = [];
    const equal: number[] = [];
    for (let i = 0; i < total; i++) {
      if (ranks[i] < threshold) chosen.push(i);
      else if (ranks[i] === threshold) equal.push(i);
    }
    equal.sort((x, y) => ids[x] - ids[y]);
    for (const i of equal) {
      if (chosen.length >= limit) break;
      chosen.push(i);
    }
  }
  chosen.sort((x, y) => ranks[x] - ranks[y] || ids[x] - ids[y]);
  return chosen.map((i) => ids[i]);
}

/** The k-th smallest value (0-based) of `a`, which is reordered (Hoare's selection). */
export function nthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    // Median of three as the pivot keeps sorted and reversed input linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
