/**
 * The daemon: one place that wires the components and owns their start and shutdown order.
 *
 *   capture worker ──snapshot per tick──► store (windows at once, flows in chunks) + live stream + API state
 *
 * Start: config checks and users; the capture worker opens its handles; root is dropped;
 * the store opens; then the API listens. Stop (SIGTERM/SIGINT): the API stops taking requests, capture stops and the
 * worker flushes its open window and every flow into a last snapshot, which is written,
 * then the database closes.
 */
import { getPriority, setPriority } from "node:os";
import { createAlertEngine } from "../alerts/alert-engine.js";
import { buildApiServer } from "../api/server.js";
import { dashboardDir } from "../api/static.js";
import { StreamHub } from "../api/stream.js";
import { streamView } from "../api/views.js";
import {
  checkExposure,
  createLoginGuard,
  createSessionManager,
  loadUsers,
  type Users,
} from "../auth/index.js";
import { ADDON_BUILD_HINT, tryLoadPcapAddon } from "../capture/live/pcap-addon.js";
import type { NetnetConfig } from "../config/config.js";
import { engineConfigFrom } from "../engine/packet-engine.js";
import type { Snapshot } from "../engine/snapshot.js";
import { createStore, type Store } from "../store/store.js";
import { createTickWriter, TICK_WRITER_DEFAULTS, type TickWriter } from "../store/tick-writer.js";
import { toWindowRecord } from "../store/window-record.js";
import { messageOf, NetnetError } from "../util/errors.js";
import type { Logger } from "../util/log.js";
import { AffinityError, placeCaptureWorker } from "../worker/affinity.js";
import { type CaptureService, createCaptureService } from "../worker/capture-service.js";
import type { CaptureWorkerConfig } from "../worker/protocol.js";
import { dropPrivileges } from "./privileges.js";

/** Codes of `DaemonError`: why the daemon did not start. */
export const DAEMON_ERROR_CODES = [
  "ERR_DAEMON_EXPOSED", // the config would expose the API unsafely (docs/security.md)
  "ERR_DAEMON_NO_INTERFACE", // no interface named and none carries the default route
  "ERR_DAEMON_CAPTURE_FAILED", // the capture could not start (the message says why and what to do)
  "ERR_DAEMON_BAD_AFFINITY", // performance.capture_cpu could not be applied
] as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

export class DaemonError extends NetnetError<DaemonErrorCode> {}

export interface DaemonDeps {
  log: Logger;
  /** Re-reads and validates the config file (reload); throws with the reason. */
  loadConfig: () => NetnetConfig;
  configPath: string;
  /** Picks the interface when the config names none (the one with the default route). */
  defaultInterface: () => string | null;
}

export interface Daemon {
  /** The URL the API listens on; empty when api.enabled is false. */
  readonly address: string;
  reload(): Promise<{ configPath: string; restartNeeded: string[] }>;
  stop(): Promise<void>;
}

/** The capture worker's config from the daemon's. */
export function workerConfig(
  config: NetnetConfig,
  defaultInterface: () => string | null,
): CaptureWorkerConfig {
  const { flows, stats } = engineConfigFrom(config);
  if (config.offline.file !== "") {
    return {
      source: {
        kind: "file",
        path: config.offline.file,
        speed: config.offline.speed,
        loop: config.offline.loop,
        filter: config.interface.bpf_filter,
      },
      flows,
      stats,
      tickMs: config.stats.tick_ms,
      autoStart: false,
    };
  }
  const named = config.interface.name;
  const list = (Array.isArray(named) ? named : [named])
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (list.length === 0) {
    const d = defaultInterface();
    if (d === null) {
      throw new DaemonError(
        "ERR_DAEMON_NO_INTERFACE",
        "interface.name is empty and no interface carries the default route: name one (netnet interfaces lists them) or set offline.file",
      );
    }
    list.push(d);
  }
  return {
    source: {
      kind: "live",
      interfaces: list,
      snaplen: config.interface.snaplen,
      promiscuous: config.interface.promiscuous,
      timeoutMs: Math.min(config.interface.timeout_ms, 1000) || 100,
      filter: config.interface.bpf_filter,
    },
    flows,
    stats,
    tickMs: config.stats.tick_ms,
    autoStart: false,
  };
}

