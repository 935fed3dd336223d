import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { sampleAlert } from "../../test/support/alerts.js";
import { HOUR0, tempDir } from "../../test/support/store-fixtures.js";
import type { StoredAlert } from "../alerts/alert-engine.js";
import type { Alert } from "../alerts/types.js";
import { MIGRATIONS, migrate } from "./migrations.js";
import { createStore, type Store } from "./store.js";
import { StoreError } from "./store-error.js";

function alert(over: Partial<Alert> = {}): StoredAlert {
  const a = sampleAlert({ first_ts: HOUR0, last_ts: HOUR0, ...over });
  return { alert: a, dedupKey: `${a.rule}|${a.kind}|${a.subject}` };
}

describe("store: alerts", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let nowMs = HOUR0 * 1000;
  beforeEach(() => {
    tmp = tempDir();
    nowMs = HOUR0 * 1000;
    store = createStore(
      { path: join(tmp.dir, "netnet.db"), retentionDays: 1 },
      { now: () => nowMs },
    );
  });
  afterEach(() => {
    store.stop();
    tmp.remove();
  });

  test("a new alert gets its id; an update changes the same row", () => {
    const a = alert();
    store.writeAlerts([a]);
    assert.equal(a.alert.id, 1);
    a.alert.count = 4;
    a.alert.last_ts = HOUR0 + 30.5;
    a.alert.value = 2;
    a.alert.severity = "critical";
    store.writeAlerts([a]);
    assert.equal(a.alert.id, 1);
    const page = store.queryAlerts();
    assert.equal(page.total, 1);
    assert.deepEqual(page.alerts[0], { ...a.alert });
    const row = store.db.prepare("SELECT ts, dedup_key, details FROM alerts").get();
    assert.deepEqual(row, {
      ts: (HOUR0 + 30.5) * 1000,
      dedup_key: "watched_ports|watched_port|10.0.0.5 -> 10.0.0.9:23/tcp",
      details: "{}",
    });
  });

  test("newest first, paged, filtered by severity and since", () => {
    const rows = [
      alert({ subject: "a", last_ts: HOUR0 + 10, severity: "info" }),
      alert({ subject: "b", last_ts: HOUR0 + 30, severity: "critical" }),
      alert({ subject: "c", last_ts: HOUR0 + 20, severity: "critical" }),
      alert({ subject: "d", last_ts: HOUR0 + 30, severity: "warning" }),
    ];
    store.writeAlerts(rows);
    const subjects = (q: Parameters<Store["queryAlerts"]>[0]) => {
      const p = store.queryAlerts(q);
      return [p.total, p.alerts.map((a) => a.subject).join("")];
    };
    // Equal last_ts: the later id first.
    assert.deepEqual(subjects({}), [4, "dbca"]);
    assert.deepEqual(subjects({ limit: 2, offset: 1 }), [4, "bc"]);
    assert.deepEqual(subjects({ severity: "critical" }), [2, "bc"]);
    assert.deepEqual(subjects({ since: HOUR0 + 20 }), [3, "dbc"]);
    assert.deepEqual(subjects({ since: HOUR0 + 20, severity: "critical", limit: 1 }), [2, "b"]);
    assert.throws(
      () => store.queryAlerts({ limit: 0 }),
      (e: unknown) => e instanceof StoreError && e.code === "ERR_STORE_BAD_QUERY",
    );
  });

  test("a failed write keeps nothing and leaves new alerts without an id", () => {
    const ok = alert({ subject: "ok" });
    store.writeAlerts([ok]);
    const fresh = alert({ subject: "fresh" });
    // A message that breaks the NOT NULL constraint fails the whole transaction.
    const broken = alert({ subject: "broken", message: null as unknown as string });
    ok.alert.count = 9;
    assert.throws(() => store.writeAlerts([ok, fresh, broken]), StoreError);
    assert.equal(fresh.alert.id, null);
    assert.equal(ok.alert.id, 1);
    assert.deepEqual(
      store.queryAlerts().alerts.map((a) => [a.subject, a.count]),
      [["ok", 1]],
    );
  });

  test("retention removes alerts whose last occurrence is older than retention_days", () => {
    store.writeAlerts([
      alert({ subject: "old", first_ts: HOUR0 - 3 * 86400, last_ts: HOUR0 - 86401 }),
      // Raised long ago but seen again recently: kept.
      alert({ subject: "recent", first_ts: HOUR0 - 3 * 86400, last_ts: HOUR0 - 3600 }),
    ]);
    const r = store.runRetention();
    assert.equal(r.alerts, 1);
    assert.deepEqual(
      store.queryAlerts().alerts.map((a) => a.subject),
      ["recent"],
    );
  });
});

test("migration 4 keeps alerts of a version-3 file as single occurrences", () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, "netnet.db");
    const old = new Database(path);
    migrate(old, path, MIGRATIONS.slice(0, 3));
    old
      .prepare(
        "INSERT INTO alerts (ts, rule, severity, message, details, dedup_key) VALUES (?, 'bandwidth', 'warning', 'm', '{}', 'k')",
      )
      .run(HOUR0 * 1000 + 500);
    old.close();
    const store = createStore({ path, retentionDays: 36500 });
    try {
      assert.deepEqual(store.queryAlerts().alerts, [
        {
          id: 1,
          rule: "bandwidth",
          kind: "bandwidth",
          severity: "warning",
          message: "m",
          subject: "",
          value: 0,
          threshold: 0,
          first_ts: HOUR0 + 0.5,
          last_ts: HOUR0 + 0.5,
          count: 1,
        },
      ]);
    } finally {
      store.stop();
    }
  } finally {
    tmp.remove();
  }
});
