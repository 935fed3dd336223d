/**
 * Questions about the active flows, asked from outside the packet path (snapshots, the API):
 * the top N by bytes, and a filtered, sorted page. Both walk the table once and build records
 * only for the flows they return.
 */
import { parseAddress } from "../decode/address.js";
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

/** The active flows matching a query's filters, as flow indexes in the query's order. */
export function sortedActiveFlows(
  t: FlowTable,
  q: Omit<ActiveFlowQuery, "limit" | "offset">,
): number[] {
  let want: { family: number; w: readonly number[] } | null = null;
  if (q.ip !== undefined) {
    const a = parseAddress(q.ip);
    if (a === undefined) return [];
    // Table words are int32 (`| 0`); compare in that form.
    want = { family: a.family, w: a.words.map((x) => x | 0) };
  }
  const matches: number[] = [];
  const keys: number[] = [];
  const sort = q.sort ?? "bytes";
  t.forEach((idx) => {
    const p = idx * 2;
    if (q.proto !== undefined && t.proto[idx] !== q.proto) return;
    if (q.port !== undefined && t.port[p] !== q.port && t.port[p + 1] !== q.port) return;
    if (want !== null) {
      if (t.family[idx] !== want.family) return;
      const o = idx * 8;
      const a = t.addr;
      const w = want.w;
      const orig = a[o] === w[0] && a[o + 1] === w[1] && a[o + 2] === w[2] && a[o + 3] === w[3];
      const resp = a[o + 4] === w[0] && a[o + 5] === w[1] && a[o + 6] === w[2] && a[o + 7] === w[3];
      if (!orig && !resp) return;
    }
    if (q.state !== undefined && connStateOf(t, idx) !== q.state) return;
    matches.push(idx);
    keys.push(sortKey(t, idx, sort));
  });
  const order = Array.from(matches.keys());
  const dir = q.order === "asc" ? 1 : -1;
  // Ties by flow index keep pages stable between calls.
  order.sort((x, y) => (keys[x] - keys[y]) * dir || matches[x] - matches[y]);
  return order.map((i) => matches[i]);
}

/** A filtered, sorted page of the active flows. */
export function queryActiveFlows(t: FlowTable, q: ActiveFlowQuery): FlowPage {
  const sorted = sortedActiveFlows(t, q);
  return {
    total: sorted.length,
    flows: sorted.slice(q.offset, q.offset + q.limit).map((idx) => flowRecord(t, idx, END_FLUSH)),
  };
}

/**
 * Answers flow queries from orders computed at most once per tick: the first query with a
 * given filter and sort walks and sorts the table, later ones (other pages, other clients)
 * only build the records of their page. The order is the tick's; the counters in the records
 * are current. A slot whose flow ended and was reused since is left out of its page.
 */
export class ActiveFlowQueries {
  private readonly orders = new Map<string, { flows: number[]; hashes: Int32Array }>();

  constructor(
    private readonly table: FlowTable,
    /** Distinct orders kept at once (each holds two numbers per matching flow). */
    private readonly maxOrders = 16,
  ) {}

  /** Forgets every order (call once per tick). */
  invalidate(): void {
    this.orders.clear();
  }

  query(q: ActiveFlowQuery): FlowPage {
    const t = this.table;
    const key = JSON.stringify([q.ip, q.port, q.proto, q.state, q.sort, q.order]);
    let cached = this.orders.get(key);
    if (cached === undefined) {
      const flows = sortedActiveFlows(t, q);
      const hashes = new Int32Array(flows.length);
      for (let k = 0; k < flows.length; k++) hashes[k] = t.hash[flows[k]];
      if (this.orders.size >= this.maxOrders) this.orders.clear();
      cached = { flows, hashes };
      this.orders.set(key, cached);
    }
    const page: FlowRecord[] = [];
    const end = Math.min(cached.flows.length, q.offset + q.limit);
    for (let k = q.offset; k < end; k++) {
      const idx = cached.flows[k];
      if (t.hash[idx] === cached.hashes[k]) page.push(flowRecord(t, idx, END_FLUSH));
    }
    return { total: cached.flows.length, flows: page };
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
