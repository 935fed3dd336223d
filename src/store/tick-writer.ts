/**
 * Writes ticks to the store without stalling the main thread: a tick's windows and its first
 * `chunkFlows` finished flows go in at once, the rest follow in chunks of the same size, one
 * transaction per chunk, one chunk per turn of the event loop, so HTTP requests and the live
 * stream are served between them (a tick of 50,000 flows would otherwise hold the thread for
 * a quarter of a second or more). Chunks are written in arrival order. If the disk cannot keep
 * up, at most `maxPendingFlows` wait; beyond that the oldest waiting flows are dropped and
 * counted (windows are never dropped: they are small and the history's backbone).
 */
import type { FlowRecord } from "../flows/flow-record.js";
import { type Logger, silentLogger } from "../util/log.js";
import type { Store } from "./store.js";
import type { TickInput } from "./types.js";

export interface TickWriterConfig {
  chunkFlows: number;
  maxPendingFlows: number;
}

export const TICK_WRITER_DEFAULTS: TickWriterConfig = {
  chunkFlows: 2000,
  maxPendingFlows: 1_000_000,
};

export interface TickWriter {
  /** Queues a tick; its windows and first chunk are written before this returns. */
  write(tick: TickInput): void;
  /** Writes everything still waiting, now (shutdown). */
  flush(): void;
  /** Flows waiting to be written. */
  readonly pending: number;
  /** Flows dropped because too many were waiting. */
  readonly dropped: number;
  /** Stops the background chunks (what waits stays until flush). */
  stop(): void;
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

  const guarded = (tick: TickInput) => {
    try {
      store.writeTick(tick);
    } catch (err: unknown) {
      // The daemon keeps running; what was committed before stays.
      log.error({ err }, "history write failed");
    }
  };

  function writeChunk(): void {
    const chunk = queue.shift();
    if (chunk === undefined) return;
    pending -= chunk.length;
    guarded({ flows: chunk });
  }

  function schedule(): void {
    if (scheduled !== null || queue.length === 0) return;
    scheduled = setImmediate(() => {
      scheduled = null;
      writeChunk();
      schedule();
    });
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
      while (pending > config.maxPendingFlows && queue.length > 0) {
        const old = queue.shift() ?? [];
        pending -= old.length;
        dropped += old.length;
        log.warn(
          {
            dropped: old.length,
            total_dropped: dropped,
          },
          "history cannot keep up: finished flows dropped",
        );
      }
      schedule();
    },
    flush(): void {
      if (scheduled !== null) clearImmediate(scheduled);
      scheduled = null;
      while (queue.length > 0) writeChunk();
    },
    get pending() {
      return pending;
    },
    get dropped() {
      return dropped;
    },
    stop(): void {
      if (scheduled !== null) clearImmediate(scheduled);
      scheduled = null;
    },
  };
}
