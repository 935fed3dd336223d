/**
 * Configuration: one YAML file with `${VAR}` and `${VAR:-default}` substituted from the
 * environment, validated into a typed object. Every key of the original daemon's config is
 * accepted (see shared/reference/API-CONTRACT.md); errors name the key, the bad value and
 * what is allowed.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { messageOf, NetnetError } from "../util/errors.js";
import { DEFAULTS as D, LOG_LEVELS, MAX_TABLE, SEVERITIES } from "./defaults.js";

// The type error names what is wanted; range errors keep zod's own wording ("too small").
const numberError = (what: string) => ({
  error: (issue: { code: string }) =>
    issue.code === "invalid_type" ? `${what} must be a number` : undefined,
});
const positive = (what: string) => z.number(numberError(what)).positive();
const positiveInt = (what: string) => z.number(numberError(what)).int().positive();

const A = D.alerts;
// A webhook is an http(s) URL or empty (none).
const webhook = z
  .union([z.literal(""), z.url({ protocol: /^https?$/, error: "must be an http or https URL" })])
  .default("");
const severity = (d: (typeof SEVERITIES)[number]) => z.enum(SEVERITIES).default(d);
const port = z.number().int().min(0).max(65535);

/** A host name or an IP address (IPv6 with or without brackets), without a port. */
function isHostName(s: string): boolean {
  const bare = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  if (isIP(bare) !== 0) return true;
  return s.length <= 253 && /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?\.?$/i.test(s);
}

