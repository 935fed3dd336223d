/**
 * The configuration's defaults, in a module of their own so that commands needing only the
 * defaults (a replay without --config) start without loading the YAML parser and the
 * validator. `config.ts` builds its schema from these values.
 */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** Largest flow or host table a config may ask for (16M: about 2.4 GB of flows). */
export const MAX_TABLE = 1 << 24;

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
    static_files_dir: "",
    cors_origins: [] as string[],
    body_limit: 16384,
  },
  users: [] as { username: string; password: string }[],
  tracking: { idle_timeout: 300, cleanup_interval: 60, max_flows: 1 << 20, max_hosts: 1 << 20 },
  stats: { window_size: 60, history_depth: 24, tick_ms: 1000 },
  database: { path: "./data/netnet.db", retention_days: 7 },
  privilege: { drop: false, user: "", group: "" },
  logging: {
    level: "info" as "trace" | "debug" | "info" | "warn" | "error" | "fatal",
    file: "",
    timestamps: true,
  },
};

export type TrackingConfig = typeof DEFAULTS.tracking;
export type StatsSettings = typeof DEFAULTS.stats;
