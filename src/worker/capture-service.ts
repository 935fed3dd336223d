/**
 * The main thread's handle on the capture worker: starts the worker, forwards commands
 * (start and stop capture, change the filter, query active flows) and receives a snapshot
 * every tick. `createCaptureService(config, deps)` returns `{ start, stop, ... }`.
 */
import { Worker } from "node:worker_threads";
import type { TimeJump } from "../capture/file/file-runner.js";
import type { ActiveFlowQuery, FlowPage } from "../engine/flow-pages.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { HostDetail, HostPage, HostQuery } from "../stats/host-query.js";
import { NetnetError } from "../util/errors.js";
import type {
  CaptureWorkerConfig,
  SnapshotTaken,
  StartResult,
  WorkerMessage,
  WorkerRequest,
} from "./protocol.js";

/** Codes of the worker's own failures; a command that failed in the worker carries the code
 * of the error it failed with there (ERR_PCAP_PERMISSION, ERR_CAPTURE_FILE_OPEN, ...). */
export const WORKER_ERROR_CODES = [
  "ERR_WORKER_NOT_RUNNING", // a command to a worker that is not running (or stopped meanwhile)
  "ERR_WORKER_COMMAND_FAILED", // a command failed in the worker with an error that had no code
] as const;

/** A command to the capture worker failed; `code` is the code of the error in the worker. */
export class CaptureCommandError extends NetnetError {}

export interface CaptureServiceDeps {
  onSnapshot?: (snapshot: Snapshot) => void;
  /** Capture stopped by itself: end of the file, an interface gone, an error. */
  onCaptureEnded?: (reason: string, error: string | null) => void;
  /** The worker died (a bug): the daemon logs it and can start a new service. */
  onWorkerError?: (err: Error) => void;
  /** A paced replay re-based a discontinuity in the file's timestamps (the first of a run). */
  onTimeJump?: (jump: TimeJump & { file: string }) => void;
}

export interface CaptureService {
  /** Starts the worker (and capture, with `autoStart`); resolves once it is ready. */
  start(): Promise<void>;
  /**
   * Ends capture, flushes the last window and every flow into a final snapshot, stops the
   * worker. With `timeoutMs`, a worker that has not answered by then is terminated without
   * its last snapshot. Resolves true when the worker answered, false when it was terminated.
   */
  stop(timeoutMs?: number): Promise<boolean>;
  startCapture(): Promise<StartResult>;
  stopCapture(): Promise<void>;
  setFilter(expression: string): Promise<void>;
  queryFlows(query: ActiveFlowQuery): Promise<FlowPage>;
  queryHosts(query: HostQuery): Promise<HostPage>;
  /** One host among the active hosts and flows; null for an invalid address. */
  hostDetail(ip: string, limit: number): Promise<HostDetail | null>;
  /** The newest snapshot, or null before the first tick. */
  latest(): Snapshot | null;
  /** The worker's thread id (Linux), -1 before it is ready or where unknown. */
  workerThreadId(): number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export function createCaptureService(
  config: CaptureWorkerConfig,
  deps: CaptureServiceDeps = {},
): CaptureService {
  let worker: Worker | null = null;
  let latest: Snapshot | null = null;
  let workerTid = -1;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function request<T>(make: (id: number) => WorkerRequest): Promise<T> {
    const w = worker;
    if (w === null) {
      return Promise.reject(
        new CaptureCommandError("ERR_WORKER_NOT_RUNNING", "the capture worker is not running"),
      );
    }
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage(make(id));
    });
  }

  function onMessage(msg: WorkerMessage): void {
    switch (msg.type) {
      case "snapshot": {
        latest = msg.snapshot;
        deps.onSnapshot?.(msg.snapshot);
        // Taken only once routed: a main thread slower than the ticks gets fewer snapshots
        // (the worker waits for this), not a growing queue of them.
        const taken: SnapshotTaken = { type: "snapshot-taken" };
        worker?.postMessage(taken);
        return;
      }
      case "reply": {
        const p = pending.get(msg.id);
        if (p === undefined) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new CaptureCommandError(msg.error.code, msg.error.message));
        return;
      }
      case "capture-ended":
        deps.onCaptureEnded?.(msg.reason, msg.error);
        return;
      case "time-jump":
        deps.onTimeJump?.({ file: msg.file, from: msg.from, to: msg.to, packet: msg.packet });
        return;
      case "ready":
        return;
    }
  }

  return {
    start() {
      if (worker !== null) return Promise.resolve();
      const w = new Worker(new URL("./capture-worker.js", import.meta.url), { workerData: config });
      worker = w;
      return new Promise<void>((resolve, reject) => {
        const onReady = (msg: WorkerMessage) => {
          if (msg.type !== "ready") return;
          workerTid = msg.tid;
          w.off("message", onReady);
          resolve();
        };
        w.on("message", onReady);
        w.on("message", onMessage);
        w.once("error", (err: Error) => {
          worker = null;
          failAll(err);
          reject(err);
          deps.onWorkerError?.(err);
        });
        w.once("exit", () => {
          worker = null;
          failAll(
            new CaptureCommandError("ERR_WORKER_NOT_RUNNING", "the capture worker has stopped"),
          );
        });
      });
    },

    async stop(timeoutMs = Number.POSITIVE_INFINITY) {
      const w = worker;
      if (w === null) return true;
      const exited = new Promise((r) => w.once("exit", r));
      let timer: NodeJS.Timeout | null = null;
      const late = new Promise<false>((resolve) => {
        if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const answered = await Promise.race([
        request<null>((id) => ({ type: "shutdown", id })).then(() => true),
        late,
      ]).finally(() => {
        if (timer !== null) clearTimeout(timer);
      });
      // Its last snapshot (a million flows takes seconds to build and copy) is given up.
      if (!answered) await w.terminate();
      await exited;
      return answered;
    },

    startCapture: () => request<StartResult>((id) => ({ type: "start", id })),
    stopCapture: () => request<null>((id) => ({ type: "stop", id })).then(() => undefined),
    setFilter: (expression) =>
      request<null>((id) => ({ type: "set-filter", id, expression })).then(() => undefined),
    queryFlows: (query) => request<FlowPage>((id) => ({ type: "query-flows", id, query })),
    queryHosts: (query) => request<HostPage>((id) => ({ type: "query-hosts", id, query })),
    hostDetail: (ip, limit) =>
      request<HostDetail | null>((id) => ({ type: "host-detail", id, ip, limit })),
    latest: () => latest,
    workerThreadId: () => workerTid,
  };
}
