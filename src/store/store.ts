/**
 * The SQLite history: windows and their rollups, finished flows, sessions (for auth) and
 * alerts, in one better-sqlite3 database in WAL mode. See docs/storage.md.
 *
 * The database is opened by `createStore` (so a bad file fails at start-up, before capture
 * begins, and `db` is ready for the auth component); `start` runs retention once and then
 * every `retentionIntervalMs`; `stop` closes the database. Every call is synchronous: a
 * tick's writes are one transaction on the main thread, measured by `metrics().last_write_ms`.
 */
import type Database from "better-sqlite3";
import type { StoredAlert } from "../alerts/alert-engine.js";
import type { AlertPage, AlertQuery } from "../alerts/types.js";
import { silentLogger } from "../util/log.js";
import { createAlertSearch, createAlertWriter } from "./alerts.js";
import { createFlowSearch, createFlowWriter } from "./flows.js";
import { createHistoryReader, normalizeRange } from "./history.js";
import type { Migration } from "./migrations.js";
import { openDatabase } from "./open.js";
import { StoreError, toStoreError } from "./store-error.js";
import type {
  FlowQuery,
  FlowQueryResult,
  HistoryQuery,
  HistoryResult,
  HostHistoryQuery,
  HostHistoryResult,
  RetentionResult,
  StoreConfig,
  StoreDeps,
  StoreMetrics,
  TickInput,
  TickResult,
} from "./types.js";
import { createWindowWriter } from "./windows.js";

export const RETENTION_INTERVAL_DEFAULT_MS = 60 * 60 * 1000;

export interface Store {
  /** The open connection, for components that keep their own tables (auth: `sessions`). */
  readonly db: Database.Database;
  /** Schema version before and after opening (equal when nothing was migrated). */
  readonly migrated: { from: number; to: number };
  start(): void;
  /** Stops retention, runs PRAGMA optimize, closes the database. Safe to call twice. */
  stop(): void;
  /** Writes one tick in one transaction; throws StoreError (nothing of the tick is kept). */
  writeTick(tick: TickInput): TickResult;
  /** Checkpoints the WAL into the database file (a durable point even against power loss). */
  flush(): void;
  queryHistory(q?: HistoryQuery): HistoryResult;
  queryFlows(q?: FlowQuery): FlowQueryResult;
  hostHistory(ip: string, q?: HostHistoryQuery): HostHistoryResult;
  /** Inserts new alerts (setting their ids) and updates known ones, in one transaction. */
  writeAlerts(alerts: readonly StoredAlert[]): void;
  queryAlerts(q?: AlertQuery): AlertPage;
  /** Deletes rows older than retentionDays and expired sessions, in one transaction. */
  runRetention(): RetentionResult;
  /** Changes how many days are kept (config reload); the next retention run applies it. */
  setRetentionDays(days: number): void;
  metrics(): StoreMetrics;
}

/** For tests: a different migration list (an older schema, a failing migration). */
export interface StoreTestHooks {
  migrations?: readonly Migration[];
}

/** Every statement of the store, prepared once when it opens. */
function prepareStatements(db: Database.Database) {
  return {
    writeWindow: createWindowWriter(db),
    writeFlow: createFlowWriter(db),
    searchFlows: createFlowSearch(db),
    writeAlert: createAlertWriter(db),
    searchAlerts: createAlertSearch(db),
    reader: createHistoryReader(db),
    // A row goes once all of its span is older than the cutoff.
    retention: {
      windows: db.prepare<[number, number]>(
        "DELETE FROM windows WHERE window_start <= ? AND window_start + window_size <= ?",
      ),
      rollup1m: db.prepare<[number]>("DELETE FROM rollup_1m WHERE bucket_start <= ?"),
      rollup1h: db.prepare<[number]>("DELETE FROM rollup_1h WHERE bucket_start <= ?"),
      flows: db.prepare<[number]>("DELETE FROM flows WHERE last_ts < ?"),
      alerts: db.prepare<[number]>("DELETE FROM alerts WHERE ts < ?"),
      sessions: db.prepare<[number]>("DELETE FROM sessions WHERE expires_at <= ?"),
    },
  };
}
type Statements = ReturnType<typeof prepareStatements>;

