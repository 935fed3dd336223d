import assert from "node:assert/strict";
import { test } from "node:test";
import { mix32 } from "./hash.js";

test("mix32 is murmur3's fmix32, as a signed 32-bit integer", () => {
  // Expected values from an independent implementation (Python, unsigned, then signed).
  const vectors: [number, number][] = [
    [0, 0],
    [1, 0x514e28b7],
    [0xdeadbeef, 0x0de5c6a9],
    [0x7fffffff, 0xf9cc0ea8 | 0],
    [0x80000000, 0x6d3c65a0],
    [0xffffffff, 0x81f16f39 | 0],
    [-1, 0x81f16f39 | 0], // the same 32 bits
  ];
  for (const [input, want] of vectors) assert.equal(mix32(input), want, `mix32(${input})`);
});

test("mix32 never returns a value outside int32 (which V8 would box when not inlined)", () => {
  let negative = 0;
  for (let i = 0; i < 10_000; i++) {
    const h = mix32(Math.imul(i, 0x9e3779b1));
    assert.equal(h, h | 0);
    if (h < 0) negative++;
  }
  // Half the hashes have the top bit set: they must come back negative, not as 2^31 and up.
  assert.ok(negative > 4_000 && negative < 6_000, `${negative} negative of 10000`);
});
