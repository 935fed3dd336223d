/**
 * `netnet daemon [--config FILE]`: runs the monitor (capture, history, API, dashboard) until
 * SIGTERM or SIGINT; SIGHUP re-reads the config; SIGUSR1 reopens the log file (logrotate).
 */

import type { NetnetConfig } from "../config/config.js";
import { messageOf } from "../util/errors.js";
import type { Logger } from "../util/log.js";

export interface DaemonCommandOptions {
  config?: string;
}

export async function daemonCommand(opts: DaemonCommandOptions): Promise<number> {
  const { loadConfigFile, defaultConfig, ConfigError } = await import("../config/config.js");
  let config: NetnetConfig;
  try {
    config = opts.config === undefined ? defaultConfig() : loadConfigFile(opts.config);
  } catch (err: unknown) {
    if (err instanceof ConfigError) {
      process.stderr.write(`netnet daemon: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const [{ openDaemonLog }, { startDaemon, DaemonError }, { defaultRouteInterface }] =
    await Promise.all([
      import("../daemon/logger.js"),
      import("../daemon/daemon.js"),
      import("../capture/live/interfaces.js"),
    ]);
  const daemonLog = openDaemonLog(config.logging);
  const log: Logger = daemonLog.log;
  // Installed at once, before anything slow: Node's own answer to SIGUSR1 would be to start
  // its inspector (a debugger on 127.0.0.1:9229), which a daemon must never do.
  process.on("SIGUSR1", () => daemonLog.reopen());
  const configPath = opts.config ?? "(defaults)";
  // The signal handlers go in before anything starts: a SIGTERM with no handler yet would end
  // the process with the default action, with nothing stopped or flushed. One that comes
  // during the start is acted on once the start is over.
  let daemon: Awaited<ReturnType<typeof startDaemon>> | null = null;
  let stopAsked: string | null = null;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const stop = (d: NonNullable<typeof daemon>, signal: string) => {
    log.info({ signal }, "shutting down");
    d.stop().then(
      () => {
        log.flush();
        finish(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        log.flush();
        finish(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    if (stopAsked !== null) return;
    stopAsked = signal;
    if (daemon !== null) stop(daemon, signal);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGHUP", () => {
    daemon?.reload().catch((err: unknown) => {
      log.error({ reason: messageOf(err) }, "reload rejected; the running config stays");
    });
  });
  try {
    daemon = await startDaemon(config, {
      log,
      configPath,
      ...(opts.config !== undefined ? { configFile: opts.config } : {}),
      loadConfig: () => (opts.config === undefined ? defaultConfig() : loadConfigFile(opts.config)),
      defaultInterface: () => defaultRouteInterface(),
    });
  } catch (err: unknown) {
    const message = messageOf(err);
    log.fatal({ code: err instanceof DaemonError ? err.code : undefined }, message);
    log.flush();
    process.stderr.write(`netnet daemon: ${message}\n`);
    return 1;
  }
  if (stopAsked !== null) {
    stop(daemon, stopAsked);
    return await done;
  }
  if (daemon.address === "")
    process.stderr.write("netnet: running headless (api.enabled is false)\n");
  else process.stderr.write(`netnet: dashboard and API on ${daemon.address}\n`);
  if (daemon.address !== "" && config.users.some((u) => u.password === "adminpass")) {
    // Only possible on loopback: the daemon refuses the demo password anywhere else.
    process.stderr.write(
      "netnet: demo login admin / adminpass (loopback only; create real users with netnet hash-password)\n",
    );
  }
  return await done;
}