/** An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
function isAddressOrBlock(s: string): boolean {
  const [address = "", prefix, ...rest] = s.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^[0-9]{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

const milliseconds = (what: string) => positiveInt(what).max(3_600_000);

const alertsSchema = z
  .object({
    enabled: z.boolean().default(A.enabled),
    resolve_after: positive("resolve_after").default(A.resolve_after),
    max_active: positiveInt("max_active").max(1_000_000).default(A.max_active),
    webhook_timeout_ms: positiveInt("webhook_timeout_ms").max(60_000).default(A.webhook_timeout_ms),
    webhook_queue: positiveInt("webhook_queue").max(100_000).default(A.webhook_queue),
    bandwidth: z
      .object({
        enabled: z.boolean().default(A.bandwidth.enabled),
        threshold: positive("threshold").default(A.bandwidth.threshold),
        severity: severity(A.bandwidth.severity),
        webhook,
      })
      .strict()
      .prefault({}),
    drop_rate: z
      .object({
        enabled: z.boolean().default(A.drop_rate.enabled),
        threshold: positive("threshold").max(100).default(A.drop_rate.threshold),
        min_packets: positiveInt("min_packets").default(A.drop_rate.min_packets),
        severity: severity(A.drop_rate.severity),
        webhook,
      })
      .strict()
      .prefault({}),
    active_flows: z
      .object({
        enabled: z.boolean().default(A.active_flows.enabled),
        threshold: positiveInt("threshold").default(A.active_flows.threshold),
        severity: severity(A.active_flows.severity),
        webhook,
      })
      .strict()
      .prefault({}),
    watched_ports: z
      .object({
        enabled: z.boolean().default(A.watched_ports.enabled),
        ports: z
          .array(port)
          .max(65536)
          .default(() => [...A.watched_ports.ports]),
        severity: severity(A.watched_ports.severity),
        webhook,
      })
      .strict()
      .prefault({}),
    scan: z
      .object({
        enabled: z.boolean().default(A.scan.enabled),
        window_seconds: positive("window_seconds").max(86400).default(A.scan.window_seconds),
        port_threshold: positiveInt("port_threshold").max(65536).default(A.scan.port_threshold),
        host_threshold: positiveInt("host_threshold").max(65536).default(A.scan.host_threshold),
        max_sources: positiveInt("max_sources").max(1_000_000).default(A.scan.max_sources),
        severity: severity(A.scan.severity),
        webhook,
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    interface: z
      .object({
        name: z.union([z.string(), z.array(z.string())]).default(D.interface.name),
        promiscuous: z.boolean().default(D.interface.promiscuous),
        snaplen: positiveInt("snaplen").max(262144).default(D.interface.snaplen),
        timeout_ms: z.number().int().min(0).default(D.interface.timeout_ms),
        bpf_filter: z.string().default(D.interface.bpf_filter),
      })
      .strict()
      .prefault({}),
    offline: z
      .object({
        file: z.string().default(D.offline.file),
        speed: z.enum(["recorded", "max"]).default(D.offline.speed),
        loop: z.boolean().default(D.offline.loop),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        enabled: z.boolean().default(D.api.enabled),
        host: z.string().default(D.api.host),
        port: z.number().int().min(0).max(65535).default(D.api.port),
        token: z.string().default(D.api.token),
        session_expiry: positiveInt("session_expiry").default(D.api.session_expiry),
        session_max_lifetime: positiveInt("session_max_lifetime")
          .max(31_536_000)
          .default(D.api.session_max_lifetime),
        static_files_dir: z.string().default(D.api.static_files_dir),
        cors_origins: z.array(z.string().url()).default(() => [...D.api.cors_origins]),
        body_limit: positiveInt("body_limit")
          .max(1 << 20)
          .default(D.api.body_limit),
        allowed_hosts: z
          .array(
            z.string().refine(isHostName, "must be a host name or an IP address, without a port"),
          )
          .default(() => [...D.api.allowed_hosts]),
        trusted_proxies: z
          .array(
            z
              .string()
              .refine(isAddressOrBlock, "must be an IP address or a CIDR block (10.0.0.0/8)"),
          )
          .default(() => [...D.api.trusted_proxies]),
        headers_timeout_ms: milliseconds("headers_timeout_ms").default(D.api.headers_timeout_ms),
        request_timeout_ms: milliseconds("request_timeout_ms").default(D.api.request_timeout_ms),
        keep_alive_timeout_ms: milliseconds("keep_alive_timeout_ms").default(
          D.api.keep_alive_timeout_ms,
        ),
        idle_timeout_ms: milliseconds("idle_timeout_ms").default(D.api.idle_timeout_ms),
        max_connections: positiveInt("max_connections")
          .max(1_000_000)
          .default(D.api.max_connections),
        max_connections_per_address: positiveInt("max_connections_per_address")
          .max(1_000_000)
          .default(D.api.max_connections_per_address),
      })
      .strict()
      // Node refuses a headers timeout longer than the request's, which includes the headers.
      .refine((api) => api.headers_timeout_ms <= api.request_timeout_ms, {
        message: "headers_timeout_ms must not be more than request_timeout_ms",
        path: ["headers_timeout_ms"],
      })
      .prefault({}),
    users: z
      .array(z.object({ username: z.string().min(1), password: z.string().min(1) }).strict())
      .default(() => [...D.users]),
    tracking: z
      .object({
        idle_timeout: positive("idle_timeout").default(D.tracking.idle_timeout),
        cleanup_interval: positive("cleanup_interval").default(D.tracking.cleanup_interval),
        max_flows: positiveInt("max_flows").max(MAX_TABLE).default(D.tracking.max_flows),
        max_hosts: positiveInt("max_hosts").max(MAX_TABLE).default(D.tracking.max_hosts),
        tcp_timeout: positive("tcp_timeout").nullable().default(D.tracking.tcp_timeout),
        tcp_closing_timeout: positive("tcp_closing_timeout")
          .nullable()
          .default(D.tracking.tcp_closing_timeout),
        udp_timeout: positive("udp_timeout").nullable().default(D.tracking.udp_timeout),
        icmp_timeout: positive("icmp_timeout").nullable().default(D.tracking.icmp_timeout),
        vlan_in_key: z.boolean().default(D.tracking.vlan_in_key),
      })
      .strict()
      .prefault({}),
    stats: z
      .object({
        window_size: positiveInt("window_size").max(86400).default(D.stats.window_size),
        history_depth: positiveInt("history_depth").max(100000).default(D.stats.history_depth),
        tick_ms: positiveInt("tick_ms").min(100).max(60000).default(D.stats.tick_ms),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        path: z.string().default(D.database.path),
        retention_days: positive("retention_days").default(D.database.retention_days),
        stop_timeout_ms: positiveInt("stop_timeout_ms")
          .max(3_600_000)
          .default(D.database.stop_timeout_ms),
      })
      .strict()
      .prefault({}),
    privilege: z
      .object({
        drop: z.boolean().default(D.privilege.drop),
        user: z.string().default(D.privilege.user),
        group: z.string().default(D.privilege.group),
      })
      .strict()
      .prefault({}),
    performance: z
      .object({
        capture_cpu: z
          .union([z.enum(["none", "auto"]), z.number().int().min(0).max(1023)])
          .default(D.performance.capture_cpu),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(LOG_LEVELS).default(D.logging.level),
        file: z.string().default(D.logging.file),
        timestamps: z.boolean().default(D.logging.timestamps),
      })
      .strict()
      .prefault({}),
    alerts: alertsSchema,
  })
  .strict();

export type NetnetConfig = z.infer<typeof configSchema>;

/** Codes of `ConfigError`. */
export const CONFIG_ERROR_CODES = [
  "ERR_CONFIG_READ", // the file cannot be read
  "ERR_CONFIG_YAML", // the file is not valid YAML
  "ERR_CONFIG_INVALID", // a key is unknown or a value is not allowed (the message names the key)
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export class ConfigError extends NetnetError<ConfigErrorCode> {}

/**
 * Replaces `${VAR}` and `${VAR:-default}` with the environment's value. An unset variable
 * without a default becomes the empty string, as envsubst does with the original's config.
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_m, name: string, def?: string) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      return def ?? "";
    },
  );
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value);
  return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Keys whose values may be secrets, `*` standing for any list index: passwords, the API
 * token, and the rules' webhook URLs (they may carry `user:password@` or, like Slack's, a
 * secret in their path). An error about one of them gives the type of the value, never the
 * value: the message reaches stderr, the reload answer and the log.
 */
export const SECRET_KEYS: readonly (readonly string[])[] = [
  ["users", "*", "password"],
  ["api", "token"],
  ...Object.entries(A)
    .filter(([, v]) => typeof v === "object" && "webhook" in v)
    .map(([rule]) => ["alerts", rule, "webhook"]),
];

/**
 * True for a secret key, for anything inside one, and for the sections that hold one (a
 * `users:` or `api:` of the wrong type may hold a password or the token as well).
 */
function isSecretPath(path: readonly PropertyKey[]): boolean {
  return SECRET_KEYS.some((pattern) => {
    const n = Math.min(pattern.length, path.length);
    for (let i = 0; i < n; i++) {
      if (pattern[i] !== "*" && pattern[i] !== String(path[i])) return false;
    }
    return true;
  });
}

function typeOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * Validates a parsed document; the error names the key, the bad value (only its type for a
 * key that may hold a secret) and what is allowed.
 */
export function parseConfig(doc: unknown, source = "config"): NetnetConfig {
  const result = configSchema.safeParse(doc ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
      return `unknown key ${issue.keys.map((k) => `"${where}${k}"`).join(", ")}`;
    }
    const key = issue.path.join(".") || "(top level)";
    const value = valueAt(doc, issue.path);
    const got = isSecretPath(issue.path)
      ? `${typeOf(value)}, not shown: the key may hold a secret`
      : describe(value);
    return `${key}: ${issue.message} (got ${got})`;
  });
  throw new ConfigError("ERR_CONFIG_INVALID", `invalid ${source}: ${lines.join("; ")}`);
}

/** Reads, substitutes and validates a config file. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): NetnetConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err: unknown) {
    const reason = messageOf(err);
    throw new ConfigError("ERR_CONFIG_READ", `cannot read config file ${path}: ${reason}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(substituteEnv(text, env));
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new ConfigError("ERR_CONFIG_YAML", `config file ${path} is not valid YAML: ${reason}`);
  }
  return parseConfig(doc, `config file ${path}`);
}

/** The defaults, as a config with no file. */
export function defaultConfig(): NetnetConfig {
  return parseConfig({});
}
