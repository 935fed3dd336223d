import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { firstInOrder, nthSmallest } from "./select.js";

test("nthSmallest finds the k-th value of any array, ties and sorted input included", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }),
      fc.nat(),
      (values, at) => {
        const k = at % values.length;
        const expected = [...values].sort((a, b) => a - b)[k];
        assert.equal(nthSmallest(Float64Array.from(values), k), expected);
      },
    ),
  );
  const sorted = Float64Array.from({ length: 10_000 }, (_, i) => i);
  assert.equal(nthSmallest(sorted, 1234), 1234);
  assert.equal(nthSmallest(sorted.reverse(), 0), 0);
});

test("firstInOrder equals the full sort cut at the limit, ties by id", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 150 }),
      fc.integer({ min: 0, max: 160 }),
      (ranks, limit) => {
        // Ids in a shuffled order, as table walks give them.
        const ids = ranks.map((_, i) => (i * 37) % 151);
        const full = ids
          .map((id, i) => ({ id, r: ranks[i] ?? 0 }))
          .sort((a, b) => a.r - b.r || a.id - b.id)
          .map((x) => x.id);
        assert.deepEqual(firstInOrder(ids, ranks, limit), full.slice(0, limit));
        assert.deepEqual(firstInOrder(ids, ranks), full);
      },
    ),
    { numRuns: 500 },
  );
});
