/**
 * Finished flows: the insert used by writeTick and the search behind `GET /api/flows`.
 *
 * A search's WHERE clause depends on which filters are given, so its statements are built
 * per shape (filters present, sort, order) and cached: each shape is prepared once.
 */
import type Database from "better-sqlite3";
import type { FlowSortKey, SortOrder } from "../contract/enums.js";
import { PROTOCOL_FILTER_NAMES, protocolNumber } from "../contract/protocols.js";
import type { FlowRecord } from "../flows/flow-record.js";
import { StoreError } from "./store-error.js";
import type { FlowQuery, FlowQueryResult } from "./types.js";

type DB = Database.Database;

/** Columns of a flow row that are fields of a FlowRecord as they are. */
export const FLOW_COLUMNS = [
  "proto",
  "src_ip",
  "src_port",
  "dst_ip",
  "dst_port",
  "vlan",
  "inner_vlan",
  "packets",
  "bytes",
  "packets_rev",
  "bytes_rev",
  "first_ts",
  "last_ts",
  "conn_state",
  "tcp_flags",
  "end_reason",
] as const satisfies readonly (keyof FlowRecord)[];

/** The record's `tunnel`, as three columns (all null when the flow was not tunneled). */
const TUNNEL_COLUMNS = ["tunnel_type", "tunnel_src", "tunnel_dst"] as const;
const ALL_COLUMNS = [...FLOW_COLUMNS, ...TUNNEL_COLUMNS];

type FlowRow = Omit<FlowRecord, "tunnel"> & {
  tunnel_type: string | null;
  tunnel_src: string | null;
  tunnel_dst: string | null;
};

function recordOf(row: FlowRow): FlowRecord {
  const { tunnel_type, tunnel_src, tunnel_dst, ...rest } = row;
  return {
    ...rest,
    tunnel:
      tunnel_type === null
        ? null
        : { type: tunnel_type, src_ip: tunnel_src ?? "", dst_ip: tunnel_dst ?? "" },
  };
}

export const FLOW_LIMIT_DEFAULT = 100;
export const FLOW_LIMIT_MAX = 1000;

const SORT_EXPR: Record<FlowSortKey, string> = {
  bytes: "(bytes + bytes_rev)",
  packets: "(packets + packets_rev)",
  first_ts: "first_ts",
  last_ts: "last_ts",
};

/** Returns `insert(flow)`, to be called inside a transaction. */
export function createFlowWriter(db: DB): (f: FlowRecord) => void {
  const insert = db.prepare(
    `INSERT INTO flows (${ALL_COLUMNS.join(", ")}) VALUES (${ALL_COLUMNS.map(() => "?").join(", ")})`,
  );
  // Positional arguments: the fastest way into better-sqlite3 (no object key lookups).
  return (f: FlowRecord): void => {
    insert.run(
      f.proto,
      f.src_ip,
      f.src_port,
      f.dst_ip,
      f.dst_port,
      f.vlan,
      f.inner_vlan,
      f.packets,
      f.bytes,
      f.packets_rev,
      f.bytes_rev,
      f.first_ts,
      f.last_ts,
      f.conn_state,
      f.tcp_flags,
      f.end_reason,
      f.tunnel?.type ?? null,
      f.tunnel?.src_ip ?? null,
      f.tunnel?.dst_ip ?? null,
    );
  };
}

function bad(message: string): StoreError {
  return new StoreError("ERR_STORE_BAD_QUERY", message);
}

function finite(name: string, v: number): number {
  if (!Number.isFinite(v)) throw bad(`${name} must be a number`);
  return v;
}

function nonNegativeInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw bad(`${name} must be a non-negative integer`);
  return v;
}

export function protoNumber(proto: number | string): number {
  if (typeof proto === "number") {
    if (!Number.isInteger(proto) || proto < 0 || proto > 255) throw bad("proto must be 0-255");
    return proto;
  }
  const named = protocolNumber(proto);
  if (named !== undefined) return named;
  if (/^\d{1,3}$/.test(proto)) return protoNumber(Number(proto));
  throw bad(
    `unknown proto ${JSON.stringify(proto)} (a number or ${PROTOCOL_FILTER_NAMES.join(", ")})`,
  );
}

type Params = Record<string, unknown>;

interface Shape {
  count: Database.Statement<[Params], { n: number }>;
  select: Database.Statement<[Params], FlowRow>;
}

/** Most statement shapes kept; far above the number of distinct shapes the API can ask for. */
const SHAPE_CACHE_MAX = 512;

export function createFlowSearch(db: DB): (q: FlowQuery) => FlowQueryResult {
  const shapes = new Map<string, Shape>();

  function shape(where: string[], sort: FlowSortKey, order: SortOrder): Shape {
    const key = `${where.join(" AND ")}|${sort}|${order}`;
    const cached = shapes.get(key);
    if (cached !== undefined) return cached;
    const clause = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
    const dir = order === "asc" ? "ASC" : "DESC";
    const s: Shape = {
      count: db.prepare<Params, { n: number }>(`SELECT count(*) AS n FROM flows${clause}`),
      // id breaks ties so paging never repeats or skips a row.
      select: db.prepare<Params, FlowRow>(
        `SELECT ${ALL_COLUMNS.join(", ")} FROM flows${clause} ` +
          `ORDER BY ${SORT_EXPR[sort]} ${dir}, id ${dir} LIMIT @limit OFFSET @offset`,
      ),
    };
    if (shapes.size >= SHAPE_CACHE_MAX) shapes.clear();
    shapes.set(key, s);
    return s;
  }

  return (q: FlowQuery): FlowQueryResult => {
    const where: string[] = [];
    const params: Params = {};
    if (q.from !== undefined) {
      where.push("last_ts >= @from");
      params.from = finite("from", q.from);
    }
    if (q.to !== undefined) {
      where.push("first_ts <= @to");
      params.to = finite("to", q.to);
    }
    if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
      throw bad("from must not be after to");
    }
    if (q.ip !== undefined) {
      where.push("(src_ip = @ip OR dst_ip = @ip)");
      params.ip = q.ip;
    }
    if (q.port !== undefined) {
      if (!Number.isInteger(q.port) || q.port < 0 || q.port > 65535) {
        throw bad("port must be 0-65535");
      }
      where.push("(src_port = @port OR dst_port = @port)");
      params.port = q.port;
    }
    if (q.proto !== undefined) {
      where.push("proto = @proto");
      params.proto = protoNumber(q.proto);
    }
    if (q.state !== undefined) {
      where.push("conn_state = @state");
      params.state = q.state.toUpperCase();
    }
    const sort = q.sort ?? "last_ts";
    if (!Object.hasOwn(SORT_EXPR, sort))
      throw bad("sort must be bytes, packets, first_ts or last_ts");
    const order = q.order ?? "desc";
    if (order !== "asc" && order !== "desc") throw bad("order must be asc or desc");
    const limit = Math.min(nonNegativeInt("limit", q.limit ?? FLOW_LIMIT_DEFAULT), FLOW_LIMIT_MAX);
    const offset = nonNegativeInt("offset", q.offset ?? 0);

    const s = shape(where, sort, order);
    const total = s.count.get(params)?.n ?? 0;
    const flows =
      limit > 0 && offset < total ? s.select.all({ ...params, limit, offset }).map(recordOf) : [];
    return { total, flows };
  };
}