export function createStore(
  config: StoreConfig,
  deps: StoreDeps = {},
  hooks: StoreTestHooks = {},
): Store {
  const log = deps.log ?? silentLogger;
  const now = deps.now ?? Date.now;
  const path = config.path;
  const interval = config.retentionIntervalMs ?? RETENTION_INTERVAL_DEFAULT_MS;
  const checkDays = (days: number) => {
    if (!(days > 0)) {
      throw new StoreError(
        "ERR_STORE_BAD_CONFIG",
        "retentionDays must be a positive number of days",
      );
    }
  };
  checkDays(config.retentionDays);
  let retentionDays = config.retentionDays;
  const opened = openDatabase(path, log, hooks.migrations);
  const db = opened.db;

  let st: Statements;
  try {
    st = prepareStatements(db);
  } catch (err: unknown) {
    // Preparing reads the schema: a file damaged past its header fails here.
    db.close();
    throw toStoreError(err, path, "opening");
  }

  const m: StoreMetrics = {
    ticks_written: 0,
    windows_written: 0,
    flows_written: 0,
    write_errors: 0,
    last_write_ms: 0,
    retention_runs: 0,
    rows_deleted: 0,
  };
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  function ensureOpen(): void {
    if (closed) {
      throw new StoreError(
        "ERR_STORE_CLOSED",
        `database ${path} is closed (the store was stopped)`,
      );
    }
  }

  const tickTx = db.transaction((tick: TickInput): TickResult => {
    const windows = tick.windows ?? [];
    const flows = tick.flows ?? [];
    for (const w of windows) st.writeWindow(w);
    for (const f of flows) st.writeFlow(f);
    return { windows: windows.length, flows: flows.length };
  });

  function writeTick(tick: TickInput): TickResult {
    ensureOpen();
    const t0 = performance.now();
    let result: TickResult;
    try {
      result = tickTx(tick);
    } catch (err: unknown) {
      m.write_errors++;
      throw toStoreError(err, path, "writing a tick");
    }
    m.last_write_ms = performance.now() - t0;
    m.ticks_written++;
    m.windows_written += result.windows;
    m.flows_written += result.flows;
    return result;
  }

  const alertsTx = db.transaction((alerts: readonly StoredAlert[]) => {
    for (const a of alerts) st.writeAlert(a);
  });

  function writeAlerts(alerts: readonly StoredAlert[]): void {
    ensureOpen();
    // Ids are set inside the transaction; a rollback must not leave them behind.
    const before = alerts.map((a) => a.alert.id);
    try {
      alertsTx(alerts);
    } catch (err: unknown) {
      alerts.forEach((a, i) => {
        a.alert.id = before[i] ?? null;
      });
      m.write_errors++;
      throw toStoreError(err, path, "writing alerts");
    }
  }

  const retentionTx = db.transaction((nowMs: number): RetentionResult => {
    const cutoffMs = nowMs - retentionDays * 86_400_000;
    const cutoffS = Math.floor(cutoffMs / 1000);
    const retention = st.retention;
    return {
      windows: retention.windows.run(cutoffS, cutoffS).changes,
      rollup_1m: retention.rollup1m.run(cutoffS - 60).changes,
      rollup_1h: retention.rollup1h.run(cutoffS - 3600).changes,
      flows: retention.flows.run(cutoffMs / 1000).changes,
      alerts: retention.alerts.run(cutoffMs).changes,
      sessions: retention.sessions.run(nowMs).changes,
    };
  });

  function runRetention(): RetentionResult {
    ensureOpen();
    let r: RetentionResult;
    try {
      r = retentionTx(now());
    } catch (err: unknown) {
      throw toStoreError(err, path, "retention");
    }
    const total = r.windows + r.rollup_1m + r.rollup_1h + r.flows + r.alerts + r.sessions;
    m.retention_runs++;
    m.rows_deleted += total;
    log.info(
      {
        path,
        retention_days: retentionDays,
        ...r,
      },
      "retention removed old rows",
    );
    return r;
  }

  /** The timer's run: a failure is logged, never thrown into the event loop. */
  function retentionJob(): void {
    try {
      runRetention();
    } catch (err: unknown) {
      const e = toStoreError(err, path, "retention");
      log.error({ path, code: e.code, error: e.message }, "retention failed");
    }
  }

  function reading<T>(action: string, fn: () => T): T {
    ensureOpen();
    try {
      return fn();
    } catch (err: unknown) {
      throw toStoreError(err, path, action);
    }
  }

  return {
    db,
    migrated: { from: opened.from, to: opened.to },
    start(): void {
      ensureOpen();
      if (timer !== undefined) return;
      retentionJob();
      timer = setInterval(retentionJob, interval);
      timer.unref();
    },
    stop(): void {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (closed) return;
      closed = true;
      try {
        db.pragma("optimize");
      } catch (err: unknown) {
        log.warn(
          {
            path,
            error: toStoreError(err, path, "optimize").message,
          },
          "pragma optimize failed",
        );
      }
      db.close();
    },
    writeTick,
    flush(): void {
      reading("checkpoint", () => db.pragma("wal_checkpoint(PASSIVE)"));
    },
    queryHistory: (q = {}) =>
      reading("history query", () => st.reader.history(normalizeRange(q, now()))),
    queryFlows: (q = {}) => reading("flow query", () => st.searchFlows(q)),
    hostHistory: (ip, q = {}) =>
      reading("host history query", () => st.reader.host(ip, normalizeRange(q, now()))),
    writeAlerts,
    queryAlerts: (q = {}) => reading("alert query", () => st.searchAlerts(q)),
    runRetention,
    setRetentionDays(days: number): void {
      checkDays(days);
      retentionDays = days;
    },
    metrics: () => ({ ...m }),
  };
}
