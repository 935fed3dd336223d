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
