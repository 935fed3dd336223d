/**
 * The configuration's defaults, in a module of their own so that commands needing only the
 * defaults (a replay without --config) start without loading the YAML parser and the
 * validator. `config.ts` builds its schema from these values.
 */
import type { Severity } from "../contract/enums.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** Largest flow or host table a config may ask for (16M: about 2.4 GB of flows). */
export const MAX_TABLE = 1 << 24;

export { SEVERITIES, type Severity } from "../contract/enums.js";

export const DEFAULTS = {
  interface: {
    name: "" as string | string[],
    promiscuous: true,
    snaplen: 65535,
    timeout_ms: 1000,
    bpf_filter: "",
  },
  offline: { file: "", speed: "recorded" as "recorded" | "max", loop: false },
  api: {
    enabled: true,
    host: "127.0.0.1",
    port: 8082,
    token: "",
    session_expiry: 3600,
    // ASVS 3.3.2 (level 2): sign in again at least every 12 hours, even while in use.
    session_max_lifetime: 43_200,
    static_files_dir: "",
    cors_origins: [] as string[],
    body_limit: 16384,
    allowed_hosts: [] as string[],
    trusted_proxies: [] as string[],
    headers_timeout_ms: 20_000,
    request_timeout_ms: 30_000,
    keep_alive_timeout_ms: 10_000,
    idle_timeout_ms: 60_000,
    max_connections: 512,
    max_connections_per_address: 32,
  },
  users: [] as { username: string; password: string }[],
  tracking: {
    idle_timeout: 300,
    cleanup_interval: 60,
    max_flows: 1 << 20,
    max_hosts: 1 << 20,
    // Per-protocol idle timeouts; null = idle_timeout.
    tcp_timeout: null as number | null,
    tcp_closing_timeout: null as number | null,
    udp_timeout: null as number | null,
    icmp_timeout: null as number | null,
    vlan_in_key: true,
  },
  stats: { window_size: 60, history_depth: 24, tick_ms: 1000 },
  database: { path: "./data/netnet.db", retention_days: 7, stop_timeout_ms: 10_000 },
  privilege: { drop: false, user: "", group: "" },
  performance: { capture_cpu: "none" as "none" | "auto" | number },
  logging: {
    level: "info" as "trace" | "debug" | "info" | "warn" | "error" | "fatal",
    file: "",
    timestamps: true,
  },
  alerts: {
    enabled: true,
    resolve_after: 300,
    max_active: 1000,
    webhook_timeout_ms: 5000,
    webhook_queue: 100,
    bandwidth: {
      enabled: true,
      threshold: 125_000_000,
      severity: "warning" as Severity,
      webhook: "",
    },
    drop_rate: {
      enabled: true,
      threshold: 5,
      min_packets: 1000,
      severity: "warning" as Severity,
      webhook: "",
    },
    active_flows: {
      enabled: true,
      threshold: 100_000,
      severity: "warning" as Severity,
      webhook: "",
    },
    watched_ports: {
      enabled: true,
      ports: [23, 445, 3389, 4444, 5900, 6666, 31337] as number[],
      severity: "warning" as Severity,
      webhook: "",
    },
    scan: {
      enabled: true,
      window_seconds: 60,
      port_threshold: 100,
      host_threshold: 100,
      max_sources: 10_000,
      severity: "critical" as Severity,
      webhook: "",
    },
  },
};

export type TrackingConfig = typeof DEFAULTS.tracking;
export type StatsSettings = typeof DEFAULTS.stats;
export type AlertsConfig = typeof DEFAULTS.alerts;
