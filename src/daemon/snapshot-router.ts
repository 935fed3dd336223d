/**
 * Where each snapshot of the capture worker goes on the main thread: its finished windows and
 * flows to the history writer, and the tick (with the alerts it raised) to the live stream.
 * The capture starts before the database opens (its handles need root, the database must
 * belong to the service user), so snapshots that arrive before history is attached wait here
 * and are written, in order, when it is.
 */
import type { Alert } from "../alerts/types.js";
import { streamView } from "../api/views.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { TickInput } from "../store/types.js";
import { toWindowRecord } from "../store/window-record.js";
import { type Logger, silentLogger } from "../util/log.js";
import { LogThrottle } from "../util/log-throttle.js";

/** At most one "finished flows dropped in the capture worker" line per this. */
const DROP_LOG_WINDOW_MS = 10_000;

export interface SnapshotRouterDeps {
  /** The alert rules: the alerts raised or updated by this tick. */
  alerts: { tick(s: Snapshot): readonly Alert[] };
  /** The live stream. */
  stream: { publish(id: number, data: unknown): void };
  /** Wall-clock start of the daemon (ms), for the health view's uptime. */
  startedAt: number;
  log?: Logger;
}

export interface HistorySink {
  write(input: TickInput): void;
}

export class SnapshotRouter {
  private history: HistorySink | null = null;
  private readonly early: Snapshot[] = [];
  private readonly dropLog = new LogThrottle(1, DROP_LOG_WINDOW_MS);
  /** The worker's `ended_flows_dropped` at the last line, and as last seen. */
  private droppedTold = 0;
  private droppedSeen = 0;

  constructor(private readonly deps: SnapshotRouterDeps) {}

  /** Snapshots waiting for history. */
  get waiting(): number {
    return this.early.length;
  }

  /** One snapshot of the worker. */
  route(s: Snapshot): void {
    this.noteDropped(s.ended_flows_dropped);
    if (this.history === null) this.early.push(s);
    else write(this.history, s);
    this.deps.stream.publish(s.seq, streamView(s, this.deps.startedAt, this.deps.alerts.tick(s)));
  }

  /** From now on snapshots go to `history`; those that waited are written first, in order. */
  attach(history: HistorySink): void {
    this.history = history;
    for (const s of this.early.splice(0)) write(history, s);
  }

  /** History is closing: later snapshots wait again (and are lost if it never returns). */
  detach(): void {
    this.history = null;
  }

  /** Flows the worker could not keep for a snapshot while this thread was behind. */
  private noteDropped(total: number): void {
    if (total <= this.droppedSeen) return;
    this.droppedSeen = total;
    if (this.dropLog.admit(Date.now()) < 0) return;
    (this.deps.log ?? silentLogger).warn(
      { dropped: total - this.droppedTold, total_dropped: total },
      "main thread cannot keep up: finished flows dropped in the capture worker",
    );
    this.droppedTold = total;
  }
}

function write(history: HistorySink, s: Snapshot): void {
  if (s.windows.length === 0 && s.ended_flows.length === 0) return;
  history.write({ windows: s.windows.map((w) => toWindowRecord(w)), flows: s.ended_flows });
}
