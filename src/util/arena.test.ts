import assert from "node:assert/strict";
import { test } from "node:test";
import { Arena } from "./arena.js";

test("columns are carved 8-byte aligned, do not overlap, and the size covers them", () => {
  const bytes = Arena.size([3, 16, 5 * 8, 7 * 2]);
  assert.equal(bytes, 8 + 16 + 40 + 16);
  const a = new Arena(bytes);
  const u8 = a.u8(3);
  const i32 = a.i32(4);
  const f64 = a.f64(5);
  const u16 = a.u16(7);
  assert.deepEqual([u8.byteOffset, i32.byteOffset, f64.byteOffset, u16.byteOffset], [0, 8, 24, 64]);
  u8.fill(0xff);
  f64.fill(-1);
  assert.deepEqual([...i32], [0, 0, 0, 0], "neighbours untouched");
  assert.deepEqual([...u16], [0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => a.u8(1), /arena exhausted/);
});
