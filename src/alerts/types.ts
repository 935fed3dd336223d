/**
 * The alert shapes shared by the engine, the store, the API and the live stream. The JSON of
 * `GET /api/alerts` and of the stream's `alerts` field is exactly `Alert`.
 */
import type { Severity } from "../config/defaults.js";

export type { AlertsConfig, Severity } from "../config/defaults.js";

/** A rule of the config (`alerts.<rule>`). */
export type AlertRule = "bandwidth" | "drop_rate" | "active_flows" | "watched_ports" | "scan";

/** What was seen; one rule can raise several kinds (scan: port_scan, host_scan). */
export type AlertKind =
  | "bandwidth"
  | "drop_rate"
  | "active_flows"
  | "watched_port"
  | "port_scan"
  | "host_scan";

export interface Alert {
  /** Row id in the history; null only while the alert is not yet stored. */
  id: number | null;
  rule: AlertRule;
  kind: AlertKind;
  severity: Severity;
  message: string;
  /** What the alert is about: "total traffic", "eth0", "10.0.0.5", "10.0.0.5 -> 10.0.0.9:23/tcp". */
  subject: string;
  /** The value measured at the last occurrence, in the rule's unit. */
  value: number;
  /** The threshold it was above (the config's, when it was last seen). */
  threshold: number;
  /** Unix seconds (packet time) of the first and the last occurrence. */
  first_ts: number;
  last_ts: number;
  /** Occurrences merged into this alert (closed seconds, ticks, or new flows: see docs/alerts.md). */
  count: number;
}

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
