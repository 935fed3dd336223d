/**
 * Components started in order and stopped in reverse (akvorado's StartStopComponents). The
 * daemon lists its components once, in the order their dependencies require; a start that
 * fails stops everything already started, in reverse, before the error goes on, so a failed
 * start never leaves a worker thread, a timer or an open database behind.
 */
import { messageOf } from "../util/errors.js";
import type { Logger } from "../util/log.js";

export interface Component {
  /** For logs: "capture", "history", "api". */
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

/** The started components, to be stopped once, in reverse order. */
export interface Started {
  stop(): Promise<void>;
}

/** Stops components in reverse order; a failing stop is logged and the others still stop. */
async function stopInReverse(started: readonly Component[], log: Logger): Promise<void> {
  for (const c of [...started].reverse()) {
    const t0 = performance.now();
    try {
      await c.stop?.();
    } catch (err: unknown) {
      log.error({ component: c.name, error: messageOf(err) }, "component failed to stop");
    }
    // Where a slow shutdown spends its time (the unit's TimeoutStopSec is 30 s).
    log.debug({ component: c.name, ms: Math.round(performance.now() - t0) }, "component stopped");
  }
}

/**
 * Starts each component in order. If one fails, the ones already started are stopped in
 * reverse order and the start's error is thrown.
 */
export async function startComponents(
  components: readonly Component[],
  log: Logger,
): Promise<Started> {
  const started: Component[] = [];
  for (const c of components) {
    try {
      await c.start?.();
    } catch (err: unknown) {
      log.debug({ component: c.name }, "start failed; stopping what started");
      await stopInReverse(started, log);
      throw err;
    }
    started.push(c);
  }
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= stopInReverse(started, log);
      return stopping;
    },
  };
}
