/**
 * The history component: the SQLite store (windows, rollups, flows, alerts, sessions) and the
 * tick writer that feeds it in chunks. It opens after the privilege drop, so its files belong
 * to the service user; its stop writes what is still queued before the database closes, until
 * the stop's deadline (`database.stop_timeout_ms` after the stop began): a disk far behind
 * could otherwise hold the stop for minutes, past systemd's TimeoutStopSec, and systemd's
 * SIGKILL would lose more than the flows dropped here, which are counted in one line.
 */
import { createStore, type Store } from "../store/store.js";
import { createTickWriter, TICK_WRITER_DEFAULTS, type TickWriter } from "../store/tick-writer.js";
import type { Logger } from "../util/log.js";
import type { Component } from "./components.js";

export interface HistoryComponent extends Component {
  /** The open store; throws before start. */
  readonly store: Store;
  /** The writer of each tick's windows and flows; throws before start. */
  readonly writer: TickWriter;
  /** The store once open, else null (alerts raised before it opens wait for it). */
  openStore(): Store | null;
}

export function historyComponent(
  cfg: { path: string; retentionDays: number; stopTimeoutMs: number },
  log: Logger,
  /** When the stop must be done handing flows over (performance.now() time); the first call
   * fixes it. By default `stopTimeoutMs` from the history's own stop. */
  stopDeadline: () => number = () => performance.now() + cfg.stopTimeoutMs,
): HistoryComponent {
  let store: Store | null = null;
  let writer: TickWriter | null = null;
  const opened = <T>(v: T | null): T => {
    if (v === null) throw new Error("history is not open yet");
    return v;
  };
  return {
    name: "history",
    start() {
      const s = createStore({ path: cfg.path, retentionDays: cfg.retentionDays }, { log });
      s.start();
      writer = createTickWriter(s, TICK_WRITER_DEFAULTS, log);
      store = s;
      log.info({ path: cfg.path, migrated: s.migrated }, "history database open");
    },
    stop() {
      if (writer !== null) {
        const { written, dropped } = writer.flush(Math.max(0, stopDeadline() - performance.now()));
        if (dropped > 0) {
          log.warn(
            {
              written,
              dropped,
              total_dropped: writer.dropped,
              stop_timeout_ms: cfg.stopTimeoutMs,
            },
            "history stop deadline reached: finished flows dropped",
          );
        }
      }
      writer?.stop();
      store?.stop();
      writer = null;
      store = null;
    },
    get store() {
      return opened(store);
    },
    get writer() {
      return opened(writer);
    },
    openStore: () => store,
  };
}
