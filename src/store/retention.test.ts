import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type LogLine, memoryLogger } from "../../test/support/log.js";
import { HOUR0, makeFlow, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { createStore, type Store } from "./store.js";

const NOW_S = HOUR0 + 2 * 86400;
const CUTOFF = NOW_S - 86400; // retentionDays: 1

describe("retention", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let nowMs: number;
  let logs: LogLine[];

  beforeEach(() => {
    tmp = tempDir();
    nowMs = NOW_S * 1000;
    const memory = memoryLogger();
    const log = memory.log;
    logs = memory.lines;
    store = createStore(
      { path: join(tmp.dir, "netnet.db"), retentionDays: 1, retentionIntervalMs: 20 },
      { log, now: () => nowMs },
    );
  });
  afterEach(() => {
    store.stop();
    tmp.remove();
  });

  function fill(): void {
    store.writeTick({
      windows: [CUTOFF - 120, CUTOFF - 60, CUTOFF, CUTOFF + 60].map((t) => makeWindow(t, 60)),
      flows: [CUTOFF - 0.5, CUTOFF, CUTOFF + 10].map((t) =>
        makeFlow({ first_ts: t - 1, last_ts: t }),
      ),
    });
    const alert = store.db.prepare(
      "INSERT INTO alerts (ts, rule, severity, message, details, dedup_key) VALUES (?, 'r', 'warn', 'm', '{}', 'k')",
    );
    alert.run(CUTOFF * 1000 - 1);
    alert.run(CUTOFF * 1000);
    const session = store.db.prepare(
      "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) VALUES (?, 'admin', 0, 0, ?)",
    );
    session.run("a", nowMs - 1);
    session.run("b", nowMs);
    session.run("c", nowMs + 1);
  }

  const pluck = (sql: string): unknown[] => store.db.prepare(sql).pluck().all();

  test("deletes every row whose span ended before the cutoff, and expired sessions", () => {
    fill();
    assert.deepEqual(store.runRetention(), {
      windows: 2,
      rollup_1m: 2,
      rollup_1h: 1,
      flows: 1,
      alerts: 1,
      sessions: 2,
    });
    assert.deepEqual(pluck("SELECT window_start FROM windows ORDER BY 1"), [CUTOFF, CUTOFF + 60]);
    assert.deepEqual(pluck("SELECT bucket_start FROM rollup_1m ORDER BY 1"), [CUTOFF, CUTOFF + 60]);
    assert.deepEqual(pluck("SELECT bucket_start FROM rollup_1h"), [CUTOFF]);
    assert.deepEqual(pluck("SELECT last_ts FROM flows ORDER BY 1"), [CUTOFF, CUTOFF + 10]);
    assert.deepEqual(pluck("SELECT ts FROM alerts"), [CUTOFF * 1000]);
    assert.deepEqual(pluck("SELECT token_hash FROM sessions"), ["c"]);
    const line = logs.find((l) => l.msg === "retention removed old rows");
    assert.equal(line?.level, "info");
    assert.equal(line?.windows, 2);
    assert.equal(line?.sessions, 2);
    assert.deepEqual(store.runRetention(), {
      windows: 0,
      rollup_1m: 0,
      rollup_1h: 0,
      flows: 0,
      alerts: 0,
      sessions: 0,
    });
    assert.equal(store.metrics().rows_deleted, 9);
  });

  test("a new retention (config reload) applies from the next run; a bad one is refused", () => {
    fill();
    // Two days: nothing is older than NOW - 2 days but the earliest windows and flows.
    store.setRetentionDays(2);
    assert.deepEqual(store.runRetention().windows, 0);
    assert.equal(pluck("SELECT count(*) FROM windows")[0], 4);
    assert.throws(() => store.setRetentionDays(0), /positive number of days/);
    store.setRetentionDays(1);
    assert.equal(store.runRetention().windows, 2);
    assert.deepEqual(pluck("SELECT window_start FROM windows ORDER BY 1"), [CUTOFF, CUTOFF + 60]);
  });

  test("start runs it at once and then on the interval; stop ends the timer", async () => {
    fill();
    store.start();
    assert.equal(store.metrics().retention_runs, 1);
    assert.equal(pluck("SELECT count(*) FROM windows")[0], 2);
    // A day later everything written is past the cutoff.
    nowMs += 2 * 86400 * 1000;
    for (let i = 0; i < 100 && store.metrics().retention_runs < 2; i++) await sleep(10);
    assert.ok(store.metrics().retention_runs >= 2);
    assert.equal(pluck("SELECT count(*) FROM windows")[0], 0);
    assert.equal(pluck("SELECT count(*) FROM flows")[0], 0);
    store.stop();
    const runs = store.metrics().retention_runs;
    await sleep(60);
    assert.equal(store.metrics().retention_runs, runs);
  });

  test("a failing run is logged as an error and the timer keeps going", async () => {
    store.start();
    store.db.exec("DROP TABLE alerts");
    for (let i = 0; i < 100 && !logs.some((l) => l.level === "error"); i++) await sleep(10);
    const line = logs.find((l) => l.level === "error");
    assert.equal(line?.msg, "retention failed");
    assert.match(String(line?.error), /alerts/);
    store.db.exec("CREATE TABLE alerts (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL)");
  });
});
