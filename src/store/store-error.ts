/**
 * The store's one error class. Every failure that leaves the store is a `StoreError` with a
 * stable `code`, a one-sentence message naming the database file, and the SQLite error as
 * its `cause`, so the daemon can decide by code (log and keep running on `disk_full`, exit
 * on `not_a_database`) without parsing SQLite's messages or showing a stack trace.
 */

/** Codes of `StoreError`, stable across releases. */
export const STORE_ERROR_CODES = [
  "open_failed", // the file or its directory cannot be created or opened
  "not_a_database", // the file exists but is not an SQLite database (or its header is damaged)
  "schema_too_new", // the file was written by a newer net-net (higher schema version)
  "migration_failed", // a migration failed; the file stays at the version before it
  "corrupt", // SQLite found damage inside the file
  "disk_full", // the disk (or the configured page limit) is full
  "read_only", // the file, its directory or the file system is read-only
  "io_error", // the operating system failed a read or write
  "busy", // another process holds a lock longer than the busy timeout
  "closed", // the store was stopped
  "bad_config", // the store's config is invalid (retention_days not positive)
  "bad_query", // a query argument is out of range (start >= end, negative limit, ...)
  "bad_record", // a record to write is invalid (a window size that is not a positive integer)
  "sqlite_error", // any other SQLite failure
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  /** SQLite's extended result code name (SQLITE_FULL, ...), when SQLite raised it. */
  readonly sqliteCode: string | undefined;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    const cause = options?.cause;
    this.sqliteCode = sqliteCodeOf(cause);
  }
}

function sqliteCodeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = err.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The StoreError code for an SQLite result code (primary or extended). */
export function codeForSqlite(sqliteCode: string | undefined): StoreErrorCode {
  if (sqliteCode === undefined) return "sqlite_error";
  if (sqliteCode === "SQLITE_FULL") return "disk_full";
  if (sqliteCode === "SQLITE_NOTADB") return "not_a_database";
  if (sqliteCode.startsWith("SQLITE_CORRUPT")) return "corrupt";
  if (sqliteCode.startsWith("SQLITE_READONLY") || sqliteCode === "SQLITE_PERM") {
    return "read_only";
  }
  if (sqliteCode.startsWith("SQLITE_IOERR")) return "io_error";
  if (sqliteCode.startsWith("SQLITE_BUSY") || sqliteCode.startsWith("SQLITE_LOCKED")) {
    return "busy";
  }
  if (sqliteCode.startsWith("SQLITE_CANTOPEN")) return "open_failed";
  return "sqlite_error";
}

const EXPLAIN: Partial<Record<StoreErrorCode, string>> = {
  not_a_database:
    "it is not an SQLite database or its header is damaged; move it away or set database.path to another file",
  corrupt: "the database file is damaged; restore it from a backup or move it away",
  disk_full: "the disk is full",
  read_only: "the database is read-only (check the permissions of the file and its directory)",
  io_error: "the operating system reported an I/O error",
  busy: "another process holds the database locked",
  open_failed: "the file cannot be opened",
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
