import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep, setImmediate as turn } from "node:timers/promises";
import { memoryLogger } from "../../test/support/log.js";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { mountTmpfs, tmpfsUnavailable } from "../../test/support/tmpfs.js";
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
    // 1000 written, 4000 queued in chunks of 1000: two chunks over the bound are dropped,
    // in one line that counts both.
    assert.equal(writer.dropped, 2000);
    assert.equal(writer.pending, 2000);
    const behind = lines.filter(
      (l) => l.level === "warn" && l.msg.startsWith("history cannot keep up"),
    );
    assert.deepEqual(
      behind.map((l) => [l.dropped, l.total_dropped]),
      [[2000, 2000]],
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
    ["error: history write failed", "info: history writes succeed again"],
  );
});

test("H18: on a full disk (a real tmpfs) 'history write failed' is one line per window with the count, the stack only on the first, and one line when writes succeed again", {
  skip: tmpfsUnavailable(),
}, async () => {
  const fs = mountTmpfs(1024 * 1024);
  const store = createStore({ path: join(fs.dir, "netnet.db"), retentionDays: 3650 });
  try {
    const { log, lines } = memoryLogger();
    // Passed as a variable: a writer without logWindowMs ignores it (and logs every failure).
    const config = { chunkFlows: 500, maxPendingFlows: 100_000, logWindowMs: 1000 };
    const writer = createTickWriter(store, config, log);
    // About 25 ticks a second for 3 s, each one chunk written at once: the disk fills
    // within the first second and every write fails after that.
    const end = Date.now() + 3000;
    let t = HOUR0;
    while (Date.now() < end) {
      writer.write({ windows: [makeWindow(t, 10)], flows: makeFlows(500, t) });
      t += 10;
      await sleep(40);
    }
    const failures = store.metrics().write_errors;
    assert.ok(failures >= 30, `${failures} failed writes`);
    const failed = lines.filter((l) => l.msg === "history write failed");
    assert.ok(failed.length >= 2, `${failed.length} lines`);
    assert.ok(failed.length <= 4, `${failed.length} lines for ${failures} failed writes`);
    const [first, ...rest] = failed;
    assert.equal(first?.level, "error");
    assert.equal(first?.code, "ERR_STORE_DISK_FULL");
    const err = first?.err as { stack?: unknown; code?: unknown } | undefined;
    assert.equal(typeof err?.stack, "string", "the first line has the stack");
    assert.equal(err?.code, "ERR_STORE_DISK_FULL");
    for (const l of rest) {
      assert.equal(l.err, undefined, "no stack after the first");
      assert.equal(l.code, "ERR_STORE_DISK_FULL");
      assert.match(String(l.error), /disk is full/);
      assert.ok(typeof l.suppressed === "number" && l.suppressed > 0, JSON.stringify(l));
    }
    const told = failed.reduce(
      (n, l) => n + 1 + (typeof l.suppressed === "number" ? l.suppressed : 0),
      0,
    );
    assert.ok(told <= failures);

    // Room again: the next write succeeds, and one line says how many failed meanwhile.
    fs.resize(64 * 1024 * 1024);
    writer.write({ windows: [makeWindow(t, 10)], flows: makeFlows(10, t) });
    const back = lines.filter((l) => l.msg === "history writes succeed again");
    assert.deepEqual(
      back.map((l) => [l.level, l.failed]),
      [["info", failures]],
    );
    assert.equal(store.metrics().write_errors, failures);
    writer.stop();
  } finally {
    store.stop();
    fs.remove();
  }
});

test(
  "H18: 'history cannot keep up' is one line per window, carrying the flows dropped since the last line",
  withStore(async (store) => {
    const { log, lines } = memoryLogger();
    const config = { chunkFlows: 100, maxPendingFlows: 300, logWindowMs: 200 };
    const writer = createTickWriter(store, config, log);
    // 40 ticks of 1000 flows at once: each leaves 900 queued, so each drops at least 600.
    for (let i = 0; i < 40; i++) writer.write({ flows: makeFlows(1000, HOUR0 + i) });
    const droppedFirst = writer.dropped;
    await sleep(250);
    writer.write({ flows: makeFlows(1000, HOUR0 + 40) });
    const behind = lines.filter((l) => l.msg === "history cannot keep up: finished flows dropped");
    assert.equal(behind.length, 2, "one line a window, not one per dropped chunk");
    const [a, b] = behind;
    assert.equal(a?.level, "warn");
    assert.equal(a?.total_dropped, a?.dropped, "the first line counts what its write dropped");
    assert.equal(
      Number(a?.dropped) + Number(b?.dropped),
      writer.dropped,
      "the next line carries what was dropped meanwhile",
    );
    assert.equal(b?.total_dropped, writer.dropped);
    assert.ok(droppedFirst > 40 * 600);
    writer.stop();
  }),
);

test(
  "H18: a flush with a time budget writes until it is spent, then drops the rest, counted",
  withStore(async (store) => {
    const writer = createTickWriter(store, { chunkFlows: 2000, maxPendingFlows: 1_000_000 });
    // The first chunk at once, 200,000 flows queued: far more than 100 ms can write.
    writer.write({ flows: makeFlows(202_000, HOUR0) });
    assert.equal(writer.pending, 200_000);
    const t0 = performance.now();
    const flushed = writer.flush(100);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `the flush took ${Math.round(ms)} ms`);
    assert.ok(flushed.dropped > 0 && flushed.written >= 0, JSON.stringify(flushed));
    assert.equal(flushed.written + flushed.dropped, 200_000);
    assert.equal(writer.pending, 0);
    assert.equal(writer.dropped, flushed.dropped);
    assert.equal(stored(store), 2000 + flushed.written);
    // Without a budget, everything is written (the existing behaviour).
    writer.write({ flows: makeFlows(6000, HOUR0 + 200) });
    assert.deepEqual(writer.flush(), { written: 4000, dropped: 0 });
    writer.stop();
  }),
);
