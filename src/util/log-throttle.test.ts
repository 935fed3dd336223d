import assert from "node:assert/strict";
import { test } from "node:test";
import { LogThrottle } from "./log-throttle.js";

test("LogThrottle: at most `limit` lines a window; the next line carries how many were not written", () => {
  const t = new LogThrottle(3, 1000);
  // Window 1 (0-999 ms): three lines, then seven counted.
  assert.deepEqual(
    [0, 1, 2].map((ms) => t.admit(ms)),
    [0, 0, 0],
  );
  for (let i = 0; i < 7; i++) assert.equal(t.admit(10 + i), -1);
  // Window 2: the first line reports the 7, the next ones start again from 0.
  assert.equal(t.admit(1000), 7);
  assert.equal(t.admit(1001), 0);
  assert.equal(t.admit(1002), 0);
  assert.equal(t.admit(1003), -1);
  // A quiet gap of several windows: the count waits for the next line.
  assert.equal(t.admit(5000), 1);
});

test("LogThrottle.warn: the fields, plus `suppressed` on the first line after held-back ones", () => {
  const t = new LogThrottle(1, 60_000);
  const lines: { obj: object; msg: string }[] = [];
  const log = { warn: (obj: object, msg: string) => lines.push({ obj, msg }) };
  t.warn(log, { client: "a" }, "denied", 0);
  t.warn(log, { client: "b" }, "denied", 1);
  t.warn(log, { client: "c" }, "denied", 2);
  t.warn(log, { client: "d" }, "denied", 60_000);
  assert.deepEqual(lines, [
    { obj: { client: "a" }, msg: "denied" },
    { obj: { client: "d", suppressed: 2 }, msg: "denied" },
  ]);
});
