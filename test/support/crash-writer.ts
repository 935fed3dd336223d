/**
 * Child process of the crash test: writes ticks to the database named by argv[2] forever,
 * printing each tick's number once its transaction has committed. The parent kills it with
 * SIGKILL at an arbitrary moment, usually inside a transaction.
 */
import { writeSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createStore } from "../../src/store/store.js";
import {
  CRASH_FLOWS_PER_TICK,
  CRASH_WINDOW_SIZE,
  HOUR0,
  makeFlows,
  makeWindow,
} from "./store-fixtures.js";

const path = process.argv[2];
const main =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (main && path !== undefined) {
  const store = createStore({ path, retentionDays: 3650 });
  for (let i = 0; ; i++) {
    const start = HOUR0 + i * CRASH_WINDOW_SIZE;
    store.writeTick({
      windows: [makeWindow(start, CRASH_WINDOW_SIZE, 1 + (i % 5))],
      flows: makeFlows(CRASH_FLOWS_PER_TICK, start),
    });
    // Synchronous, so a reported tick is never lost in a buffer when the process dies.
    writeSync(1, `${i}\n`);
  }
}
