/**
 * The alert shapes of the rules, the store and the API. An alert itself, as `GET /api/alerts`
 * and the stream's `alerts` field carry it, is the contract's `Alert` (src/contract/types.ts).
 */
import type { AlertKind, AlertRule, Severity } from "../contract/enums.js";
import type { Alert } from "../contract/types.js";

export type { AlertsConfig } from "../config/defaults.js";
export type { AlertKind, AlertRule, Severity } from "../contract/enums.js";
export type { Alert } from "../contract/types.js";

/** One rule's finding in one tick, before deduplication. */
export interface Observation {
  rule: AlertRule;
  kind: AlertKind;
  subject: string;
  value: number;
  threshold: number;
  /** Unix seconds (packet time). */
  ts: number;
  message: string;
}

/** `GET /api/alerts` parameters. */
export interface AlertQuery {
  /** Default 100, at most 1000. */
  limit?: number;
  offset?: number;
  severity?: Severity;
  /** Unix seconds: alerts whose last occurrence is at or after it. */
  since?: number;
}

export interface AlertPage {
  /** Alerts matching the filters, before limit and offset. */
  total: number;
  /** Newest first (by last occurrence, then id). */
  alerts: Alert[];
}
