/**
 * The daemon: the one place that builds the components with their dependencies and lists
 * them in the order they start; they stop in reverse (components.ts).
 *
 *   capture worker ──snapshot per tick──► router ──► history (windows and flows), alert rules,
 *                                                     live stream ──► API
 *
 * Start: the config's exposure is checked and the users loaded; the capture worker opens its
 * handles while the daemon still has its privileges; root is dropped and every thread's
 * capabilities are cleared (and the config file checked to be readable by the user reload
 * will run as); history opens (the snapshots that arrived meanwhile are written first); then
 * the API listens. Stop (SIGTERM, SIGINT): the stream and the API close, the capture stops
 * and its worker flushes the open window and every flow into a last snapshot, which is
 * written; then alerts, sessions and history close. A start that fails stops what already
 * started and the error goes on.
 */
import { getPriority, setPriority } from "node:os";
import { createAlertEngine } from "../alerts/alert-engine.js";
import { StreamHub } from "../api/stream.js";
import {
  checkExposure,
  createLoginGuard,
  createSessionManager,
  loadUsers,
  type SessionManager,
} from "../auth/index.js";
import { PACE_MAX_STEP_SECONDS } from "../capture/file/file-runner.js";
import { tryLoadPcapAddon } from "../capture/live/pcap-addon.js";
import type { NetnetConfig } from "../config/config.js";
import type { Logger } from "../util/log.js";
import { createCaptureService } from "../worker/capture-service.js";
import { apiComponent } from "./api.js";
import { captureComponent, workerConfig } from "./capture.js";
import { type Component, startComponents } from "./components.js";
import { DaemonError } from "./daemon-error.js";
import { historyComponent } from "./history.js";
import { dropPrivileges, warnIfUnreadableAfterDrop } from "./privileges.js";
import { createReload, type ReloadResult, type Settings } from "./reload.js";
import { SnapshotRouter } from "./snapshot-router.js";

export { DAEMON_ERROR_CODES, DaemonError } from "./daemon-error.js";

export interface DaemonDeps {
  log: Logger;
  /** Re-reads and validates the config file (reload); throws with the reason. */
  loadConfig: () => NetnetConfig;
  configPath: string;
  /** The config file reload reads, when there is one (not when running on the defaults). */
  configFile?: string;
  /** Picks the interface when the config names none (the one with the default route). */
  defaultInterface: () => string | null;
}

export interface Daemon {
  /** The URL the API listens on; empty when api.enabled is false. */
  readonly address: string;
  reload(): Promise<ReloadResult>;
  stop(): Promise<void>;
}

/** Milliseconds between sweeps of expired sessions. */
const SESSION_PURGE_MS = 60_000;

