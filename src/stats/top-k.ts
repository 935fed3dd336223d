/**
 * The indexes of the `k` largest values of `values[0 .. n)` (values > 0 only), largest first.
 * A bounded min-heap: O(n log k), allocating only the result. Used at report and window time,
 * never per packet.
 */
export function topK(values: Float64Array, n: number, k: number, skip?: Uint8Array): number[] {
  const heap: number[] = []; // indexes; values[heap[0]] is the smallest kept
  const less = (a: number, b: number) =>
    values[a] < values[b] || (values[a] === values[b] && a > b);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    if (!(values[i] > 0) || (skip !== undefined && skip[i] !== 0)) continue;
    if (heap.length < k) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0; ) {
        const p = (c - 1) >> 1;
        if (!less(heap[c], heap[p])) break;
        [heap[c], heap[p]] = [heap[p], heap[c]];
        c = p;
      }
    } else if (k > 0 && less(heap[0], i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  // Ties go to the lower index (first seen), so reports are deterministic.
  return heap.sort((a, b) => values[b] - values[a] || a - b);
}
