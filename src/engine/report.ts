/**
 * The report of a run (`netnet replay`): one JSON-ready object, and its readable text form.
 */

import type { PortStat, Talker } from "../contract/types.js";
import { formatAddress } from "../decode/address.js";
import { connStateOf, type FlowRecord, flowRecord } from "../flows/flow-record.js";
import type { FlowEndListener, FlowTable } from "../flows/flow-table.js";
import { linkTypeName } from "../packet/link-types.js";
import { SIZE_CLASS_RANGES, type WindowSummary } from "../stats/aggregator.js";
import type { HostTable } from "../stats/host-table.js";
import type { PacketEngine } from "./packet-engine.js";

export interface ReportWindow {
  window_start: number;
  window_size: number;
  packets: number;
  bytes: number;
  bytes_per_second: number;
  protocols: Record<string, { packets: number; bytes: number }>;
  packet_sizes: Record<string, number>;
  top_sources: Talker[];
  top_destinations: Talker[];
  ports: PortStat[];
}

export interface ReplayReport {
  file: string;
  format: string;
  compressed: boolean;
  interfaces: { linktype: number; link_type_name: string; snaplen: number; name: string | null }[];
  packets: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
  duration_seconds: number;
  bytes_per_second: number;
  peak_bytes_per_second: number;
  protocols: Record<string, { packets: number; bytes: number }>;
  packet_sizes: Record<string, number>;
  packet_size_ranges: Record<string, string>;
  flow_count: number;
  flows_evicted: number;
  flows_expired: number;
  flows_reused: number;
  conn_states: Record<string, number>;
  top_flows: FlowRecord[];
  top_sources: Talker[];
  top_destinations: Talker[];
  ports: PortStat[];
  windows: ReportWindow[];
  decode_errors: Record<string, number>;
  unsupported_link_types: Record<string, number>;
  hosts_untracked: number;
  damage: { code: string; message: string; offset: number } | null;
  elapsed_seconds: number;
  packets_per_second: number;
}

/**
 * Follows every flow that ends: keeps the top N by bytes (both directions), counts
 * conn_states, and hands each record to an optional writer (`--flows-out`). Records are built
 * only for flows that qualify or when a writer wants them, so a run without `--flows-out`
 * builds about N records, not one per flow.
 */
export class FlowCollector implements FlowEndListener {
  private readonly top: { bytes: number; record: FlowRecord }[] = [];
  readonly connStates: Record<string, number> = {};

  constructor(
    private readonly topN: number,
    private readonly write: ((record: FlowRecord) => void) | null = null,
  ) {}

  flowEnded(t: FlowTable, idx: number, reason: number): void {
    const state = connStateOf(t, idx);
    this.connStates[state] = (this.connStates[state] ?? 0) + 1;
    const total = t.bytes[idx * 2] + t.bytes[idx * 2 + 1];
    const wanted =
      this.topN > 0 && (this.top.length < this.topN || total > this.top[this.top.length - 1].bytes);
    if (this.write === null && !wanted) return;
    const record = flowRecord(t, idx, reason);
    this.write?.(record);
    if (wanted) {
      // Insertion into a short sorted list; ties keep the earlier flow first.
      let i = this.top.length;
      while (i > 0 && this.top[i - 1].bytes < total) i--;
      this.top.splice(i, 0, { bytes: total, record });
      if (this.top.length > this.topN) this.top.pop();
    }
  }

  topFlows(): FlowRecord[] {
    return this.top.map((e) => e.record);
  }
}

/** The text address of a host-table entry. */
export function hostIp(h: HostTable, i: number): string {
  const o = i * 4;
  return formatAddress(h.addr[o], h.addr[o + 1], h.addr[o + 2], h.addr[o + 3], h.family[i]);
}

/** A top list of host indexes as talkers with their addresses (the edge of the engine). */
export function talkerList(
  h: HostTable,
  list: readonly { host: number; bytes: number; packets: number }[],
): Talker[] {
  return list.map((t) => ({ ip: hostIp(h, t.host), bytes: t.bytes, packets: t.packets }));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export interface ReportInput {
  file: string;
  format: string;
  compressed: boolean;
  interfaces: { linktype: number; snaplen: number; name: string | null }[];
  damage: { code: string; message: string; offset: number } | null;
  elapsedSeconds: number;
  topN: number;
}

export function buildReport(
  engine: PacketEngine,
  flows: FlowCollector,
  input: ReportInput,
): ReplayReport {
  const s = engine.stats;
  const h = s.hosts;
  const n = input.topN;
  const packets = s.total.packets;
  const duration = packets > 0 ? s.lastTs - s.firstTs : 0;
  const talkers = (list: readonly { host: number; bytes: number; packets: number }[]) =>
    talkerList(h, list);
  const windows = s.windows.map((w: WindowSummary) => ({
    ...w,
    bytes_per_second: round(w.bytes_per_second, 3),
    top_sources: talkers(w.top_sources),
    top_destinations: talkers(w.top_destinations),
  }));
  const unsupported: Record<string, number> = {};
  engine.unsupportedLinkTypes.forEach((count, linktype) => {
    if (count > 0)
      unsupported[linkTypeName(linktype)] = (unsupported[linkTypeName(linktype)] ?? 0) + count;
  });
  const ranges: Record<string, string> = {};
  Object.keys(s.total.packetSizes()).forEach((name, i) => {
    ranges[name] = SIZE_CLASS_RANGES[i];
  });
  return {
    file: input.file,
    format: input.format,
    compressed: input.compressed,
    interfaces: input.interfaces.map((i) => ({ ...i, link_type_name: linkTypeName(i.linktype) })),
    packets,
    bytes: s.total.bytes,
    first_ts: packets > 0 ? round(s.firstTs, 6) : null,
    last_ts: packets > 0 ? round(s.lastTs, 6) : null,
    duration_seconds: round(duration, 6),
    bytes_per_second: duration > 0 ? round(s.total.bytes / duration, 3) : s.total.bytes,
    peak_bytes_per_second: s.peakBytesPerSecond,
    protocols: s.total.protocols(),
    packet_sizes: s.total.packetSizes(),
    packet_size_ranges: ranges,
    flow_count: engine.flows.created,
    flows_evicted: engine.flows.evicted,
    flows_expired: engine.flows.expired,
    flows_reused: engine.flows.reused,
    conn_states: flows.connStates,
    top_flows: flows.topFlows(),
    top_sources: talkers(s.topSources(n)),
    top_destinations: talkers(s.topDestinations(n)),
    ports: s.ports.top(n),
    windows,
    decode_errors: engine.decodeErrors(),
    unsupported_link_types: unsupported,
    hosts_untracked: h.untracked,
    damage: input.damage,
    elapsed_seconds: round(input.elapsedSeconds, 6),
    packets_per_second: input.elapsedSeconds > 0 ? Math.round(packets / input.elapsedSeconds) : 0,
  };
}