/**
 * How much lower than the capture worker the main thread (HTTP, stream, SQLite) runs. On Linux
 * a nice value is per thread: raising the main thread's leaves the capture worker's alone,
 * so when the CPU is short, the packet path (whose losses cannot be recovered) gets it first
 * and API requests wait instead. Lowering one's own priority needs no privilege.
 */
export const MAIN_THREAD_NICE = 10;

function yieldToCapture(log: Logger): void {
  if (process.platform !== "linux") return;
  try {
    // pid 0: the calling thread (the main thread), not the process.
    setPriority(0, Math.max(getPriority(0), MAIN_THREAD_NICE));
  } catch (err: unknown) {
    log.warn({ err }, "could not lower the main thread's priority");
  }
}

/** Keys whose change needs a restart (everything else applies on reload). */
const RESTART_KEYS: readonly (readonly [string, (c: NetnetConfig) => unknown])[] = [
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
  ["api.session_expiry", (c) => c.api.session_expiry],
  ["tracking", (c) => c.tracking],
  ["stats", (c) => c.stats],
  ["database.path", (c) => c.database.path],
  ["privilege", (c) => c.privilege],
  ["performance", (c) => c.performance],
  ["logging.file", (c) => c.logging.file],
];

export async function startDaemon(initial: NetnetConfig, deps: DaemonDeps): Promise<Daemon> {
  const log = deps.log;
  let config = initial;
  const startedAt = Date.now();

  const problems = await checkExposure(config);
  if (problems.length > 0) {
    throw new DaemonError(
      "ERR_DAEMON_EXPOSED",
      `refusing to listen on ${config.api.host}: ${problems.map((p) => p.message).join("; ")}`,
    );
  }
  let users: Users = await loadUsers(config, { log });
  // Only hashes are kept from here on; drop any plaintext the config held (loopback only).
  config = { ...config, users: [] };

  const guard = createLoginGuard();
  const stream = new StreamHub();

  // Snapshots that arrive before the database is open (the first tick may beat it) wait here.
  let store: Store | null = null;
  let writer: TickWriter | null = null;
  const early: Snapshot[] = [];
  const write = (w: TickWriter, s: Snapshot) => {
    if (s.windows.length === 0 && s.ended_flows.length === 0) return;
    w.write({ windows: s.windows.map((x) => toWindowRecord(x)), flows: s.ended_flows });
  };
  // Alerts are written in their own transaction; those raised before the store opens wait.
  const alerts = createAlertEngine(config.alerts, {
    log,
    store: () => store,
  });
  const onSnapshot = (s: Snapshot) => {
    if (writer === null) early.push(s);
    else write(writer, s);
    stream.publish(s.seq, streamView(s, startedAt, alerts.tick(s)));
  };

  // 1. Capture first: its handles need the privileges the daemon started with.
  const capture: CaptureService = createCaptureService(
    workerConfig(config, deps.defaultInterface),
    {
      onSnapshot,
      onCaptureEnded: (reason, error) =>
        error === null
          ? log.info({ reason }, "capture ended")
          : log.error({ reason, error }, "capture ended"),
      onWorkerError: (err) => log.error({ err }, "capture worker failed"),
    },
  );
  await capture.start();
  const first = await capture.startCapture().catch((err: unknown) => err);
  if (first instanceof Error) {
    await capture.stop();
    throw new DaemonError(
      "ERR_DAEMON_CAPTURE_FAILED",
      first.message.includes("ermission") || first.message.includes("CAP_NET_RAW")
        ? `${first.message}\nTo capture live, run as root (sudo npm start) or give node CAP_NET_RAW; to see the dashboard without privileges, run npm run demo.`
        : first.message,
    );
  }
  log.info({ interfaces: (first as { interfaces: string[] }).interfaces }, "capture started");
  // The capture worker on a CPU of its own, if asked (the file reader's pool threads exist
  // by now, so they go with the other threads).
  if (config.performance.capture_cpu !== "none") {
    const addon = tryLoadPcapAddon();
    try {
      if (addon === null) {
        throw new AffinityError(
          "ERR_AFFINITY_NO_ADDON",
          `performance.capture_cpu needs the capture addon: ${ADDON_BUILD_HINT}`,
        );
      }
      const plan = placeCaptureWorker(
        addon,
        capture.workerThreadId(),
        config.performance.capture_cpu,
      );
      log.info(
        {
          worker_tid: capture.workerThreadId(),
          worker_cpus: plan?.worker,
          other_cpus: plan?.others,
        },
        plan === null ? "capture worker not placed: a single CPU" : "capture worker placed",
      );
    } catch (err: unknown) {
      await capture.stop();
      throw new DaemonError("ERR_DAEMON_BAD_AFFINITY", messageOf(err));
    }
  }

  // 2. Then drop root, before the database is opened (its files belong to the service user)
  //    and before anything is served.
  dropPrivileges(config.privilege, log);

  // 3. History and sessions.
  const opened = createStore(
    { path: config.database.path, retentionDays: config.database.retention_days },
    { log },
  );
  opened.start();
  const tickWriter = createTickWriter(opened, TICK_WRITER_DEFAULTS, log);
  store = opened;
  writer = tickWriter;
  for (const s of early.splice(0)) write(tickWriter, s);
  log.info({ path: config.database.path, migrated: opened.migrated }, "history database open");
  const sessions = createSessionManager({
    db: opened.db,
    expirySeconds: config.api.session_expiry,
  });
  const sessionPurge = setInterval(() => sessions.purgeExpired(), 60_000);
  sessionPurge.unref();

  let stopping = false;
  const reload = async () => {
    const next = deps.loadConfig();
    const restartNeeded = RESTART_KEYS.filter(
      ([, get]) => JSON.stringify(get(next)) !== JSON.stringify(get(config)),
    ).map(([k]) => k);
    const nextProblems = await checkExposure(next);
    if (nextProblems.length > 0) throw new Error(nextProblems.map((p) => p.message).join("; "));
    const nextUsers = await loadUsers(next, { log });
    if (next.interface.bpf_filter !== config.interface.bpf_filter) {
      await capture.setFilter(next.interface.bpf_filter);
    }
    for (const name of users.hashes.keys()) {
      if (!nextUsers.hashes.has(name)) sessions.revokeUser(name);
    }
    users = nextUsers;
    log.level = next.logging.level;
    if (next.database.retention_days !== config.database.retention_days) {
      opened.setRetentionDays(next.database.retention_days);
    }
    alerts.configure(next.alerts);
    config = { ...next, users: [] };
    log.info({ restartNeeded }, "config reloaded");
    return { configPath: deps.configPath, restartNeeded };
  };

  const dashboard = dashboardDir(config.api.static_files_dir);
  if (dashboard === null)
    log.warn("dashboard files not found (npm run build makes them); serving the api only");
  const api = await buildApiServer(
    {
      latest: () => capture.latest(),
      startCapture: () => capture.startCapture(),
      stopCapture: () => capture.stopCapture(),
      queryActiveFlows: (q) => capture.queryFlows(q),
      queryHosts: (q) => capture.queryHosts(q),
      hostDetail: (ip, limit) => capture.hostDetail(ip, limit),
      reload,
      history: opened,
      auth: { users: () => users, sessions, guard, apiToken: () => config.api.token },
      stream,
      alerts: opened,
      startedAt,
    },
    {
      corsOrigins: config.api.cors_origins,
      bodyLimit: config.api.body_limit,
      logger: log,
      controlIntervalSeconds: 2,
      dashboardDir: dashboard,
    },
  );
  // api.enabled: false runs capture and history only (headless, as the original allowed).
  const address = config.api.enabled
    ? await api.listen({ host: config.api.host, port: config.api.port })
    : "";
  if (address !== "") log.info({ address }, "api listening");
  else log.info("api disabled (api.enabled is false)");
  yieldToCapture(log);

  return {
    address,
    reload,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(sessionPurge);
      stream.close();
      await api.close();
      // The worker flushes the open window and every flow; onSnapshot writes them.
      await capture.stop();
      await alerts.stop();
      tickWriter.flush();
      tickWriter.stop();
      opened.stop();
      log.info("stopped");
    },
  };
}
