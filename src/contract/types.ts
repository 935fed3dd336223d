/**
 * The JSON the daemon promises: the bodies of its routes and the live stream's `tick` message.
 * Plain interfaces that import nothing beyond this folder, so web/ can import them type-only
 * without pulling the daemon's sources into its DOM build; src/api/contract-check.ts proves that
 * what the server's view functions return is assignable to them, so a server change the
 * dashboard does not follow fails the type-check. Every other module that handles one of
 * these shapes uses the definition here.
 */
import type { AlertKind, AlertRule, Severity } from "./enums.js";
import type { ProtocolClass } from "./protocols.js";

/** The outermost tunnel a flow came through: its type and its endpoints, the flow
 * originator's side first. */
export interface FlowTunnel {
  /** ip, gre, vxlan, geneve, gtpv1, teredo or ayiya. */
  type: string;
  src_ip: string;
  dst_ip: string;
}

export interface Flow {
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  protocol: string;
  /** Both directions. */
  bytes: number;
  packets: number;
  proto: number;
  bytes_out: number;
  bytes_in: number;
  packets_out: number;
  packets_in: number;
  first_ts: number;
  last_ts: number;
  conn_state: string;
  tcp_flags: string;
  vlan: number;
  /** Null when the flow was not tunneled. */
  tunnel: FlowTunnel | null;
}

/** `GET /metrics`. */
export interface MetricsBody {
  timestamp: number;
  window_start: number;
  total_bytes: number;
  total_packets: number;
  bytes_per_second: number;
  packets_per_second: number;
  /** Bytes per protocol since the start. */
  protocol_breakdown: Record<string, number>;
  active_flows: Flow[];
  active_flow_count: number;
}

export interface Talker {
  ip: string;
  bytes: number;
  packets: number;
}

/** `GET /api/top-talkers`. */
export interface TopTalkersBody {
  top_sources: Talker[];
  top_destinations: Talker[];
}

export interface PortStat {
  port: number;
  bytes: number;
  connections: number;
  service: string;
  packets: number;
}

/** `GET /api/port-stats`. */
export type PortStatsBody = PortStat[];

/** `GET /api/packet-sizes`: packet counts per size class. */
export interface PacketSizesBody {
  tiny: number;
  small: number;
  medium: number;
  large: number;
  jumbo: number;
}

/** `GET /api/system-health`. */
export interface SystemHealthBody {
  uptime_seconds: number;
  packets_received: number;
  packets_dropped: number;
  drop_rate: number;
  active_flows: number;
  capture_running: boolean;
  interface: string;
  interfaces: string[];
  buffer_usage_percent: number;
  capture_source: string;
  capture_error: string | null;
  decode_errors: Record<string, number>;
}

/** One `tick` event of `GET /api/stream`. */
export interface TickMessage {
  seq: number;
  time_ms: number;
  metrics: MetricsBody;
  top_talkers: TopTalkersBody;
  ports: PortStatsBody;
  packet_sizes: PacketSizesBody;
  health: SystemHealthBody;
  /** One-second buckets closed since the previous tick, as columns (ts in Unix seconds). */
  seconds: { ts: number[]; packets: number[]; bytes: number[] };
  /** Alerts raised or updated during the tick. */
  alerts: readonly Alert[];
}

/** One row of `GET /metrics/history`: a stored window, or windows summed at a coarser step. */
export interface HistoryWindow {
  /** End of the row's span in Unix milliseconds (when it closed). */
  timestamp: number;
  /** Start of the row's span in Unix seconds. */
  window_start: number;
  /** Seconds the row spans (a window, 60, 3600, or a merged bucket). */
  window_size: number;
  total_bytes: number;
  total_packets: number;
  /** Bytes divided by the seconds of capture the row holds. */
  bytes_per_second: number;
  /** Bytes per protocol class. */
  protocol_breakdown: Record<ProtocolClass, number>;
}

/** `GET /metrics/history`. */
export interface HistoryBody {
  start: number;
  end: number;
  count: number;
  /** Seconds per row at the resolution served (for raw windows: their window size). */
  resolution_seconds: number;
  windows: HistoryWindow[];
}

/** `POST /login`. */
export interface LoginBody {
  token: string;
  username: string;
  expires_in: number;
}

/** Every error answer. */
export interface ErrorBody {
  error: string;
  details?: unknown;
}

/** `GET /api/flows`. */
export interface FlowsBody {
  source: "active" | "history";
  total: number;
  limit: number;
  offset: number;
  flows: Flow[];
}

/** `POST /control/start` and `/control/stop`. */
export interface ControlBody {
  status: "started" | "stopped";
  interface?: string;
  interfaces?: string[];
}

/** One alert, as `GET /api/alerts` and the tick's `alerts` carry it. */
export interface Alert {
  /** Row id in the history; null only while the alert is not yet stored (the tick that raised it). */
  id: number | null;
  rule: AlertRule;
  kind: AlertKind;
  severity: Severity;
  message: string;
  /** What the alert is about: "total traffic", "eth0", "10.0.0.5", "10.0.0.5 -> 10.0.0.9:23/tcp". */
  subject: string;
  /** The value measured at the last occurrence, in the rule's unit. */
  value: number;
  /** The threshold it was above (the config's, when it was last seen). */
  threshold: number;
  /** Unix seconds (packet time) of the first and the last occurrence. */
  first_ts: number;
  last_ts: number;
  /** Occurrences merged into this alert (closed seconds, ticks, or new flows: see docs/alerts.md). */
  count: number;
}

/** `GET /api/alerts`, newest first. */
export interface AlertsBody {
  total: number;
  alerts: readonly Alert[];
}

/** One host of `GET /api/hosts`: its counters, and both directions summed. */
export interface HostSummary extends HostCounters {
  ip: string;
  bytes: number;
  packets: number;
}

/** `GET /api/hosts`. */
export interface HostsBody {
  source: "active";
  total: number;
  limit: number;
  offset: number;
  hosts: HostSummary[];
}

export interface HostCounters {
  bytes_sent: number;
  bytes_received: number;
  packets_sent: number;
  packets_received: number;
  first_seen: number;
  last_seen: number;
}

export interface HostPeer {
  ip: string;
  bytes: number;
  packets: number;
  flows: number;
}

export interface HostPort {
  port: number;
  /** IP protocol number. */
  proto: number;
  service: string;
  bytes: number;
  packets: number;
  flows: number;
}

export interface HostHistoryPoint {
  window_start: number;
  window_size: number;
  bytes_sent: number;
  packets_sent: number;
  bytes_received: number;
  packets_received: number;
}

/** `GET /api/hosts/{ip}`. */
export interface HostDetailBody {
  ip: string;
  /** Counters since the start of the run; null when the host table never saw it. */
  live: HostCounters | null;
  peers: HostPeer[];
  ports: HostPort[];
  flows: Flow[];
  /** Active flows of the host in all (the lists are cut). */
  flow_count: number;
  /** Null when the daemon keeps no history. */
  history: {
    start: number;
    end: number;
    resolution_seconds: number;
    points: HostHistoryPoint[];
  } | null;
}
