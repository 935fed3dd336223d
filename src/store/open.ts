/**
 * Opening the database file: its directory and permissions, the connection settings, the
 * check that the file is an SQLite database at all, and the migrations. Every failure is a
 * StoreError naming the file.
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { messageOf } from "../util/errors.js";
import type { Logger } from "../util/log.js";
import { MIGRATIONS, type Migration, migrate } from "./migrations.js";
import { StoreError, toStoreError } from "./store-error.js";

type DB = Database.Database;

/** Mode of a directory the store creates: owner and group may list, others nothing. */
export const DIR_MODE = 0o750;
/** Mode of a database file the store creates (SQLite gives the -wal and -shm files the same). */
export const FILE_MODE = 0o640;
/** How long a write waits for another connection's lock before failing `busy`. */
export const BUSY_TIMEOUT_MS = 5000;
/** Page cache per connection, in KiB (SQLite's default is 2 MiB; flow indexes like more). */
export const CACHE_KIB = 32 * 1024;
/** Size the WAL file is truncated back to after a checkpoint. */
export const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export function isMemoryPath(path: string): boolean {
  return path === ":memory:" || path === "";
}

/** Creates the file's directory (DIR_MODE) and the file itself (FILE_MODE) if missing. */
function prepareFile(path: string): void {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: DIR_MODE });
  } catch (err: unknown) {
    throw new StoreError(
      "ERR_STORE_OPEN_FAILED",
      `cannot create the directory of database ${path}: ${messageOf(err)}`,
      { cause: err },
    );
  }
  try {
    // SQLite would create the file with 0644; creating it first (empty is a valid new
    // database) gives it our mode, which SQLite then copies to the -wal and -shm files.
    closeSync(openSync(file, "wx", FILE_MODE));
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    throw new StoreError(
      "ERR_STORE_OPEN_FAILED",
      `cannot create database ${path}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
}

export interface OpenResult {
  db: DB;
  from: number;
  to: number;
}

/**
 * Opens (creating if needed) and migrates the database at `path`. `migrations` is replaced by
 * tests only.
 */
export function openDatabase(
  path: string,
  log: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): OpenResult {
  const memory = isMemoryPath(path);
  if (!memory) prepareFile(path);
  let db: DB;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err: unknown) {
    throw toStoreError(err, path, "opening");
  }
  try {
    // The first statement reads the header: a file that is not SQLite fails here.
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (!memory && mode !== "wal") {
      log.warn({ path, journal_mode: mode }, "database is not in wal mode");
    }
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    const { from, to } = migrate(db, path, migrations);
    if (from !== to) log.info({ path, from, to }, "database schema migrated");
    return { db, from, to };
  } catch (err: unknown) {
    db.close();
    throw toStoreError(err, path, "opening");
  }
}
