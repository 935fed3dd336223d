import assert from "node:assert/strict";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { DIR_MODE, FILE_MODE } from "./open.js";
import { createStore } from "./store.js";
import { codeForSqlite, STORE_ERROR_CODES, StoreError } from "./store-error.js";

function storeError(code: string, path: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof StoreError, `not a StoreError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.includes(path), `message does not name the file: ${err.message}`);
    assert.ok(!err.message.includes("\n"), "message is one line");
    return true;
  };
}

const mode = (p: string): number => statSync(p).mode & 0o777;

describe("robustness", () => {
  let tmp: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    tmp = tempDir();
    path = join(tmp.dir, "netnet.db");
  });
  afterEach(() => tmp.remove());

  test("a file that is not SQLite is refused with a clear error and left unchanged", () => {
    const text = "interface: eth0\n".repeat(64);
    writeFileSync(path, text);
    assert.throws(
      () => createStore({ path, retentionDays: 7 }),
      storeError("ERR_STORE_NOT_A_DATABASE", path),
    );
    assert.equal(readFileSync(path, "utf8"), text);
  });

  test("a database whose schema page is damaged is refused as corrupt", () => {
    const s = createStore({ path, retentionDays: 7 });
    s.writeTick({ windows: [makeWindow(HOUR0, 60)], flows: makeFlows(100, HOUR0) });
    s.stop();
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(3900, 0xa5), 0, 3900, 100); // page 1 after the 100-byte header
    closeSync(fd);
    assert.throws(
      () => createStore({ path, retentionDays: 7 }),
      storeError("ERR_STORE_CORRUPT", path),
    );
  });

  test("a damaged header is not_a_database", () => {
    createStore({ path, retentionDays: 7 }).stop();
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(100, 0x5a), 0, 100, 0);
    closeSync(fd);
    assert.throws(
      () => createStore({ path, retentionDays: 7 }),
      storeError("ERR_STORE_NOT_A_DATABASE", path),
    );
  });

  test("an empty existing file becomes a new database", () => {
    writeFileSync(path, "");
    const s = createStore({ path, retentionDays: 7 });
    assert.deepEqual(s.migrated, { from: 0, to: SCHEMA_VERSION });
    s.stop();
  });

  test("a directory at the path is open_failed", () => {
    mkdirSync(path);
    assert.throws(
      () => createStore({ path, retentionDays: 7 }),
      storeError("ERR_STORE_OPEN_FAILED", path),
    );
  });

  test("disk full during writeTick is a StoreError; committed ticks stay and writing resumes", () => {
    const s = createStore({ path, retentionDays: 7 });
    s.writeTick({ windows: [makeWindow(HOUR0, 60)], flows: makeFlows(100, HOUR0) });
    // The page limit stands in for a full disk: SQLite reports SQLITE_FULL either way.
    const pages = s.db.pragma("page_count", { simple: true });
    s.db.pragma(`max_page_count = ${Number(pages)}`);
    assert.throws(
      () => s.writeTick({ windows: [makeWindow(HOUR0 + 60, 60)], flows: makeFlows(5000, HOUR0) }),
      storeError("ERR_STORE_DISK_FULL", path),
    );
    assert.equal(s.metrics().write_errors, 1);
    assert.equal(s.queryFlows({}).total, 100);
    assert.equal(s.queryHistory({ start: HOUR0, end: HOUR0 + 120 }).count, 1);
    s.db.pragma("max_page_count = 1073741823");
    s.writeTick({ windows: [makeWindow(HOUR0 + 60, 60)], flows: makeFlows(5000, HOUR0) });
    assert.equal(s.queryFlows({}).total, 5100);
    s.stop();
  });

  test("a read-only database during writeTick is a StoreError read_only", () => {
    const s = createStore({ path, retentionDays: 7 });
    s.db.pragma("query_only = ON");
    assert.throws(
      () => s.writeTick({ flows: makeFlows(10, HOUR0) }),
      storeError("ERR_STORE_READ_ONLY", path),
    );
    s.db.pragma("query_only = OFF");
    s.writeTick({ flows: makeFlows(10, HOUR0) });
    s.stop();
  });

  test("new files are 0640 and new directories 0750, the WAL and shm files included", () => {
    const deep = join(tmp.dir, "a", "b", "netnet.db");
    const s = createStore({ path: deep, retentionDays: 7 });
    s.writeTick({ flows: makeFlows(10, HOUR0) });
    assert.equal(mode(deep), FILE_MODE & ~process.umask());
    assert.equal(mode(`${deep}-wal`), FILE_MODE & ~process.umask());
    assert.equal(mode(`${deep}-shm`), FILE_MODE & ~process.umask());
    assert.equal(mode(join(tmp.dir, "a")), DIR_MODE & ~process.umask());
    assert.equal(mode(join(tmp.dir, "a", "b")), DIR_MODE & ~process.umask());
    s.stop();
    assert.equal(FILE_MODE, 0o640);
    assert.equal(DIR_MODE, 0o750);
  });

  test("an existing file keeps its own mode", () => {
    createStore({ path, retentionDays: 7 }).stop();
    chmodSync(path, 0o600);
    createStore({ path, retentionDays: 7 }).stop();
    assert.equal(mode(path), 0o600);
  });

  test("the database is in WAL mode with synchronous NORMAL and foreign keys on", () => {
    const s = createStore({ path, retentionDays: 7 });
    assert.equal(s.db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(s.db.pragma("synchronous", { simple: true }), 1);
    assert.equal(s.db.pragma("foreign_keys", { simple: true }), 1);
    assert.equal(s.db.pragma("busy_timeout", { simple: true }), 5000);
    s.stop();
  });
});

describe("StoreError", () => {
  test("every code is unique", () => {
    assert.equal(new Set(STORE_ERROR_CODES).size, STORE_ERROR_CODES.length);
  });

  test("SQLite result codes map to store codes", () => {
    assert.deepEqual(
      [
        "SQLITE_FULL",
        "SQLITE_NOTADB",
        "SQLITE_CORRUPT",
        "SQLITE_CORRUPT_INDEX",
        "SQLITE_READONLY",
        "SQLITE_READONLY_DBMOVED",
        "SQLITE_IOERR_WRITE",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_CANTOPEN",
        "SQLITE_ERROR",
        undefined,
      ].map(codeForSqlite),
      [
        "ERR_STORE_DISK_FULL",
        "ERR_STORE_NOT_A_DATABASE",
        "ERR_STORE_CORRUPT",
        "ERR_STORE_CORRUPT",
        "ERR_STORE_READ_ONLY",
        "ERR_STORE_READ_ONLY",
        "ERR_STORE_IO_ERROR",
        "ERR_STORE_BUSY",
        "ERR_STORE_BUSY",
        "ERR_STORE_OPEN_FAILED",
        "ERR_STORE_SQLITE_ERROR",
        "ERR_STORE_SQLITE_ERROR",
      ],
    );
  });
});
