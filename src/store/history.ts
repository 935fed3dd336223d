/**
 * Reading history (`GET /metrics/history`, and a host's traffic over time) at the finest
 * resolution that fits the caller's limit: raw windows, else the 1-minute rollup, else the
 * 1-hour rollup, else hourly rows merged into at most `limit` evenly spaced buckets.
 *
 * Nothing here assumes a window size: a row's span and the seconds of capture it holds come
 * from the row (window_size, or a rollup's seconds_covered), and bytes_per_second is bytes
 * divided by those seconds.
 */
import type Database from "better-sqlite3";
import type { ProtocolClass } from "../contract/protocols.js";
import { StoreError } from "./store-error.js";
import { parseTalkers } from "./top-lists.js";
import type {
  HistoryQuery,
  HistoryResult,
  HistoryRow,
  HostHistoryPoint,
  HostHistoryResult,
} from "./types.js";
import { PROTO_COLUMN } from "./windows.js";

type DB = Database.Database;

export const HISTORY_LIMIT_DEFAULT = 1220;
export const HISTORY_LIMIT_MAX = 43200;
export const HISTORY_SPAN_DEFAULT = 86400;

type LevelName = "raw" | "1m" | "1h";

interface LevelDef {
  table: string;
  time: string;
  span: string;
  covered: string;
  /** Seconds per row; 0 for raw windows (their own window_size). */
  seconds: number;
}

const LEVELS: Record<LevelName, LevelDef> = {
  raw: {
    table: "windows",
    time: "window_start",
    span: "window_size",
    covered: "window_size",
    seconds: 0,
  },
  "1m": {
    table: "rollup_1m",
    time: "bucket_start",
    span: "60",
    covered: "seconds_covered",
    seconds: 60,
  },
  "1h": {
    table: "rollup_1h",
    time: "bucket_start",
    span: "3600",
    covered: "seconds_covered",
    seconds: 3600,
  },
};

type Params = Record<string, unknown>;

interface CountRow {
  n: number;
  hi: number;
}

interface DataRow {
  start: number;
  span: number;
  covered: number;
  packets: number;
  bytes: number;
  [protoBytes: string]: number;
}

interface HostRow {
  start: number;
  span: number;
  top_sources: string;
  top_destinations: string;
}

interface LevelStatements {
  count: Database.Statement<[Params], CountRow>;
  rows: Database.Statement<[Params], DataRow>;
  merged: Database.Statement<[Params], DataRow>;
  host: Database.Statement<[Params], HostRow>;
}

const PROTO_ENTRIES = Object.entries(PROTO_COLUMN) as [ProtocolClass, string][];

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function prepareLevel(db: DB, l: LevelDef): LevelStatements {
  const range = `${l.time} >= @start AND ${l.time} < @end`;
  const protoCols = PROTO_ENTRIES.map(([, c]) => `${c}_bytes`);
  // Rows are attributed to a bucket by their start; CAST keeps the division integral even
  // if the bound numbers arrive as REAL.
  // (A constant in ORDER BY would name a column, so the rollups order by time alone.)
  const order = l.seconds === 0 ? `${l.time}, ${l.span}` : l.time;
  const bucket = `@start + CAST((${l.time} - @start) / @width AS INTEGER) * @width`;
  return {
    count: db.prepare<Params, CountRow>(
      `SELECT count(*) AS n, coalesce(max(${l.span}), 0) AS hi FROM ${l.table} WHERE ${range}`,
    ),
    rows: db.prepare<Params, DataRow>(
      `SELECT ${l.time} AS start, ${l.span} AS span, ${l.covered} AS covered, packets, bytes, ` +
        `${protoCols.join(", ")} FROM ${l.table} WHERE ${range} ORDER BY ${order}`,
    ),
    merged: db.prepare<Params, DataRow>(
      `SELECT ${bucket} AS start, @width AS span, sum(${l.covered}) AS covered, ` +
        "sum(packets) AS packets, sum(bytes) AS bytes, " +
        `${protoCols.map((c) => `sum(${c}) AS ${c}`).join(", ")} ` +
        `FROM ${l.table} WHERE ${range} GROUP BY 1 ORDER BY 1`,
    ),
    host: db.prepare<Params, HostRow>(
      `SELECT ${l.time} AS start, ${l.span} AS span, top_sources, top_destinations ` +
        `FROM ${l.table} WHERE ${range} ` +
        "AND (instr(top_sources, @needle) > 0 OR instr(top_destinations, @needle) > 0) " +
        `ORDER BY ${l.time}`,
    ),
  };
}

export interface Range {
  start: number;
  end: number;
  limit: number;
}

