/**
 * The closed sets of words the daemon promises: sort keys and orders of its paged routes,
 * alert severities, rules and kinds, and the classes of its breakdowns. Each list is the one
 * definition; API schemas, the config's validation, the store and the dashboard all take
 * their values from here.
 */

/** `GET /api/flows?sort=`. */
export const FLOW_SORT_KEYS = ["bytes", "packets", "first_ts", "last_ts"] as const;
export type FlowSortKey = (typeof FLOW_SORT_KEYS)[number];

/** `GET /api/hosts?sort=`. */
export const HOST_SORT_KEYS = [
  "bytes",
  "packets",
  "bytes_sent",
  "bytes_received",
  "last_seen",
] as const;
export type HostSortKey = (typeof HOST_SORT_KEYS)[number];

/** `?order=` of every paged route. */
export const SORT_ORDERS = ["asc", "desc"] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** An alert's severity (`alerts.<rule>.severity` in the config, `severity` in its JSON). */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A rule of the config (`alerts.<rule>`). */
export const ALERT_RULES = [
  "bandwidth",
  "drop_rate",
  "active_flows",
  "watched_ports",
  "scan",
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** What was seen; one rule can raise several kinds (scan: port_scan, host_scan). */
export const ALERT_KINDS = [
  "bandwidth",
  "drop_rate",
  "active_flows",
  "watched_port",
  "port_scan",
  "host_scan",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Packet-size classes of `GET /api/packet-sizes`, smallest first. */
export const SIZE_CLASSES = ["tiny", "small", "medium", "large", "jumbo"] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

/** A flow's `conn_state`: Zeek's connection states (docs/engine.md gives each one's rule). */
export const CONN_STATES = [
  "S0",
  "S1",
  "SF",
  "REJ",
  "S2",
  "S3",
  "RSTO",
  "RSTR",
  "RSTOS0",
  "RSTRH",
  "SH",
  "SHR",
  "OTH",
] as const;
export type ConnState = (typeof CONN_STATES)[number];
