/**
 * The schema, as an ordered list of migrations. The database's version is SQLite's
 * `PRAGMA user_version` (0 for a new file); opening applies every migration whose id is above
 * it, each in its own transaction together with the version bump, so a failure leaves the
 * file at the previous version with nothing half-applied.
 *
 * Policy (docs/storage.md): a migration that has shipped is never edited; changes are new
 * migrations appended with the next id. A file whose version is above the last id here was
 * written by a newer net-net and is refused rather than guessed at.
 */
import type Database from "better-sqlite3";
import { messageOf } from "../util/errors.js";
import { StoreError, toStoreError } from "./store-error.js";

type DB = Database.Database;

export interface Migration {
  /** 1, 2, 3, ... in order; becomes the user_version once applied. */
  id: number;
  name: string;
  /** SQL run with `exec`, or a function for changes that need code. */
  up: string | ((db: DB) => void);
}

/** Columns shared by the windows and both rollup tables, after their time key. */
const COUNTERS = `
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  tcp_packets INTEGER NOT NULL, tcp_bytes INTEGER NOT NULL,
  udp_packets INTEGER NOT NULL, udp_bytes INTEGER NOT NULL,
  icmp_packets INTEGER NOT NULL, icmp_bytes INTEGER NOT NULL,
  icmpv6_packets INTEGER NOT NULL, icmpv6_bytes INTEGER NOT NULL,
  arp_packets INTEGER NOT NULL, arp_bytes INTEGER NOT NULL,
  other_packets INTEGER NOT NULL, other_bytes INTEGER NOT NULL,
  size_tiny INTEGER NOT NULL, size_small INTEGER NOT NULL, size_medium INTEGER NOT NULL,
  size_large INTEGER NOT NULL, size_jumbo INTEGER NOT NULL,
  drops INTEGER NOT NULL,
  top_sources TEXT NOT NULL,
  top_destinations TEXT NOT NULL,
  top_ports TEXT NOT NULL`;

function rollupTable(name: string): string {
  return `CREATE TABLE ${name} (
  bucket_start INTEGER PRIMARY KEY,
  seconds_covered INTEGER NOT NULL,
  windows INTEGER NOT NULL,${COUNTERS}
);`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "history: windows, rollups, flows",
    up: `
CREATE TABLE windows (
  window_start INTEGER NOT NULL,
  window_size INTEGER NOT NULL,
  bytes_per_second REAL NOT NULL,${COUNTERS}
);
CREATE UNIQUE INDEX windows_time ON windows (window_start, window_size);
${rollupTable("rollup_1m")}
${rollupTable("rollup_1h")}
CREATE TABLE flows (
  id INTEGER PRIMARY KEY,
  proto INTEGER NOT NULL,
  src_ip TEXT NOT NULL,
  src_port INTEGER NOT NULL,
  dst_ip TEXT NOT NULL,
  dst_port INTEGER NOT NULL,
  vlan INTEGER NOT NULL,
  inner_vlan INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  packets_rev INTEGER NOT NULL,
  bytes_rev INTEGER NOT NULL,
  first_ts REAL NOT NULL,
  last_ts REAL NOT NULL,
  conn_state TEXT NOT NULL,
  tcp_flags TEXT NOT NULL,
  end_reason TEXT NOT NULL
);
CREATE INDEX flows_last_ts ON flows (last_ts);
CREATE INDEX flows_src_ip ON flows (src_ip, last_ts);
CREATE INDEX flows_dst_ip ON flows (dst_ip, last_ts);
CREATE INDEX flows_src_port ON flows (src_port, last_ts);
CREATE INDEX flows_dst_port ON flows (dst_port, last_ts);
CREATE INDEX flows_proto ON flows (proto, last_ts);
CREATE INDEX flows_conn_state ON flows (conn_state, last_ts);
`,
  },
  {
    id: 2,
    name: "sessions (auth)",
    up: `
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
`,
  },
  {
    id: 3,
    name: "alerts",
    up: `
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  dedup_key TEXT
);
CREATE INDEX alerts_ts ON alerts (ts);
`,
  },
  {
    id: 4,
    name: "alerts: deduplicated occurrences",
    // `ts` stays the time of the last occurrence in ms (retention reads it); rows from before
    // this migration count as one occurrence at their ts.
    up: `
ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN value REAL NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN threshold REAL NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN first_ts REAL NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN last_ts REAL NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
UPDATE alerts SET kind = rule, first_ts = ts / 1000.0, last_ts = ts / 1000.0;
CREATE INDEX alerts_last_ts ON alerts (last_ts);
`,
  },
  {
    id: 5,
    name: "sessions: absolute lifetime and the password they belong to",
    // A session is now valid only while its user keeps the password (bcrypt hash) it logged
    // in with, and for at most api.session_max_lifetime. Sessions from before know neither,
    // so they could never be valid again: they are deleted, and their users sign in again.
    up: `
ALTER TABLE sessions ADD COLUMN absolute_expires_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN credential TEXT NOT NULL DEFAULT '';
DELETE FROM sessions;
`,
  },
  {
    id: 6,
    name: "flows: the tunnel a flow came through",
    up: `
ALTER TABLE flows ADD COLUMN tunnel_type TEXT;
ALTER TABLE flows ADD COLUMN tunnel_src TEXT;
ALTER TABLE flows ADD COLUMN tunnel_dst TEXT;
`,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.id ?? 0;

export function schemaVersion(db: DB): number {
  const v = db.pragma("user_version", { simple: true });
  return typeof v === "number" ? v : 0;
}

/**
 * Brings `db` (the file `file`) to the last migration of `migrations`. Returns the versions
 * before and after. Throws StoreError `schema_too_new` for a file from a newer net-net and
 * `migration_failed` when a migration fails (that migration is rolled back).
 */
export function migrate(
  db: DB,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    // A programming error, not a runtime condition: caught by the tests.
    if (m.id !== i + 1) throw new Error(`migration ids must be 1, 2, 3, ...; got ${m.id}`);
  });
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new StoreError(
      "ERR_STORE_SCHEMA_TOO_NEW",
      `database ${file} has schema version ${from}, newer than this net-net knows (${latest}); ` +
        "it was written by a newer release: upgrade net-net or set database.path to another file",
    );
  }
  for (const m of migrations) {
    if (m.id <= from) continue;
    const apply = db.transaction(() => {
      if (typeof m.up === "string") db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.id}`);
    });
    try {
      apply.immediate();
    } catch (err: unknown) {
      const cause = toStoreError(err, file, `migration ${m.id} (${m.name})`);
      // Disk full, read-only and damage keep their own codes: they say what to fix.
      if (cause.code !== "ERR_STORE_SQLITE_ERROR") throw cause;
      throw new StoreError(
        "ERR_STORE_MIGRATION_FAILED",
        `migration ${m.id} (${m.name}) failed on database ${file}: ${messageOf(
          err,
        )}; the file stays at schema version ${m.id - 1}`,
        { cause: err },
      );
    }
  }
  return { from, to: Math.max(from, latest) };
}
