/**
 * The original daemon's JSON shapes (shared/reference/API-CONTRACT.md), built from a
 * snapshot. Pure functions: the routes call them, tests check them field by field.
 */

import { protocolName } from "../contract/protocols.js";
import type { Alert, Flow } from "../contract/types.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { FlowRecord } from "../flows/flow-record.js";

/** Most flows `/metrics` lists; the full list is `GET /api/flows` (paged). */
export const METRICS_MAX_FLOWS = 20;

/** A flow as `/metrics` and `/api/flows` list it: the contract's fields, then ours. */
export function contractFlow(f: FlowRecord): Flow {
  return {
    src_ip: f.src_ip,
    src_port: f.src_port,
    dst_ip: f.dst_ip,
    dst_port: f.dst_port,
    protocol: protocolName(f.proto),
    bytes: f.bytes + f.bytes_rev,
    packets: f.packets + f.packets_rev,
    proto: f.proto,
    bytes_out: f.bytes,
    bytes_in: f.bytes_rev,
    packets_out: f.packets,
    packets_in: f.packets_rev,
    first_ts: f.first_ts,
    last_ts: f.last_ts,
    conn_state: f.conn_state,
    tcp_flags: f.tcp_flags,
    vlan: f.vlan,
    tunnel: f.tunnel,
  };
}

function protocolBreakdown(s: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, c] of Object.entries(s.protocols)) out[name] = c.bytes;
  return out;
}

export function metricsView(s: Snapshot) {
  return {
    timestamp: s.time_ms,
    window_start: s.window_start ?? Math.floor(s.time_ms / 1000),
    total_bytes: s.bytes,
    total_packets: s.packets,
    bytes_per_second: s.bytes_per_second,
    packets_per_second: s.packets_per_second,
    protocol_breakdown: protocolBreakdown(s),
    active_flows: s.top_flows.slice(0, METRICS_MAX_FLOWS).map(contractFlow),
    active_flow_count: s.active_flow_count,
  };
}

export function topTalkersView(s: Snapshot) {
  const entry = (t: { ip: string; bytes: number; packets: number }) => ({
    ip: t.ip,
    bytes: t.bytes,
    packets: t.packets,
  });
  return {
    top_sources: s.top_sources.slice(0, 10).map(entry),
    top_destinations: s.top_destinations.slice(0, 10).map(entry),
  };
}

export function portStatsView(s: Snapshot) {
  return s.ports.slice(0, 20).map((p) => ({
    port: p.port,
    bytes: p.bytes,
    connections: p.connections,
    service: p.service,
    packets: p.packets,
  }));
}

export function packetSizesView(s: Snapshot) {
  const z = s.packet_sizes;
  return {
    tiny: z.tiny ?? 0,
    small: z.small ?? 0,
    medium: z.medium ?? 0,
    large: z.large ?? 0,
    jumbo: z.jumbo ?? 0,
  };
}

export function systemHealthView(s: Snapshot, uptimeSeconds: number) {
  const c = s.capture;
  const lost = c.dropped + c.if_dropped;
  const seen = c.received + lost;
  return {
    uptime_seconds: Math.floor(uptimeSeconds),
    packets_received: c.received,
    packets_dropped: lost,
    drop_rate: seen > 0 ? Math.round((lost / seen) * 10000) / 100 : 0,
    active_flows: s.active_flow_count,
    capture_running: c.running,
    interface: c.interfaces.join(","),
    interfaces: c.interfaces,
    buffer_usage_percent: c.buffer_usage_percent ?? 0,
    capture_source: c.source,
    capture_error: c.error,
    decode_errors: s.decode_errors,
  };
}

/** What the live stream sends each tick: everything the dashboard shows, and the alerts
 * raised or updated by this tick. */
export function streamView(s: Snapshot, startedAt: number, alerts: readonly Alert[] = []) {
  return {
    seq: s.seq,
    time_ms: s.time_ms,
    metrics: metricsView(s),
    top_talkers: topTalkersView(s),
    ports: portStatsView(s),
    packet_sizes: packetSizesView(s),
    health: systemHealthView(s, (Date.now() - startedAt) / 1000),
    seconds: s.seconds,
    alerts,
  };
}
