/**
 * Questions about hosts, asked from outside the packet path (the hosts API): a filtered,
 * sorted page of the host table, and one host's detail (its counters, and its peers, ports
 * and flows among the active flows). Each walks its table once and formats addresses only
 * for what it returns.
 */
import type { HostSortKey, SortOrder } from "../contract/enums.js";
import type { HostCounters, HostPeer, HostPort, HostSummary } from "../contract/types.js";
import { formatAddress, parseAddress } from "../decode/address.js";
import { IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from "../decode/protocols.js";
import { addressKey, SIDE_INITIATOR, SIDE_NONE, sideOf } from "../flows/flow-query.js";
import { type FlowRecord, flowRecord } from "../flows/flow-record.js";
import { END_FLUSH, type FlowTable } from "../flows/flow-table.js";
import { firstInOrder } from "../util/select.js";
import type { HostTable } from "./host-table.js";
import { serviceName } from "./services.js";

export type { HostSortKey } from "../contract/enums.js";

export interface HostQuery {
  /** An address, or a prefix in CIDR form ("10.1.0.0/16", "2001:db8::/32"). */
  ip?: string;
  sort?: HostSortKey;
  order?: SortOrder;
  limit: number;
  offset: number;
}

// The shapes the hosts API answers with are the wire types the dashboard reads.
export type { HostCounters, HostPeer, HostPort } from "../contract/types.js";
/** One host of a page: its counters, both directions summed too. */
export type HostRecord = HostSummary;

export interface HostPage {
  total: number;
  hosts: HostRecord[];
}

export interface HostDetail {
  ip: string;
  /** The host's counters since the start of the run; null if the host table never saw it. */
  live: HostCounters | null;
  /** Among the active flows: the hosts it talks with, the service ports (the responder's
   * port of each flow) and the flows themselves, each by bytes, most first. */
  peers: HostPeer[];
  ports: HostPort[];
  flows: FlowRecord[];
  /** Active flows of the host in all (the lists above are cut at `limit`). */
  flow_count: number;
}

/** An address prefix as int32 words (the tables' form) and a mask per word. */
export interface Prefix {
  family: number;
  words: readonly number[];
  masks: readonly number[];
}

/** Parses "ADDRESS" or "ADDRESS/BITS"; undefined when invalid. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf("/");
  const a = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (a === undefined) return undefined;
  const max = a.family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(b) || Number(b) > max) return undefined;
    bits = Number(b);
  }
  // IPv4 lives in word 3 with words 0..2 zero (and compared whole).
  const start = a.family === 4 ? 96 : 0;
  const masks = [0, 1, 2, 3].map((i) => {
    const from = i * 32;
    if (from + 32 <= start) return -1;
    const n = Math.max(0, Math.min(32, start + bits - from));
    return n === 0 ? 0 : (0xffffffff << (32 - n)) | 0;
  });
  const words = a.words.map((w, i) => w & (masks[i] ?? 0));
  return { family: a.family, words, masks };
}

function inPrefix(p: Prefix, a: Int32Array, o: number, family: number): boolean {
  return (
    family === p.family &&
    (a[o] & (p.masks[0] ?? 0)) === p.words[0] &&
    (a[o + 1] & (p.masks[1] ?? 0)) === p.words[1] &&
    (a[o + 2] & (p.masks[2] ?? 0)) === p.words[2] &&
    (a[o + 3] & (p.masks[3] ?? 0)) === p.words[3]
  );
}

function counters(h: HostTable, i: number): HostCounters {
  return {
    bytes_sent: h.bytesOut[i] + h.windowOut[i],
    bytes_received: h.bytesIn[i] + h.windowIn[i],
    packets_sent: h.packetsOut[i] + h.windowPacketsOut[i],
    packets_received: h.packetsIn[i] + h.windowPacketsIn[i],
    first_seen: h.firstSeen[i],
    last_seen: h.lastSeen[i],
  };
}

function hostSortKey(h: HostTable, i: number, sort: HostSortKey): number {
  switch (sort) {
    case "packets":
      return h.packetsOut[i] + h.windowPacketsOut[i] + h.packetsIn[i] + h.windowPacketsIn[i];
    case "bytes_sent":
      return h.bytesOut[i] + h.windowOut[i];
    case "bytes_received":
      return h.bytesIn[i] + h.windowIn[i];
    case "last_seen":
      return h.lastSeen[i];
    default:
      return h.bytesOut[i] + h.windowOut[i] + h.bytesIn[i] + h.windowIn[i];
  }
}

/** A filtered, sorted page of the host table. */
export function queryHosts(h: HostTable, q: HostQuery): HostPage {
  let prefix: Prefix | null = null;
  if (q.ip !== undefined) {
    const p = parsePrefix(q.ip);
    if (p === undefined) return { total: 0, hosts: [] };
    prefix = p;
  }
  const matches: number[] = [];
  const ranks: number[] = [];
  const sort = q.sort ?? "bytes";
  // Ascending rank is the query's order.
  const dir = q.order === "asc" ? 1 : -1;
  for (let i = 0; i < h.count; i++) {
    if (prefix !== null && !inPrefix(prefix, h.addr, i * 4, h.family[i])) continue;
    matches.push(i);
    ranks.push(hostSortKey(h, i, sort) * dir);
  }
  const order = firstInOrder(matches, ranks, q.offset + q.limit);
  const hosts = order.slice(q.offset).map((i) => {
    const c = counters(h, i);
    const o = i * 4;
    return {
      ip: formatAddress(h.addr[o], h.addr[o + 1], h.addr[o + 2], h.addr[o + 3], h.family[i]),
      bytes: c.bytes_sent + c.bytes_received,
      packets: c.packets_sent + c.packets_received,
      ...c,
    };
  });
  return { total: matches.length, hosts };
}

/** Keeps the `n` entries with the most bytes, most first. */
function topByBytes<T extends { bytes: number }>(values: Iterable<T>, n: number): T[] {
  return [...values].sort((a, b) => b.bytes - a.bytes).slice(0, n);
}

/**
 * One host: its counters and, among the active flows, its peers, service ports and flows
 * (each list at most `limit` long). Null when the address is invalid.
 */
export function hostDetail(
  hosts: HostTable,
  flows: FlowTable,
  ip: string,
  limit: number,
): HostDetail | null {
  const key = addressKey(ip);
  if (key === undefined) return null;
  const w = key.w;
  const at = hosts.find(key.family, w[0], w[1], w[2], w[3]);
  const live = at < 0 ? null : counters(hosts, at);
  const peers = new Map<string, HostPeer>();
  const ports = new Map<number, HostPort>();
  const mine: { idx: number; bytes: number }[] = [];
  const fa = flows.addr;
  flows.forEach((idx) => {
    const side = sideOf(flows, idx, key);
    if (side === SIDE_NONE) return;
    const o = idx * 8;
    const p = idx * 2;
    const bytes = flows.bytes[p] + flows.bytes[p + 1];
    const packets = flows.packets[p] + flows.packets[p + 1];
    mine.push({ idx, bytes });
    // The peer is the other side (a flow from the host to itself has itself as peer).
    const po = side === SIDE_INITIATOR ? o + 4 : o;
    const peerIp = formatAddress(fa[po], fa[po + 1], fa[po + 2], fa[po + 3], key.family);
    const peer = peers.get(peerIp) ?? { ip: peerIp, bytes: 0, packets: 0, flows: 0 };
    peer.bytes += bytes;
    peer.packets += packets;
    peer.flows += 1;
    peers.set(peerIp, peer);
    const proto = flows.proto[idx];
    // Only protocols with ports have services (ICMP's "ports" are its echo identifier).
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP && proto !== IPPROTO_SCTP) return;
    const port = flows.port[p + 1];
    const portKey = proto * 65536 + port;
    const entry = ports.get(portKey) ?? {
      port,
      proto,
      service: serviceName(port),
      bytes: 0,
      packets: 0,
      flows: 0,
    };
    entry.bytes += bytes;
    entry.packets += packets;
    entry.flows += 1;
    ports.set(portKey, entry);
  });
  return {
    ip: formatAddress(w[0], w[1], w[2], w[3], key.family),
    live,
    peers: topByBytes(peers.values(), limit),
    ports: topByBytes(ports.values(), limit),
    flows: topByBytes(mine, limit).map((f) => flowRecord(flows, f.idx, END_FLUSH)),
    flow_count: mine.length,
  };
}
