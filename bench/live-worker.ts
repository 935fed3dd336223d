/**
 * A capture unit (live-unit.ts) in a worker_thread, as the daemon runs its capture: the
 * runner asks for counts and stats, arms a target and hears when it is reached. Snapshots go
 * to the runner as they would to the daemon's main thread (the copy is part of the cost).
 */
import { parentPort, workerData } from "node:worker_threads";
import { CaptureUnit, type UnitOptions } from "./live-unit.js";

export type WorkerCommand = { op: "stats" } | { op: "arm"; packets: number } | { op: "close" };

export type WorkerEvent =
  | { type: "ready" }
  | { type: "stats"; received: number; dropped: number; packets: number }
  | { type: "armed" }
  | { type: "reached"; at: number }
  | { type: "snapshot"; snapshot: unknown }
  | { type: "closed" };

const port = parentPort;
if (port === null) throw new Error("live-worker.js runs as a worker thread");
const post = (e: WorkerEvent): void => port.postMessage(e);
const unit = new CaptureUnit(workerData as UnitOptions, (s) =>
  port.postMessage({ type: "snapshot", snapshot: s }),
);
port.on("message", (c: WorkerCommand) => {
  switch (c.op) {
    case "stats":
      post({ type: "stats", ...unit.stats() });
      return;
    case "arm":
      unit.arm(c.packets).then((at) => post({ type: "reached", at }));
      post({ type: "armed" });
      return;
    case "close":
      unit.close();
      post({ type: "closed" });
      port.close();
      return;
  }
});
post({ type: "ready" });
