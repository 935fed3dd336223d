/**
 * The capture worker (a worker_thread): source, decode, flows and statistics run here, and a
 * snapshot goes to the main thread every tick. The main thread never sees a packet, and this
 * thread never waits on HTTP or SQLite.
 */
import { parentPort, workerData } from "node:worker_threads";
import { NewFlowLog } from "../alerts/new-flow-log.js";
import { PacketEngine } from "../engine/packet-engine.js";
import { type CaptureStatus, SnapshotBuilder } from "../engine/snapshot.js";
import { warmUpPacketPath } from "../engine/warm-up.js";
import { ActiveFlowQueries, type FlowPage } from "../flows/flow-query.js";
import { type HostDetail, type HostPage, hostDetail, queryHosts } from "../stats/host-query.js";
import { currentThreadId } from "./affinity.js";
import type {
  CaptureWorkerConfig,
  StartResult,
  WorkerMessage,
  WorkerRequest,
} from "./capture-protocol.js";
import { FileRunner } from "./file-runner.js";

interface RunningSource {
  readonly running: boolean;
  start(): Promise<StartResult> | StartResult;
  stop(): void;
  /** Releases the source for good (shutdown); stop() alone may only pause it. */
  close?(): void;
  setFilter(expression: string): Promise<void> | void;
  status(): Omit<CaptureStatus, "running" | "error">;
}

const port = parentPort;
if (port === null) throw new Error("capture-worker.js runs as a worker thread");
const config = workerData as CaptureWorkerConfig;
// Before the first packet: no fallback to the interpreter when a new kind of packet arrives.
warmUpPacketPath();
const engine = new PacketEngine({ flows: config.flows, stats: config.stats });
// New flows go to the alert rules on the main thread with each snapshot.
engine.newFlows = new NewFlowLog();
const snapshots = new SnapshotBuilder(engine);
const flowQueries = new ActiveFlowQueries(engine.flows);
let lastError: string | null = null;

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof Error) {
    const code = "code" in err && typeof err.code === "string" ? err.code : "capture_error";
    return { code, message: err.message };
  }
  return { code: "capture_error", message: String(err) };
}

async function createSource(): Promise<RunningSource> {
  const spec = config.source;
  if (spec.kind === "file") {
    return new FileRunner(spec, engine, (reason, error) => {
      lastError = error;
      // The final state first, so whoever hears of the end sees every packet counted.
      post({ type: "snapshot", snapshot: snapshots.build(captureStatus()) });
      post({ type: "capture-ended", reason, error });
    });
  }
  // Loaded only for live capture, so file mode never needs the native addon.
  const { createLiveSource } = await import("./live/live-source.js");
  const live = createLiveSource(
    {
      interfaces: spec.interfaces,
      snaplen: spec.snaplen,
      promiscuous: spec.promiscuous,
      timeoutMs: spec.timeoutMs,
      filter: spec.filter,
      ...(spec.bufferSize !== undefined ? { bufferSize: spec.bufferSize } : {}),
    },
    engine,
    {
      onError: (err) => {
        lastError = err.message;
        post({ type: "capture-ended", reason: "error", error: err.message });
      },
    },
  );
  return {
    get running() {
      return live.running;
    },
    start() {
      if (live.paused) live.resume();
      else live.start();
      return { interfaces: live.interfaces.map((i) => i.name) };
    },
    // Stop pauses: the handles stay open, since after the privilege drop they could not be
    // reopened (docs/capture.md, "Stop and start").
    stop: () => {
      if (live.running) live.pause();
    },
    close: () => {
      if (live.running || live.paused) live.stop();
    },
    setFilter: (e) => live.setFilter(e),
    status() {
      const s = live.stats();
      return {
        source: "live",
        interfaces:
          live.interfaces.length > 0 ? live.interfaces.map((i) => i.name) : spec.interfaces,
        received: s.received,
        dropped: s.dropped,
        if_dropped: s.ifDropped,
        buffer_usage_percent: s.bufferUsagePercent,
      };
    },
  };
}

let source: RunningSource | null = null;

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
  post({ type: "snapshot", snapshot: snapshots.build(captureStatus()) });
  flowQueries.invalidate();
}

async function handle(
  req: WorkerRequest,
): Promise<StartResult | FlowPage | HostPage | HostDetail | null> {
  switch (req.type) {
    case "start": {
      source ??= await createSource();
      lastError = null;
      return source.running ? { interfaces: captureStatus().interfaces } : await source.start();
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
      post({ type: "snapshot", snapshot: snapshots.build(captureStatus()) });
      return null;
  }
}

port.on("message", (req: WorkerRequest) => {
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
