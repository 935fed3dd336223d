/**
 * Writes ticks to the store without stalling the main thread: a tick's windows and its first
 * `chunkFlows` finished flows go in at once, the rest follow in chunks of the same size, one
 * transaction per chunk, one chunk per turn of the event loop, so HTTP requests and the live
 * stream are served between them (a tick of 50,000 flows would otherwise hold the thread for
 * a quarter of a second or more). Chunks are written in arrival order. If the disk cannot keep
 * up, at most `maxPendingFlows` wait; beyond that the oldest waiting flows are dropped and
 * counted (windows are never dropped: they are small and the history's backbone).
 *
 * Failures repeat at the pace of the ticks (a full disk fails every write, ten a second or
 * more), so their lines are capped: one per `logWindowMs` with the count of those not written,
 * the stack only on the first line of a run of failures, and one line when writes succeed
 * again. The stop's flush can be given a time budget: what it has not written by then is
 * dropped and counted, so a stop never waits for a disk that is far behind.
 */
import type { FlowRecord } from "../flows/flow-record.js";
import { messageOf } from "../util/errors.js";
import { type Logger, silentLogger } from "../util/log.js";
import { LogThrottle } from "../util/log-throttle.js";
import type { Store } from "./store.js";
import type { TickInput } from "./types.js";

export interface TickWriterConfig {
  chunkFlows: number;
  maxPendingFlows: number;
  /** At most one "history write failed" and one "history cannot keep up" line per this. */
  logWindowMs?: number;
}

export const TICK_WRITER_DEFAULTS: Required<TickWriterConfig> = {
  chunkFlows: 2000,
  maxPendingFlows: 1_000_000,
  logWindowMs: 10_000,
};

/** What a flush did: flows it wrote (or tried to), and flows it dropped at its deadline. */
export interface FlushResult {
  written: number;
  dropped: number;
}

export interface TickWriter {
  /** Queues a tick; its windows and first chunk are written before this returns. */
  write(tick: TickInput): void;
  /** Writes what is waiting, now (shutdown); with `budgetMs`, what is left when it is spent
   * is dropped and counted instead. */
  flush(budgetMs?: number): FlushResult;
  /** Flows waiting to be written. */
  readonly pending: number;
  /** Flows dropped because too many were waiting, or the flush's budget was spent. */
  readonly dropped: number;
  /** Stops the background chunks (what waits stays until flush). */
  stop(): void;
}

function codeOf(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

export function createTickWriter(
  store: Pick<Store, "writeTick">,
  config: TickWriterConfig = TICK_WRITER_DEFAULTS,
  log: Logger = silentLogger,
): TickWriter {
  const queue: FlowRecord[][] = [];
  let pending = 0;
  let dropped = 0;
  let scheduled: NodeJS.Immediate | null = null;
  const windowMs = config.logWindowMs ?? TICK_WRITER_DEFAULTS.logWindowMs;
  const failureLog = new LogThrottle(1, windowMs);
  const behindLog = new LogThrottle(1, windowMs);
  // Failed writes since the last one that succeeded, and whether their stack was logged.
  let failing = 0;
  let stackLogged = false;
  // Flows dropped for want of room since the last "cannot keep up" line.
  let droppedUntold = 0;

  const guarded = (tick: TickInput) => {
    try {
      store.writeTick(tick);
    } catch (err: unknown) {
      // The daemon keeps running; what was committed before stays.
      failing++;
      const suppressed = failureLog.admit(Date.now());
      if (suppressed < 0) return;
      const counts = { failed: failing, ...(suppressed > 0 ? { suppressed } : {}) };
      if (!stackLogged) {
        stackLogged = true;
        log.error({ err, code: codeOf(err), ...counts }, "history write failed");
      } else {
        log.error({ code: codeOf(err), error: messageOf(err), ...counts }, "history write failed");
      }
      return;
    }
    if (failing > 0) {
      log.info({ failed: failing }, "history writes succeed again");
      failing = 0;
      stackLogged = false;
    }
  };

  function writeChunk(): number {
    const chunk = queue.shift();
    if (chunk === undefined) return 0;
    pending -= chunk.length;
    guarded({ flows: chunk });
    return chunk.length;
  }

  function schedule(): void {
    if (scheduled !== null || queue.length === 0) return;
    scheduled = setImmediate(() => {
      scheduled = null;
      writeChunk();
      schedule();
    });
  }

  function unschedule(): void {
    if (scheduled !== null) clearImmediate(scheduled);
    scheduled = null;
  }

  return {
    write(tick: TickInput): void {
      const flows = tick.flows ?? [];
      const n = config.chunkFlows;
      // Whatever waits from earlier ticks goes first, so the first chunk of this tick waits
      // too; only the windows are written at once.
      const first = queue.length === 0 ? flows.slice(0, n) : [];
      const rest = flows.slice(first.length);
      if ((tick.windows?.length ?? 0) > 0 || first.length > 0) {
        guarded({ windows: tick.windows ?? [], flows: first });
      }
      for (let i = 0; i < rest.length; i += n) {
        const chunk = rest.slice(i, i + n);
        queue.push(chunk);
        pending += chunk.length;
      }
      let droppedNow = 0;
      while (pending > config.maxPendingFlows && queue.length > 0) {
        const old = queue.shift() ?? [];
        pending -= old.length;
        droppedNow += old.length;
      }
      if (droppedNow > 0) {
        dropped += droppedNow;
        droppedUntold += droppedNow;
        if (behindLog.admit(Date.now()) >= 0) {
          log.warn(
            { dropped: droppedUntold, total_dropped: dropped, pending },
            "history cannot keep up: finished flows dropped",
          );
          droppedUntold = 0;
        }
      }
      schedule();
    },
    flush(budgetMs = Number.POSITIVE_INFINITY): FlushResult {
      unschedule();
      const deadline = performance.now() + budgetMs;
      let written = 0;
      while (queue.length > 0 && performance.now() < deadline) written += writeChunk();
      let left = 0;
      for (const chunk of queue.splice(0)) left += chunk.length;
      pending -= left;
      dropped += left;
      return { written, dropped: left };
    },
    get pending() {
      return pending;
    },
    get dropped() {
      return dropped;
    },
    stop: unschedule,
  };
}
