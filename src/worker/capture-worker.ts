/**
 * The capture worker (a worker_thread): source, decode, flows and statistics run here, and a
 * snapshot goes to the main thread every tick. The main thread never sees a packet, and this
 * thread never waits on HTTP or SQLite.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FileRunner } from "../capture/file/file-runner.js";
import type { SourceRunner } from "../capture/source.js";
import { ActiveFlowQueries, type FlowPage } from "../engine/flow-pages.js";
import { NewFlowLog } from "../engine/new-flow-log.js";
import { PacketEngine } from "../engine/packet-engine.js";
import { type CaptureStatus, SnapshotBuilder } from "../engine/snapshot.js";
import { warmUpPacketPath } from "../engine/warm-up.js";
import { type HostDetail, type HostPage, hostDetail, queryHosts } from "../stats/host-query.js";
import { currentThreadId } from "./affinity.js";
import type {
  CaptureWorkerConfig,
  SnapshotTaken,
  StartResult,
  WorkerMessage,
  WorkerRequest,
} from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("capture-worker.js runs as a worker thread");
const config = workerData as CaptureWorkerConfig;
// Before the first packet: no fallback to the interpreter when a new kind of packet arrives.
warmUpPacketPath();
const engine = new PacketEngine({ flows: config.flows, stats: config.stats });
// New flows go to the alert rules on the main thread with each snapshot.
engine.newFlows = new NewFlowLog();
// As many ended flows may wait for a snapshot as the table holds: the last snapshot, which
// ends every flow, always fits.
const snapshots = new SnapshotBuilder(engine, { maxEndedFlows: config.flows.capacity });
const flowQueries = new ActiveFlowQueries(engine.flows);
let lastError: string | null = null;

/**
 * Snapshots posted and not yet taken by the main thread, and how many may be. A main thread
 * that is behind (a slow disk, a flood of flows that end) would otherwise find an ever longer
 * queue of snapshots, each a copy of thousands of flows: memory without bound, and a thread
 * that drains them for minutes before it sees a SIGTERM. So ticks are skipped while two
 * wait; what happens meanwhile goes with the next snapshot (ended flows up to a bound).
 */
const MAX_SNAPSHOTS_WAITING = 2;
let snapshotsWaiting = 0;

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function postSnapshot(): void {
  snapshotsWaiting++;
  post({ type: "snapshot", snapshot: snapshots.build(captureStatus()) });
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof Error) {
    const code =
      "code" in err && typeof err.code === "string" ? err.code : "ERR_WORKER_COMMAND_FAILED";
    return { code, message: err.message };
  }
  return { code: "ERR_WORKER_COMMAND_FAILED", message: String(err) };
}

async function createSource(): Promise<SourceRunner> {
  const spec = config.source;
  if (spec.kind === "file") {
    return new FileRunner(
      spec,
      engine,
      (reason, error) => {
        lastError = error;
        // Nothing more comes from the file: the open second and window close and every active
        // flow is reported ended (end_reason flush) now, so the store keeps the end of the
        // capture while the daemon runs on. The flows stay in view until capture starts again
        // (a new run of the file) or the daemon stops, neither of which reports them again.
        engine.endInput();
        // The final state first, so whoever hears of the end sees every packet counted.
        postSnapshot();
        post({ type: "capture-ended", reason, error });
      },
      (jump) => post({ type: "time-jump", file: spec.path, ...jump }),
    );
  }
  // Loaded only for live capture, so file mode never needs the native addon.
  const { createLiveRunner } = await import("../capture/live/live-runner.js");
  return createLiveRunner(spec, engine, (err) => {
    lastError = err.message;
    post({ type: "capture-ended", reason: "error", error: err.message });
  });
}

let source: SourceRunner | null = null;

function captureStatus(): CaptureStatus {
  const base =
    source === null
      ? {
          source: config.source.kind,
          interfaces:
            config.source.kind === "file" ? [config.source.path] : config.source.interfaces,
          received: 0,
          dropped: 0,
          if_dropped: 0,
          buffer_usage_percent: null,
        }
      : source.status();
  return { ...base, running: source?.running ?? false, error: lastError };
}

function tick(): void {
  // On a quiet link, time still moves: seconds and windows close and idle flows expire. A
  // second of margin leaves room for packets still in the kernel ring.
  if (
    source?.running === true &&
    (config.source.kind === "live" || config.source.speed === "recorded")
  ) {
    engine.advanceTo(Date.now() / 1000 - 1);
  }
  if (snapshotsWaiting < MAX_SNAPSHOTS_WAITING) postSnapshot();
  flowQueries.invalidate();
}

async function handle(
  req: WorkerRequest,
): Promise<StartResult | FlowPage | HostPage | HostDetail | null> {
  switch (req.type) {
    case "start": {
      source ??= await createSource();
      lastError = null;
      if (source.running) return { interfaces: captureStatus().interfaces };
      // After the end of a file, its flows (already stored) leave the table before the next run.
      engine.resume();
      return await source.start();
    }
    case "stop":
      source?.stop();
      return null;
    case "set-filter":
      if (source === null) source = await createSource();
      await source.setFilter(req.expression);
      return null;
    case "query-flows":
      return flowQueries.query(req.query);
    case "query-hosts":
      return queryHosts(engine.stats.hosts, req.query);
    case "host-detail":
      return hostDetail(engine.stats.hosts, engine.flows, req.ip, req.limit);
    case "shutdown":
      clearInterval(timer);
      if (source?.close !== undefined) source.close();
      else source?.stop();
      // The open second and window close and every active flow ends, so the last snapshot
      // carries everything the store must keep.
      engine.finish();
      postSnapshot();
      return null;
  }
}

port.on("message", (req: WorkerRequest | SnapshotTaken) => {
  if (req.type === "snapshot-taken") {
    snapshotsWaiting = Math.max(0, snapshotsWaiting - 1);
    return;
  }
  handle(req).then(
    (result) => {
      post({ type: "reply", id: req.id, ok: true, result });
      if (req.type === "shutdown") port.close();
    },
    (err: unknown) => post({ type: "reply", id: req.id, ok: false, error: describe(err) }),
  );
});

const timer = setInterval(tick, config.tickMs);
post({ type: "ready", tid: currentThreadId() });
if (config.autoStart) {
  handle({ type: "start", id: 0 }).catch((err: unknown) => {
    lastError = describe(err).message;
    post({ type: "capture-ended", reason: "error", error: lastError });
  });
}
