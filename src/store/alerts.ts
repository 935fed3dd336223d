/**
 * Alerts: the writer behind `writeAlerts` (insert new alerts, update the occurrences of known
 * ones) and the search behind `GET /api/alerts`. Columns in docs/storage.md; `ts` is the last
 * occurrence in Unix milliseconds, which retention reads.
 */
import type Database from "better-sqlite3";
import type { StoredAlert } from "../alerts/alert-engine.js";
import type { Alert, AlertPage, AlertQuery } from "../alerts/types.js";
import { StoreError } from "./store-error.js";

type DB = Database.Database;

export const ALERT_LIMIT_DEFAULT = 100;
export const ALERT_LIMIT_MAX = 1000;

/** Returns `write(alert)`, to be called inside a transaction; sets `id` on new alerts. */
export function createAlertWriter(db: DB): (a: StoredAlert) => void {
  const insert = db.prepare(
    `INSERT INTO alerts (ts, rule, severity, message, details, dedup_key, kind, subject, value,
       threshold, first_ts, last_ts, count) VALUES (?, ?, ?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE alerts SET ts = ?, severity = ?, message = ?, value = ?, threshold = ?, last_ts = ?,
       count = ? WHERE id = ?`,
  );
  return ({ alert: a, dedupKey }: StoredAlert): void => {
    const ts = Math.round(a.last_ts * 1000);
    if (a.id === null) {
      const r = insert.run(
        ts,
        a.rule,
        a.severity,
        a.message,
        dedupKey,
        a.kind,
        a.subject,
        a.value,
        a.threshold,
        a.first_ts,
        a.last_ts,
        a.count,
      );
      a.id = Number(r.lastInsertRowid);
    } else {
      update.run(ts, a.severity, a.message, a.value, a.threshold, a.last_ts, a.count, a.id);
    }
  };
}

/** Returns the search: newest first (last occurrence, then id), with the total before paging. */
export function createAlertSearch(db: DB): (q: AlertQuery) => AlertPage {
  const where = "WHERE (@severity IS NULL OR severity = @severity) AND last_ts >= @since";
  const count = db.prepare(`SELECT count(*) AS n FROM alerts ${where}`);
  const page = db.prepare(
    `SELECT id, rule, kind, severity, message, subject, value, threshold, first_ts, last_ts, count
       FROM alerts ${where} ORDER BY last_ts DESC, id DESC LIMIT @limit OFFSET @offset`,
  );
  return (q: AlertQuery): AlertPage => {
    const limit = q.limit ?? ALERT_LIMIT_DEFAULT;
    const offset = q.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
      throw new StoreError("ERR_STORE_BAD_QUERY", "limit must be at least 1 and offset at least 0");
    }
    const params = {
      severity: q.severity ?? null,
      since: q.since ?? Number.NEGATIVE_INFINITY,
      limit: Math.min(limit, ALERT_LIMIT_MAX),
      offset,
    };
    const total = (count.get(params) as { n: number }).n;
    // The columns are the alert's fields, written from Alert values (rule, kind and severity
    // among their allowed strings).
    return { total, alerts: page.all(params) as Alert[] };
  };
}
