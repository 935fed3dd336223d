/**
 * Questions about the active flows, asked from outside the packet path (snapshots, the API):
 * the top N by bytes, and a filtered, sorted page. Both walk the table once and build records
 * only for the flows they return.
 */
import { parseAddress } from "../decode/address.js";
import { firstInOrder } from "../util/select.js";
import { connStateOf, type FlowRecord, flowRecord } from "./flow-record.js";
import { END_FLUSH, type FlowTable } from "./flow-table.js";

/** Flow indexes of the `n` active flows with the most bytes (both directions), most first. */
export function topActiveFlows(t: FlowTable, n: number): number[] {
  if (n <= 0) return [];
  const top: number[] = [];
  const bytes: number[] = [];
  t.forEach((idx) => {
    const b = t.bytes[idx * 2] + t.bytes[idx * 2 + 1];
    if (top.length === n && b <= bytes[n - 1]) return;
    let i = top.length;
    while (i > 0 && bytes[i - 1] < b) i--;
    top.splice(i, 0, idx);
    bytes.splice(i, 0, b);
    if (top.length > n) {
      top.pop();
      bytes.pop();
    }
  });
  return top;
}

export type FlowSortKey = "bytes" | "packets" | "first_ts" | "last_ts";

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
  order?: "asc" | "desc";
  limit: number;
  offset: number;
}

export interface FlowPage {
  total: number;
  flows: FlowRecord[];
}

/** An address as the tables hold it: its family and four int32 words (`word | 0`). */
export interface AddressKey {
  family: number;
  w: readonly number[];
}

/** The table form of an address given as text; undefined if it is not one. */
export function addressKey(text: string): AddressKey | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : { family: a.family, w: a.words.map((x) => x | 0) };
}

export const SIDE_NONE = 0;
export const SIDE_INITIATOR = 1;
export const SIDE_RESPONDER = 2;

/** Which side of flow `idx` has the address: the initiator's (checked first), the
 * responder's, or neither. */
export function sideOf(t: FlowTable, idx: number, key: AddressKey): number {
  if (t.family[idx] !== key.family) return SIDE_NONE;
  const o = idx * 8;
  const a = t.addr;
  const w = key.w;
  if (a[o] === w[0] && a[o + 1] === w[1] && a[o + 2] === w[2] && a[o + 3] === w[3]) {
    return SIDE_INITIATOR;
  }
  if (a[o + 4] === w[0] && a[o + 5] === w[1] && a[o + 6] === w[2] && a[o + 7] === w[3]) {
    return SIDE_RESPONDER;
  }
  return SIDE_NONE;
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
