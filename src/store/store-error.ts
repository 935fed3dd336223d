/**
 * The store's one error class. Every failure that leaves the store is a `StoreError` with a
 * stable `code`, a one-sentence message naming the database file, and the SQLite error as
 * its `cause`, so the daemon can decide by code (log and keep running on `ERR_STORE_DISK_FULL`, exit
 * on `ERR_STORE_NOT_A_DATABASE`) without parsing SQLite's messages or showing a stack trace.
 */

import { messageOf, NetnetError } from "../util/errors.js";

/** Codes of `StoreError`, stable across releases. */
export const STORE_ERROR_CODES = [
  "ERR_STORE_OPEN_FAILED", // the file or its directory cannot be created or opened
  "ERR_STORE_NOT_A_DATABASE", // the file exists but is not an SQLite database (or its header is damaged)
  "ERR_STORE_SCHEMA_TOO_NEW", // the file was written by a newer net-net (higher schema version)
  "ERR_STORE_MIGRATION_FAILED", // a migration failed; the file stays at the version before it
  "ERR_STORE_CORRUPT", // SQLite found damage inside the file
  "ERR_STORE_DISK_FULL", // the disk (or the configured page limit) is full
  "ERR_STORE_READ_ONLY", // the file, its directory or the file system is read-only
  "ERR_STORE_IO_ERROR", // the operating system failed a read or write
  "ERR_STORE_BUSY", // another process holds a lock longer than the busy timeout
  "ERR_STORE_CLOSED", // the store was stopped
  "ERR_STORE_BAD_CONFIG", // the store's config is invalid (retention_days not positive)
  "ERR_STORE_BAD_QUERY", // a query argument is out of range (start >= end, negative limit, ...)
  "ERR_STORE_BAD_RECORD", // a record to write is invalid (a window size that is not a positive integer)
  "ERR_STORE_SQLITE_ERROR", // any other SQLite failure
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends NetnetError<StoreErrorCode> {
  /** SQLite's extended result code name (SQLITE_FULL, ...), when SQLite raised it. */
  readonly sqliteCode: string | undefined;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.sqliteCode = sqliteCodeOf(options?.cause);
  }
}

function sqliteCodeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = err.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** The StoreError code for an SQLite result code (primary or extended). */
export function codeForSqlite(sqliteCode: string | undefined): StoreErrorCode {
  if (sqliteCode === undefined) return "ERR_STORE_SQLITE_ERROR";
  if (sqliteCode === "SQLITE_FULL") return "ERR_STORE_DISK_FULL";
  if (sqliteCode === "SQLITE_NOTADB") return "ERR_STORE_NOT_A_DATABASE";
  if (sqliteCode.startsWith("SQLITE_CORRUPT")) return "ERR_STORE_CORRUPT";
  if (sqliteCode.startsWith("SQLITE_READONLY") || sqliteCode === "SQLITE_PERM") {
    return "ERR_STORE_READ_ONLY";
  }
  if (sqliteCode.startsWith("SQLITE_IOERR")) return "ERR_STORE_IO_ERROR";
  if (sqliteCode.startsWith("SQLITE_BUSY") || sqliteCode.startsWith("SQLITE_LOCKED")) {
    return "ERR_STORE_BUSY";
  }
  if (sqliteCode.startsWith("SQLITE_CANTOPEN")) return "ERR_STORE_OPEN_FAILED";
  return "ERR_STORE_SQLITE_ERROR";
}

const EXPLAIN: Partial<Record<StoreErrorCode, string>> = {
  ERR_STORE_NOT_A_DATABASE:
    "it is not an SQLite database or its header is damaged; move it away or set database.path to another file",
  ERR_STORE_CORRUPT: "the database file is damaged; restore it from a backup or move it away",
  ERR_STORE_DISK_FULL: "the disk is full",
  ERR_STORE_READ_ONLY:
    "the database is read-only (check the permissions of the file and its directory)",
  ERR_STORE_IO_ERROR: "the operating system reported an I/O error",
  ERR_STORE_BUSY: "another process holds the database locked",
  ERR_STORE_OPEN_FAILED: "the file cannot be opened",
};

/**
 * Wraps any error thrown by better-sqlite3 (or the file system) while doing `action` on
 * `file`. A StoreError passes through unchanged.
 */
export function toStoreError(err: unknown, file: string, action: string): StoreError {
  if (err instanceof StoreError) return err;
  const sqliteCode = sqliteCodeOf(err);
  const code = codeForSqlite(sqliteCode);
  const why = EXPLAIN[code] ?? messageOf(err);
  const detail = sqliteCode !== undefined ? ` (${sqliteCode}: ${messageOf(err)})` : "";
  return new StoreError(code, `${action} failed on database ${file}: ${why}${detail}`, {
    cause: err,
  });
}
