/**
 * Reload (SIGHUP, `POST /control/reload`): the config file is read and checked again; what
 * can change live is applied (BPF filter, users, log level, retention, alert rules; a user
 * removed or given another password loses its sessions) and the keys whose change needs a
 * restart are named, never half-applied. A config that fails its checks changes nothing.
 */
import type { AlertsConfig } from "../alerts/types.js";
import { checkExposure, loadUsers, type Users } from "../auth/index.js";
import type { NetnetConfig } from "../config/config.js";
import type { Logger } from "../util/log.js";

/** Keys whose change needs a restart (everything else applies on reload). */
export const RESTART_KEYS: readonly (readonly [string, (c: NetnetConfig) => unknown])[] = [
  ["interface.name", (c) => c.interface.name],
  ["interface.promiscuous", (c) => c.interface.promiscuous],
  ["interface.snaplen", (c) => c.interface.snaplen],
  ["interface.timeout_ms", (c) => c.interface.timeout_ms],
  ["offline", (c) => c.offline],
  ["api.host", (c) => c.api.host],
  ["api.port", (c) => c.api.port],
  ["api.enabled", (c) => c.api.enabled],
  ["api.cors_origins", (c) => c.api.cors_origins],
  ["api.body_limit", (c) => c.api.body_limit],
  ["api.allowed_hosts", (c) => c.api.allowed_hosts],
  ["api.trusted_proxies", (c) => c.api.trusted_proxies],
  ["api.headers_timeout_ms", (c) => c.api.headers_timeout_ms],
  ["api.request_timeout_ms", (c) => c.api.request_timeout_ms],
  ["api.keep_alive_timeout_ms", (c) => c.api.keep_alive_timeout_ms],
  ["api.idle_timeout_ms", (c) => c.api.idle_timeout_ms],
  ["api.max_connections", (c) => c.api.max_connections],
  ["api.max_connections_per_address", (c) => c.api.max_connections_per_address],
  ["api.session_expiry", (c) => c.api.session_expiry],
  ["api.session_max_lifetime", (c) => c.api.session_max_lifetime],
  ["tracking", (c) => c.tracking],
  ["stats", (c) => c.stats],
  ["database.path", (c) => c.database.path],
  ["database.stop_timeout_ms", (c) => c.database.stop_timeout_ms],
  ["privilege", (c) => c.privilege],
  ["performance", (c) => c.performance],
  ["logging.file", (c) => c.logging.file],
];

/** The keys of RESTART_KEYS whose values differ between two configs. */
export function restartNeeded(running: NetnetConfig, next: NetnetConfig): string[] {
  return RESTART_KEYS.filter(
    ([, get]) => JSON.stringify(get(next)) !== JSON.stringify(get(running)),
  ).map(([k]) => k);
}

/** The running settings that reload replaces: the config (without passwords) and the users. */
export interface Settings {
  config: NetnetConfig;
  users: Users;
}

/** What reload changes in the running components. */
export interface ReloadTargets {
  log: Logger;
  setFilter(expression: string): Promise<void>;
  revokeUser(name: string): void;
  setRetentionDays(days: number): void;
  configureAlerts(alerts: AlertsConfig): void;
}

export interface ReloadResult {
  configPath: string;
  restartNeeded: string[];
}

export function createReload(
  settings: Settings,
  targets: ReloadTargets,
  loadConfig: () => NetnetConfig,
  configPath: string,
): () => Promise<ReloadResult> {
  return async () => {
    const running = settings.config;
    const next = loadConfig();
    const restart = restartNeeded(running, next);
    const problems = await checkExposure(next);
    if (problems.length > 0) throw new Error(problems.map((p) => p.message).join("; "));
    const nextUsers = await loadUsers(next, { log: targets.log, previous: settings.users });
    if (next.interface.bpf_filter !== running.interface.bpf_filter) {
      await targets.setFilter(next.interface.bpf_filter);
    }
    // A user removed, or given another password, loses its sessions.
    for (const [name, hash] of settings.users.hashes) {
      if (nextUsers.hashes.get(name) !== hash) targets.revokeUser(name);
    }
    settings.users = nextUsers;
    targets.log.level = next.logging.level;
    if (next.database.retention_days !== running.database.retention_days) {
      targets.setRetentionDays(next.database.retention_days);
    }
    targets.configureAlerts(next.alerts);
    // Only hashes are kept; the plaintext the config may hold (loopback only) is dropped.
    settings.config = { ...next, users: [] };
    targets.log.info({ restartNeeded: restart }, "config reloaded");
    return { configPath, restartNeeded: restart };
  };
}
