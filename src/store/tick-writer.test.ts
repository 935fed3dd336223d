import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { setImmediate as turn } from "node:timers/promises";
import { memoryLogger } from "../../test/support/log.js";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { createStore } from "./store.js";
import { createTickWriter } from "./tick-writer.js";

function withStore(fn: (store: ReturnType<typeof createStore>) => Promise<void>) {
  return async () => {
    const tmp = tempDir();
    const store = createStore({ path: join(tmp.dir, "netnet.db"), retentionDays: 3650 });
    try {
      await fn(store);
    } finally {
      store.stop();
      tmp.remove();
    }
  };
}

const stored = (store: ReturnType<typeof createStore>) => store.queryFlows({ limit: 1 }).total;

test(
  "a big tick: windows and the first chunk at once, the rest one chunk per event-loop turn",
  withStore(async (store) => {
    const writer = createTickWriter(store, { chunkFlows: 2000, maxPendingFlows: 1_000_000 });
    writer.write({ windows: [makeWindow(HOUR0, 10)], flows: makeFlows(10_500, HOUR0) });
    assert.equal(stored(store), 2000);
    assert.equal(store.queryHistory({ start: HOUR0 - 1, end: HOUR0 + 60 }).windows.length, 1);
    assert.equal(writer.pending, 8500);
    await turn();
    assert.equal(stored(store), 4000, "one more chunk after one turn");
    // A second tick while chunks wait: its window at once, its flows after the waiting ones.
    writer.write({ windows: [makeWindow(HOUR0 + 10, 10)], flows: makeFlows(100, HOUR0 + 10) });
    assert.equal(stored(store), 4000);
    assert.equal(store.queryHistory({ start: HOUR0 - 1, end: HOUR0 + 60 }).windows.length, 2);
    while (writer.pending > 0) await turn();
    assert.equal(stored(store), 10_600);
    assert.equal(writer.dropped, 0);
    writer.stop();
  }),
);

test(
  "flush writes everything waiting; too much waiting drops the oldest flows, counted and logged",
  withStore(async (store) => {
    const { log, lines } = memoryLogger();
    const writer = createTickWriter(store, { chunkFlows: 1000, maxPendingFlows: 2500 }, log);
    writer.write({ flows: makeFlows(5000, HOUR0) });
    // 1000 written, 4000 queued in chunks of 1000: two chunks over the bound are dropped.
    assert.equal(writer.dropped, 2000);
    assert.equal(writer.pending, 2000);
    assert.equal(
      lines.filter((l) => l.level === "warn" && l.msg.startsWith("history cannot keep up")).length,
      2,
    );
    writer.flush();
    assert.equal(writer.pending, 0);
    assert.equal(stored(store), 3000);
    writer.stop();
  }),
);

test("a failing write is logged and the writer goes on", async () => {
  const { log, lines } = memoryLogger();
  let calls = 0;
  const writer = createTickWriter(
    {
      writeTick: () => {
        calls++;
        if (calls === 1) throw new Error("disk full");
        return { windows: 0, flows: 0 };
      },
    },
    { chunkFlows: 10, maxPendingFlows: 100 },
    log,
  );
  writer.write({ flows: makeFlows(25, HOUR0) });
  writer.flush();
  assert.equal(calls, 3);
  assert.deepEqual(
    lines.map((l) => `${l.level}: ${l.msg}`),
    ["error: history write failed"],
  );
});
