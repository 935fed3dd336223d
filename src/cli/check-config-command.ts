/**
 * `netnet check-config [--config FILE]`: everything the daemon checks before it starts,
 * without starting it: the YAML and every key (errors name the key, the bad value and what
 * is allowed), the BPF filter (libpcap's own message), the users and their hashes, the
 * exposure rules, and that an offline file can be read. Exit 0 when the daemon would start
 * on this config, 1 otherwise; warnings do not fail.
 */
import { accessSync, constants } from "node:fs";
import { pino } from "pino";
import type { NetnetConfig } from "../config/config.js";
import { messageOf } from "../util/errors.js";

export interface CheckConfigOptions {
  config?: string;
}

export interface CheckOutcome {
  errors: string[];
  warnings: string[];
}

/** The checks beyond the schema (the schema's errors are thrown by the loader). */
export async function checkConfig(config: NetnetConfig): Promise<CheckOutcome> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const [{ checkExposure, loadUsers }, { tryLoadPcapAddon }] = await Promise.all([
    import("../auth/index.js"),
    import("../capture/live/pcap-addon.js"),
  ]);

  const filter = config.interface.bpf_filter;
  if (filter !== "") {
    const addon = tryLoadPcapAddon();
    if (addon === null) {
      warnings.push(
        "interface.bpf_filter: not checked, the capture addon is not built (npm run build:native)",
      );
    } else {
      // Ethernet is what nearly every interface is; the daemon checks again per interface.
      const problem = addon.validateFilter(filter, 1, config.interface.snaplen);
      if (problem !== null)
        errors.push(`interface.bpf_filter: invalid filter "${filter}": ${problem}`);
    }
  }

  const cpu = config.performance.capture_cpu;
  if (cpu !== "none") {
    const { planAffinity } = await import("../worker/affinity.js");
    const addon = tryLoadPcapAddon();
    if (addon === null) {
      errors.push("performance.capture_cpu: needs the capture addon (npm run build:native)");
    } else {
      try {
        planAffinity(addon.threadAffinity(0), cpu);
      } catch (err: unknown) {
        errors.push(messageOf(err));
      }
    }
  }

  if (config.offline.file !== "") {
    try {
      accessSync(config.offline.file, constants.R_OK);
    } catch {
      errors.push(`offline.file: cannot read ${JSON.stringify(config.offline.file)}`);
    }
  }

  const exposure = await checkExposure(config);
  for (const p of exposure) errors.push(`exposure: ${p.message}`);
  try {
    // Plaintext passwords are hashed at the lowest cost: only whether they load matters here.
    await loadUsers(config, {
      log: pino(
        { level: "warn", base: null },
        {
          write: (line: string) =>
            warnings.push(`users: ${(JSON.parse(line) as { msg: string }).msg}`),
        },
      ),
      cost: 4,
    });
  } catch (err: unknown) {
    // A plaintext password beyond loopback is already reported by the exposure rules.
    const code = err instanceof Error && "code" in err ? err.code : undefined;
    const reported =
      code === "ERR_USER_PLAINTEXT_PASSWORD" &&
      exposure.some((p) => p.code === "plaintext_password");
    if (!reported) errors.push(messageOf(err));
  }
  if (config.users.length === 0 && config.api.enabled) {
    warnings.push("users: none configured; only the API token can use the API");
  }
  return { errors, warnings };
}

export async function checkConfigCommand(opts: CheckConfigOptions): Promise<number> {
  const { loadConfigFile, defaultConfig, ConfigError } = await import("../config/config.js");
  const name = opts.config ?? "(built-in defaults)";
  let config: NetnetConfig;
  try {
    config = opts.config === undefined ? defaultConfig() : loadConfigFile(opts.config);
  } catch (err: unknown) {
    if (err instanceof ConfigError) {
      process.stderr.write(`netnet check-config: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const { errors, warnings } = await checkConfig(config);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  for (const e of errors) process.stderr.write(`error: ${e}\n`);
  if (errors.length > 0) {
    process.stderr.write(`netnet check-config: ${name}: ${errors.length} error(s)\n`);
    return 1;
  }
  const source =
    config.offline.file !== ""
      ? `replay of ${config.offline.file}`
      : `live capture on ${[config.interface.name].flat().join(",") || "the default-route interface"}`;
  process.stdout.write(
    `${name}: valid (${source}; API ${config.api.enabled ? `on ${config.api.host}:${config.api.port}` : "disabled"}; history in ${config.database.path})\n`,
  );
  return 0;
}
