import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import { memoryLogger } from "../../test/support/log.js";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { FLOW_COLUMNS } from "./flows.js";
import {
  MIGRATIONS,
  type Migration,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
} from "./migrations.js";
import { createStore } from "./store.js";
import { StoreError } from "./store-error.js";
import { createWindowWriter } from "./windows.js";

function tables(db: Database.Database): string[] {
  return db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
}

function columns(db: Database.Database, table: string): [string, string, number, number][] {
  return (
    db.prepare(`PRAGMA table_info(${table})`).all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[]
  ).map((c) => [c.name, c.type, c.notnull, c.pk]);
}

describe("migrations", () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, "netnet.db");
  });
  afterEach(() => tmp.remove());

  test("a fresh file gets every table and the latest version", () => {
    const store = createStore({ path, retentionDays: 7 });
    assert.deepEqual(store.migrated, { from: 0, to: SCHEMA_VERSION });
    assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
    assert.deepEqual(tables(store.db), [
      "alerts",
      "flows",
      "rollup_1h",
      "rollup_1m",
      "sessions",
      "windows",
    ]);
    store.stop();
  });

  test("the sessions table is exactly what the auth component expects", () => {
    const store = createStore({ path, retentionDays: 7 });
    assert.deepEqual(columns(store.db, "sessions"), [
      ["token_hash", "TEXT", 0, 1],
      ["username", "TEXT", 1, 0],
      ["created_at", "INTEGER", 1, 0],
      ["last_seen", "INTEGER", 1, 0],
      ["expires_at", "INTEGER", 1, 0],
      ["absolute_expires_at", "INTEGER", 1, 0],
      ["credential", "TEXT", 1, 0],
    ]);
    const idx = store.db.prepare("PRAGMA index_info(sessions_expires_at)").all() as {
      name: string;
    }[];
    assert.deepEqual(
      idx.map((c) => c.name),
      ["expires_at"],
    );
    assert.deepEqual(columns(store.db, "alerts"), [
      ["id", "INTEGER", 0, 1],
      ["ts", "INTEGER", 1, 0],
      ["rule", "TEXT", 1, 0],
      ["severity", "TEXT", 1, 0],
      ["message", "TEXT", 1, 0],
      ["details", "TEXT", 1, 0],
      ["dedup_key", "TEXT", 0, 0],
      ["kind", "TEXT", 1, 0],
      ["subject", "TEXT", 1, 0],
      ["value", "REAL", 1, 0],
      ["threshold", "REAL", 1, 0],
      ["first_ts", "REAL", 1, 0],
      ["last_ts", "REAL", 1, 0],
      ["count", "INTEGER", 1, 0],
    ]);
    store.stop();
  });

  test("an old-version file is migrated forward and keeps its data", () => {
    // A version-1 file as the first release wrote it: history tables only, with data.
    const old = new Database(path);
    assert.deepEqual(migrate(old, path, MIGRATIONS.slice(0, 1)), { from: 0, to: 1 });
    const writeWindow = createWindowWriter(old);
    // Flows as version 1 stored them (the columns every version has).
    const insertFlow = old.prepare(
      `INSERT INTO flows (${FLOW_COLUMNS.join(", ")}) VALUES (${FLOW_COLUMNS.map((c) => `@${c}`).join(", ")})`,
    );
    const writeFlow = (f: ReturnType<typeof makeFlows>[number]) => {
      const { tunnel: _tunnel, ...row } = f;
      insertFlow.run(row);
    };
    old.transaction(() => {
      writeWindow(makeWindow(HOUR0, 60, 3));
      for (const f of makeFlows(10, HOUR0)) writeFlow(f);
    })();
    assert.deepEqual(tables(old), ["flows", "rollup_1h", "rollup_1m", "windows"]);
    old.close();

    const { log, lines } = memoryLogger();
    const store = createStore({ path, retentionDays: 7 }, { log });
    assert.deepEqual(store.migrated, { from: 1, to: SCHEMA_VERSION });
    assert.ok(lines.some((l) => l.msg === "database schema migrated" && l.from === 1));
    assert.ok(tables(store.db).includes("sessions"));
    assert.equal(store.queryFlows({}).total, 10);
    assert.equal(
      store.queryHistory({ start: HOUR0, end: HOUR0 + 60 }).windows[0]?.total_bytes,
      3000,
    );
    store.stop();

    const again = createStore({ path, retentionDays: 7 });
    assert.deepEqual(again.migrated, { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    again.stop();
  });

  test("H2: sessions from before migration 5 (no password fingerprint, no absolute lifetime) are deleted", () => {
    const old = new Database(path);
    assert.deepEqual(migrate(old, path, MIGRATIONS.slice(0, 4)), { from: 0, to: 4 });
    old
      .prepare(
        "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run("ab".repeat(32), "admin", 1, 1, Number.MAX_SAFE_INTEGER);
    old.close();

    const store = createStore({ path, retentionDays: 7 });
    assert.deepEqual(store.migrated, { from: 4, to: SCHEMA_VERSION });
    assert.equal(store.db.prepare("SELECT count(*) FROM sessions").pluck().get(), 0);
    store.stop();
  });

  test("a file from a newer net-net is refused, named, and left untouched", () => {
    const db = new Database(path);
    db.pragma("user_version = 99");
    db.close();
    assert.throws(
      () => createStore({ path, retentionDays: 7 }),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === "ERR_STORE_SCHEMA_TOO_NEW" &&
        err.message.includes(path) &&
        err.message.includes("99"),
    );
    const check = new Database(path);
    assert.equal(schemaVersion(check), 99);
    assert.deepEqual(tables(check), []);
    check.close();
  });

  test("a failing migration is rolled back and the file stays at the version before it", () => {
    createStore({ path, retentionDays: 7 }).stop();
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        id: SCHEMA_VERSION + 1,
        name: "broken",
        up: "CREATE TABLE extra (a INTEGER); INSERT INTO nosuch VALUES (1);",
      },
    ];
    assert.throws(
      () => createStore({ path, retentionDays: 7 }, {}, { migrations: broken }),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === "ERR_STORE_MIGRATION_FAILED" &&
        err.message.includes(`migration ${SCHEMA_VERSION + 1} (broken)`) &&
        err.message.includes(path),
    );
    const db = new Database(path);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.ok(!tables(db).includes("extra"));
    db.close();
  });

  test("a migration may be a function", () => {
    const withFn: Migration[] = [
      ...MIGRATIONS,
      {
        id: SCHEMA_VERSION + 1,
        name: "function",
        up: (db) => db.exec("CREATE TABLE extra (a INTEGER)"),
      },
    ];
    const store = createStore({ path, retentionDays: 7 }, {}, { migrations: withFn });
    assert.deepEqual(store.migrated, { from: 0, to: SCHEMA_VERSION + 1 });
    assert.ok(tables(store.db).includes("extra"));
    store.stop();
  });

  test("migration ids must run 1, 2, 3 without gaps", () => {
    const db = new Database(":memory:");
    assert.throws(() => migrate(db, ":memory:", [{ id: 2, name: "gap", up: "" }]), /1, 2, 3/);
    db.close();
    MIGRATIONS.forEach((m, i) => {
      assert.equal(m.id, i + 1);
    });
  });
});
