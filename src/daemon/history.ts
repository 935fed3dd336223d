/**
 * The history component: the SQLite store (windows, rollups, flows, alerts, sessions) and the
 * tick writer that feeds it in chunks. It opens after the privilege drop, so its files belong
 * to the service user; its stop writes what is still queued before the database closes.
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
  cfg: { path: string; retentionDays: number },
  log: Logger,
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
      writer?.flush();
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