/** Applies the contract's defaults and checks the arguments (StoreError `bad_query`). */
export function normalizeRange(q: HistoryQuery, nowMs: number): Range {
  const end = q.end ?? Math.floor(nowMs / 1000);
  const start = q.start ?? end - HISTORY_SPAN_DEFAULT;
  const limit = q.limit ?? HISTORY_LIMIT_DEFAULT;
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new StoreError("ERR_STORE_BAD_QUERY", "start and end must be numbers (Unix seconds)");
  }
  if (!Number.isFinite(limit) || limit < 1) {
    throw new StoreError("ERR_STORE_BAD_QUERY", "limit must be a number of at least 1");
  }
  // Whole seconds: buckets are computed in integer arithmetic.
  const s = Math.floor(start);
  const e = Math.ceil(end);
  if (s >= e) throw new StoreError("ERR_STORE_BAD_QUERY", "start must be before end");
  return { start: s, end: e, limit: Math.min(Math.floor(limit), HISTORY_LIMIT_MAX) };
}

export interface Choice {
  level: LevelName;
  /** Bucket width when rows are merged, else 0. */
  width: number;
  /** Seconds per row served. */
  resolution: number;
}

export interface HistoryReader {
  choose(r: Range): Choice;
  history(r: Range): HistoryResult;
  host(ip: string, r: Range): HostHistoryResult;
}

export function createHistoryReader(db: DB): HistoryReader {
  const st: Record<LevelName, LevelStatements> = {
    raw: prepareLevel(db, LEVELS.raw),
    "1m": prepareLevel(db, LEVELS["1m"]),
    "1h": prepareLevel(db, LEVELS["1h"]),
  };

  function count(level: LevelName, r: Range): CountRow {
    return st[level].count.get({ start: r.start, end: r.end }) ?? { n: 0, hi: 0 };
  }

  function mergeWidth(r: Range, unit: number): number {
    return Math.ceil((r.end - r.start) / r.limit / unit) * unit;
  }

  /**
   * The finest level whose row count in the range fits the limit. A rollup is eligible only
   * if every window in the range fed it (windows no longer than its bucket), so 300 s windows
   * never fall through to an empty 1-minute rollup.
   */
  function choose(r: Range): Choice {
    const raw = count("raw", r);
    if (raw.n <= r.limit) return { level: "raw", width: 0, resolution: raw.hi };
    if (raw.hi <= 60 && count("1m", r).n <= r.limit) {
      return { level: "1m", width: 0, resolution: 60 };
    }
    if (raw.hi <= 3600) {
      if (count("1h", r).n <= r.limit) return { level: "1h", width: 0, resolution: 3600 };
      const width = mergeWidth(r, 3600);
      return { level: "1h", width, resolution: width };
    }
    const width = mergeWidth(r, raw.hi);
    return { level: "raw", width, resolution: width };
  }

  function toRow(d: DataRow): HistoryRow {
    const breakdown = {} as Record<ProtocolClass, number>;
    for (const [name, col] of PROTO_ENTRIES) breakdown[name] = d[`${col}_bytes`] ?? 0;
    return {
      timestamp: (d.start + d.span) * 1000,
      window_start: d.start,
      window_size: d.span,
      total_bytes: d.bytes,
      total_packets: d.packets,
      bytes_per_second: d.covered > 0 ? round3(d.bytes / d.covered) : 0,
      protocol_breakdown: breakdown,
    };
  }

  function history(r: Range): HistoryResult {
    const c = choose(r);
    const s = st[c.level];
    const rows =
      c.width > 0
        ? s.merged.all({ start: r.start, end: r.end, width: c.width })
        : s.rows.all({ start: r.start, end: r.end });
    const windows = rows.map(toRow);
    return {
      start: r.start,
      end: r.end,
      count: windows.length,
      resolution_seconds: c.resolution,
      windows,
    };
  }

  function host(ip: string, r: Range): HostHistoryResult {
    const c = choose(r);
    // The exact member as JSON.stringify writes it: the closing quote keeps 10.0.0.1 from
    // matching 10.0.0.10. Each hit is confirmed by parsing below.
    const needle = JSON.stringify({ ip }).slice(1, -1);
    const rows = st[c.level].host.all({ start: r.start, end: r.end, needle });
    const points: HostHistoryPoint[] = [];
    let last: HostHistoryPoint | undefined;
    for (const row of rows) {
      const sent = parseTalkers(row.top_sources).find((t) => t.ip === ip);
      const received = parseTalkers(row.top_destinations).find((t) => t.ip === ip);
      if (sent === undefined && received === undefined) continue;
      const start =
        c.width > 0 ? r.start + Math.floor((row.start - r.start) / c.width) * c.width : row.start;
      const span = c.width > 0 ? c.width : row.span;
      if (last === undefined || last.window_start !== start || last.window_size !== span) {
        last = {
          window_start: start,
          window_size: span,
          bytes_sent: 0,
          packets_sent: 0,
          bytes_received: 0,
          packets_received: 0,
        };
        points.push(last);
      }
      last.bytes_sent += sent?.bytes ?? 0;
      last.packets_sent += sent?.packets ?? 0;
      last.bytes_received += received?.bytes ?? 0;
      last.packets_received += received?.packets ?? 0;
    }
    return { ip, start: r.start, end: r.end, resolution_seconds: c.resolution, points };
  }

  return { choose, history, host };
}
