/**
 * The store's public types: what the daemon writes each tick, what the API reads back, and
 * the component's config and dependencies. Field names follow the JSON of the engine's report
 * and of the original daemon's API (snake_case), so rows pass to the API without renaming.
 */
import type { FlowSortKey, SizeClass, SortOrder } from "../contract/enums.js";
import type { ProtocolClass } from "../contract/protocols.js";
import type { HostHistoryPoint, PortStat, Talker } from "../contract/types.js";
import type { FlowRecord } from "../flows/flow-record.js";
import type { Logger } from "../util/log.js";

export interface Count {
  packets: number;
  bytes: number;
}

/**
 * One closed stats window with addresses already formatted: the engine's `ReportWindow`
 * (see `toWindowRecord`) plus the capture's drops in that window.
 */
export interface WindowRecord {
  /** Unix seconds, a multiple of window_size. */
  window_start: number;
  /** Seconds (`stats.window_size`). */
  window_size: number;
  packets: number;
  bytes: number;
  bytes_per_second: number;
  protocols: Record<ProtocolClass, Count>;
  packet_sizes: Record<SizeClass, number>;
  top_sources: Talker[];
  top_destinations: Talker[];
  ports: PortStat[];
  /** Packets the capture dropped in this window (0, or absent, for files). */
  drops?: number;
}

/** Everything of one tick; written in one transaction. */
export interface TickInput {
  windows?: readonly WindowRecord[];
  flows?: readonly FlowRecord[];
}

export interface TickResult {
  windows: number;
  flows: number;
}

export interface StoreConfig {
  /** `database.path`; `:memory:` for tests. */
  path: string;
  /** `database.retention_days` (fractions allowed). */
  retentionDays: number;
  /** How often the retention job runs; default one hour. */
  retentionIntervalMs?: number;
}

export interface StoreDeps {
  log?: Logger;
  /** Wall clock in milliseconds (Date.now); injected by tests. */
  now?: () => number;
}

export interface HistoryQuery {
  /** Unix seconds, inclusive; default end minus 24 hours. */
  start?: number;
  /** Unix seconds, exclusive; default now. */
  end?: number;
  /** Most rows returned; default 1220, capped at 43200. */
  limit?: number;
}

/** A row of history and a page of them: the wire shapes of `GET /metrics/history`. */
export type {
  HistoryBody as HistoryResult,
  HistoryWindow as HistoryRow,
} from "../contract/types.js";

export interface FlowQuery {
  /** Unix seconds: flows whose [first_ts, last_ts] overlaps [from, to]. */
  from?: number;
  to?: number;
  /** Either side of the flow, exact formatted address. */
  ip?: string;
  /** Either side of the flow. */
  port?: number;
  /** IP protocol number, or tcp, udp, icmp, icmpv6 (any case). */
  proto?: number | string;
  /** Zeek conn_state code (SF, S0, REJ, ...; any case). */
  state?: string;
  /** bytes and packets sort by both directions together; default last_ts. */
  sort?: FlowSortKey;
  /** Default desc. */
  order?: SortOrder;
  /** Default 100, capped at 1000. */
  limit?: number;
  offset?: number;
}

export interface FlowQueryResult {
  /** Flows matching the filters, before limit and offset. */
  total: number;
  flows: FlowRecord[];
}

export interface HostHistoryQuery {
  start?: number;
  end?: number;
  limit?: number;
}

/** One window of a host's stored traffic: the wire type the dashboard reads. */
export type { HostHistoryPoint } from "../contract/types.js";

export interface HostHistoryResult {
  ip: string;
  start: number;
  end: number;
  resolution_seconds: number;
  /** Only spans where the host was in a top list; elsewhere its traffic is unknown. */
  points: HostHistoryPoint[];
}

/** Rows removed by one retention run. */
export interface RetentionResult {
  windows: number;
  rollup_1m: number;
  rollup_1h: number;
  flows: number;
  alerts: number;
  sessions: number;
}

/** The store's own counters, for the daemon's metrics and health. */
export interface StoreMetrics {
  ticks_written: number;
  windows_written: number;
  flows_written: number;
  write_errors: number;
  /** Duration of the last writeTick in milliseconds. */
  last_write_ms: number;
  retention_runs: number;
  rows_deleted: number;
}