export async function startDaemon(initial: NetnetConfig, deps: DaemonDeps): Promise<Daemon> {
  const log = deps.log;
  const startedAt = Date.now();

  const problems = await checkExposure(initial);
  if (problems.length > 0) {
    throw new DaemonError(
      "ERR_DAEMON_EXPOSED",
      `refusing to listen on ${initial.api.host}: ${problems.map((p) => p.message).join("; ")}`,
    );
  }
  // Only hashes are kept from here on; the plaintext the config may hold (loopback only) is not.
  const settings: Settings = {
    users: await loadUsers(initial, { log }),
    config: { ...initial, users: [] },
  };
  const config = settings.config;

  // The stop hands the last flows to history (the worker's last snapshot, then what is still
  // queued) until one deadline, fixed when the first of them asks for it.
  const stopTimeoutMs = config.database.stop_timeout_ms;
  let stopDeadline: number | null = null;
  const handOverBy = () => {
    stopDeadline ??= performance.now() + stopTimeoutMs;
    return stopDeadline;
  };
  const timeLeft = () => Math.max(0, handOverBy() - performance.now());

  // The components, each built with what it uses.
  const history = historyComponent(
    {
      path: config.database.path,
      retentionDays: config.database.retention_days,
      stopTimeoutMs,
    },
    log,
    handOverBy,
  );
  // Alerts are written in their own transaction; those raised before history opens wait.
  const alerts = createAlertEngine(config.alerts, { log, store: () => history.openStore() });
  const stream = new StreamHub();
  const router = new SnapshotRouter({ alerts, stream, startedAt, log });
  const capture = createCaptureService(workerConfig(config, deps.defaultInterface), {
    onSnapshot: (s) => router.route(s),
    onCaptureEnded: (reason, error) =>
      error === null
        ? log.info({ reason }, "capture ended")
        : log.error({ reason, error }, "capture ended"),
    onWorkerError: (err) => log.error({ err }, "capture worker failed"),
    onTimeJump: (jump) =>
      log.warn(
        { ...jump, max_step_seconds: PACE_MAX_STEP_SECONDS },
        "capture file timestamps jump: paced replay re-based there, not waited for",
      ),
  });
  let sessions: SessionManager | null = null;
  let purge: NodeJS.Timeout | null = null;
  const reload = createReload(
    settings,
    {
      log,
      setFilter: (e) => capture.setFilter(e),
      revokeUser: (name) => sessions?.revokeUser(name),
      setRetentionDays: (days) => history.store.setRetentionDays(days),
      configureAlerts: (a) => alerts.configure(a),
    },
    deps.loadConfig,
    deps.configPath,
  );
  const guard = createLoginGuard();
  const api = apiComponent(
    config,
    () => ({
      latest: () => capture.latest(),
      startCapture: () => capture.startCapture(),
      stopCapture: () => capture.stopCapture(),
      queryActiveFlows: (q) => capture.queryFlows(q),
      queryHosts: (q) => capture.queryHosts(q),
      hostDetail: (ip, limit) => capture.hostDetail(ip, limit),
      reload,
      history: history.store,
      auth: {
        users: () => settings.users,
        sessions: opened(sessions),
        guard,
        apiToken: () => settings.config.api.token,
      },
      stream,
      alerts: history.store,
      startedAt,
    }),
    log,
  );

  // In the order they start; they stop in reverse.
  const components: Component[] = [
    // Its handles need the privileges the daemon started with.
    captureComponent(capture, config, log),
    // Before the database opens (its files belong to the service user) and anything is served;
    // clearing the capabilities of every thread is the capture addon's.
    {
      name: "privileges",
      start() {
        const drop = dropPrivileges(config.privilege, log, tryLoadPcapAddon());
        if (deps.configFile !== undefined) {
          const { user, group } = config.privilege;
          warnIfUnreadableAfterDrop(deps.configFile, drop, group === "" ? user : group, log);
        }
      },
    },
    history,
    {
      name: "sessions",
      start() {
        sessions = createSessionManager({
          db: history.store.db,
          expirySeconds: config.api.session_expiry,
          maxLifetimeSeconds: config.api.session_max_lifetime,
          // Read at every check, so that a reload's users apply at the next request.
          credentialOf: (name) => settings.users.hashes.get(name),
        });
        const s = sessions;
        // Users removed or given a new password while the daemon was stopped lose them now.
        const ended = s.purgeStale();
        if (ended > 0) {
          log.info(
            { sessions: ended },
            "sessions ended at start: expired, or their user removed or given another password",
          );
        }
        purge = setInterval(() => s.purgeExpired(), SESSION_PURGE_MS);
        purge.unref();
      },
      stop() {
        if (purge !== null) clearInterval(purge);
      },
    },
    // Alerts of the last snapshot are written before history closes.
    { name: "alerts", stop: () => alerts.stop() },
    {
      name: "snapshots to history",
      start: () => router.attach(history.writer),
      // The worker's last snapshot (the open window and every flow) is written before
      // history closes: capture stops here, while history is still open.
      async stop() {
        if (!(await capture.stop(timeLeft()))) {
          log.warn(
            { stop_timeout_ms: stopTimeoutMs },
            "capture worker gave no last snapshot by the stop deadline: the flows still open are not written",
          );
        }
        router.detach();
      },
    },
    api,
    // Open streams end first, or closing the server would wait for them.
    { name: "stream", stop: () => stream.close() },
  ];
  const started = await startComponents(components, log);
  yieldToCapture(log);

  return {
    get address() {
      return api.address;
    },
    reload,
    stop: async () => {
      await started.stop();
      log.info("stopped");
    },
  };
}

function opened<T>(v: T | null): T {
  if (v === null) throw new Error("a component the API needs has not started");
  return v;
}

/**
 * How much lower than the capture worker the main thread (HTTP, stream, SQLite) runs. On Linux
 * a nice value is per thread: raising the main thread's leaves the capture worker's alone,
 * so when the CPU is short, the packet path (whose losses cannot be recovered) gets it first
 * and API requests wait instead. Lowering one's own priority needs no privilege.
 */
const MAIN_THREAD_NICE = 10;

function yieldToCapture(log: Logger): void {
  if (process.platform !== "linux") return;
  try {
    // pid 0: the calling thread (the main thread), not the process.
    setPriority(0, Math.max(getPriority(0), MAIN_THREAD_NICE));
  } catch (err: unknown) {
    log.warn({ err }, "could not lower the main thread's priority");
  }
}
