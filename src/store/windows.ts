/**
 * Writing windows and their rollups. Each window is stored as it arrives and added into the
 * 1-minute and 1-hour rollup rows holding its start, in the caller's transaction, so a window
 * and its rollups are committed together or not at all.
 *
 * A window feeds a rollup only when it is no longer than the rollup's bucket: 10 s windows
 * feed both (six per minute), 60 s windows make the 1-minute rollup equal to the windows,
 * 300 s windows feed only the hourly rollup, windows longer than an hour feed neither. A
 * window size that does not divide the bucket is counted in the bucket holding its start.
 */
import type Database from "better-sqlite3";
import { SIZE_CLASSES } from "../contract/enums.js";
import { PROTOCOL_CLASSES, type ProtocolClass } from "../contract/protocols.js";
import { StoreError } from "./store-error.js";
import { mergePorts, mergeTalkers, parsePorts, parseTalkers, ROLLUP_TOP_N } from "./top-lists.js";
import type { WindowRecord } from "./types.js";

type DB = Database.Database;

/** Column name prefix of each protocol. */
export const PROTO_COLUMN: Record<ProtocolClass, string> = {
  TCP: "tcp",
  UDP: "udp",
  ICMP: "icmp",
  ICMPv6: "icmpv6",
  ARP: "arp",
  OTHER: "other",
};

/** The counters of windows and rollups, in the order `counterValues` fills them. */
export const COUNTER_COLUMNS: readonly string[] = [
  "packets",
  "bytes",
  ...PROTOCOL_CLASSES.flatMap((p) => [`${PROTO_COLUMN[p]}_packets`, `${PROTO_COLUMN[p]}_bytes`]),
  ...SIZE_CLASSES.map((s) => `size_${s}`),
  "drops",
];

export interface Rollup {
  table: "rollup_1m" | "rollup_1h";
  seconds: number;
}

export const ROLLUPS: readonly Rollup[] = [
  { table: "rollup_1m", seconds: 60 },
  { table: "rollup_1h", seconds: 3600 },
];

function counterValues(w: WindowRecord): number[] {
  const out = [w.packets, w.bytes];
  for (const p of PROTOCOL_CLASSES) {
    const c = w.protocols[p];
    out.push(c?.packets ?? 0, c?.bytes ?? 0);
  }
  for (const s of SIZE_CLASSES) out.push(w.packet_sizes[s] ?? 0);
  out.push(w.drops ?? 0);
  return out;
}

interface TopsRow {
  top_sources: string;
  top_destinations: string;
  top_ports: string;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

/** Returns `write(window)`, to be called inside a transaction. */
export function createWindowWriter(db: DB): (w: WindowRecord) => void {
  const cols = COUNTER_COLUMNS.join(", ");
  const add = COUNTER_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(", ");
  const tops =
    "top_sources = excluded.top_sources, top_destinations = excluded.top_destinations, " +
    "top_ports = excluded.top_ports";
  const n = COUNTER_COLUMNS.length;

  const selectWindow = db.prepare<unknown[], TopsRow>(
    "SELECT top_sources, top_destinations, top_ports FROM windows " +
      "WHERE window_start = ? AND window_size = ?",
  );
  // The same window written twice (a daemon restarted inside it) adds up rather than
  // replacing: both halves were real traffic.
  const upsertWindow = db.prepare(
    `INSERT INTO windows (window_start, window_size, bytes_per_second, ${cols}, ` +
      `top_sources, top_destinations, top_ports) VALUES (${placeholders(n + 6)}) ` +
      "ON CONFLICT (window_start, window_size) DO UPDATE SET " +
      `bytes_per_second = (bytes + excluded.bytes) * 1.0 / window_size, ${add}, ${tops}`,
  );
  const rollups = ROLLUPS.map((r) => ({
    seconds: r.seconds,
    select: db.prepare<unknown[], TopsRow>(
      `SELECT top_sources, top_destinations, top_ports FROM ${r.table} WHERE bucket_start = ?`,
    ),
    upsert: db.prepare(
      `INSERT INTO ${r.table} (bucket_start, seconds_covered, windows, ${cols}, ` +
        `top_sources, top_destinations, top_ports) VALUES (${placeholders(n + 6)}) ` +
        "ON CONFLICT (bucket_start) DO UPDATE SET " +
        "seconds_covered = seconds_covered + excluded.seconds_covered, " +
        `windows = windows + excluded.windows, ${add}, ${tops}`,
    ),
  }));

  return (w: WindowRecord): void => {
    const start = w.window_start;
    const size = w.window_size;
    if (!Number.isInteger(size) || size <= 0 || !Number.isInteger(start)) {
      throw new StoreError(
        "ERR_STORE_BAD_RECORD",
        `window_start must be an integer and window_size a positive integer (got ${start}, ${size})`,
      );
    }
    const counters = counterValues(w);
    const prev = selectWindow.get(start, size);
    const isNew = prev === undefined;
    const sources = isNew
      ? w.top_sources
      : mergeTalkers(parseTalkers(prev.top_sources), w.top_sources, ROLLUP_TOP_N);
    const destinations = isNew
      ? w.top_destinations
      : mergeTalkers(parseTalkers(prev.top_destinations), w.top_destinations, ROLLUP_TOP_N);
    const ports = isNew ? w.ports : mergePorts(parsePorts(prev.top_ports), w.ports, ROLLUP_TOP_N);
    upsertWindow.run(
      start,
      size,
      w.bytes_per_second,
      ...counters,
      JSON.stringify(sources),
      JSON.stringify(destinations),
      JSON.stringify(ports),
    );
    for (const r of rollups) {
      if (size > r.seconds) continue;
      const bucket = Math.floor(start / r.seconds) * r.seconds;
      const row = r.select.get(bucket);
      r.upsert.run(
        bucket,
        // A window seen again adds traffic but no time: its seconds were counted the first time.
        isNew ? size : 0,
        isNew ? 1 : 0,
        ...counters,
        JSON.stringify(mergeTalkers(parseTalkers(row?.top_sources), w.top_sources, ROLLUP_TOP_N)),
        JSON.stringify(
          mergeTalkers(parseTalkers(row?.top_destinations), w.top_destinations, ROLLUP_TOP_N),
        ),
        JSON.stringify(mergePorts(parsePorts(row?.top_ports), w.ports, ROLLUP_TOP_N)),
      );
    }
  };
}
