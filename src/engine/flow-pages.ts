/**
 * Pages of the active flows, as the flows API asks for them: filtered by address, port,
 * protocol and state, sorted by a key of the contract, and cut into pages. Each query walks
 * the flow table once and builds records only for the flows of its page.
 */
import type { FlowSortKey, SortOrder } from "../contract/enums.js";
import { type AddressKey, addressKey, SIDE_NONE, sideOf } from "../flows/flow-query.js";
import { connStateOf, type FlowRecord, flowRecord } from "../flows/flow-record.js";
import { END_FLUSH, type FlowTable } from "../flows/flow-table.js";
import { firstInOrder } from "../util/select.js";

export type { FlowSortKey } from "../contract/enums.js";

export interface ActiveFlowQuery {
  /** An address on either side. */
  ip?: string;
  /** A port on either side. */
  port?: number;
  /** IP protocol number. */
  proto?: number;
  /** Zeek conn_state code. */
  state?: string;
  sort?: FlowSortKey;
  order?: SortOrder;
  limit: number;
  offset: number;
}

export interface FlowPage {
  total: number;
  flows: FlowRecord[];
}

/** Matching flows, in the query's order, and how many matched in all. */
export interface SortedFlows {
  total: number;
  /** Flow indexes: the first `limit` of the order (all of them without a limit). */
  flows: number[];
}

/**
 * The active flows matching a query's filters, as flow indexes in the query's order (ties by
 * flow index, so pages are stable), cut at `limit`. With a limit below the number of matches
 * only the first `limit` are sorted, after a linear selection: a page of 100 among 1M flows
 * costs a walk of the table, not a sort of it.
 */
export function sortedActiveFlows(
  t: FlowTable,
  q: Omit<ActiveFlowQuery, "limit" | "offset">,
  limit = Number.POSITIVE_INFINITY,
): SortedFlows {
  let want: AddressKey | null = null;
  if (q.ip !== undefined) {
    const key = addressKey(q.ip);
    if (key === undefined) return { total: 0, flows: [] };
    want = key;
  }
  const matches: number[] = [];
  const ranks: number[] = [];
  const sort = q.sort ?? "bytes";
  // Ascending rank is the query's order.
  const dir = q.order === "asc" ? 1 : -1;
  t.forEach((idx) => {
    const p = idx * 2;
    if (q.proto !== undefined && t.proto[idx] !== q.proto) return;
    if (q.port !== undefined && t.port[p] !== q.port && t.port[p + 1] !== q.port) return;
    if (want !== null && sideOf(t, idx, want) === SIDE_NONE) return;
    if (q.state !== undefined && connStateOf(t, idx) !== q.state) return;
    matches.push(idx);
    ranks.push(sortKey(t, idx, sort) * dir);
  });
  return { total: matches.length, flows: firstInOrder(matches, ranks, limit) };
}

/** A filtered, sorted page of the active flows. */
export function queryActiveFlows(t: FlowTable, q: ActiveFlowQuery): FlowPage {
  const sorted = sortedActiveFlows(t, q, q.offset + q.limit);
  return {
    total: sorted.total,
    flows: sorted.flows.slice(q.offset).map((idx) => flowRecord(t, idx, END_FLUSH)),
  };
}

/** Flows ordered at once for a cached order: the first pages of a table (1000 rows). */
const ORDER_PREFIX = 1000;

/**
 * Answers flow queries from orders computed at most once per tick: the first query with a
 * given filter and sort walks the table and orders its first 1000 matches (all of them when
 * a page lies deeper), later ones (other pages, other clients) only build the records of
 * their page. The order is the tick's; the counters in the records are current. A slot whose
 * flow ended and was reused since is left out of its page.
 */
export class ActiveFlowQueries {
  private readonly orders = new Map<
    string,
    { total: number; flows: number[]; hashes: Int32Array }
  >();

  constructor(
    private readonly table: FlowTable,
    /** Distinct orders kept at once (each holds two numbers per ordered flow). */
    private readonly maxOrders = 16,
  ) {}

  /** Forgets every order (call once per tick). */
  invalidate(): void {
    this.orders.clear();
  }

  query(q: ActiveFlowQuery): FlowPage {
    const t = this.table;
    const key = JSON.stringify([q.ip, q.port, q.proto, q.state, q.sort, q.order]);
    const need = q.offset + q.limit;
    let cached = this.orders.get(key);
    if (
      cached === undefined ||
      (cached.flows.length < need && cached.flows.length < cached.total)
    ) {
      const sorted = sortedActiveFlows(
        t,
        q,
        need <= ORDER_PREFIX ? ORDER_PREFIX : Number.POSITIVE_INFINITY,
      );
      const hashes = new Int32Array(sorted.flows.length);
      for (let k = 0; k < sorted.flows.length; k++) hashes[k] = t.hash[sorted.flows[k]];
      if (this.orders.size >= this.maxOrders) this.orders.clear();
      cached = { total: sorted.total, flows: sorted.flows, hashes };
      this.orders.set(key, cached);
    }
    const page: FlowRecord[] = [];
    const end = Math.min(cached.flows.length, need);
    for (let k = q.offset; k < end; k++) {
      const idx = cached.flows[k];
      if (t.hash[idx] === cached.hashes[k]) page.push(flowRecord(t, idx, END_FLUSH));
    }
    return { total: cached.total, flows: page };
  }
}

function sortKey(t: FlowTable, idx: number, sort: FlowSortKey): number {
  const p = idx * 2;
  switch (sort) {
    case "packets":
      return t.packets[p] + t.packets[p + 1];
    case "first_ts": {
      const a = t.firstTs[p];
      const b = t.firstTs[p + 1];
      return a === 0 ? b : b === 0 ? a : Math.min(a, b);
    }
    case "last_ts":
      return t.lastSeen[idx];
    default:
      return t.bytes[p] + t.bytes[p + 1];
  }
}
