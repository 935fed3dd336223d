/**
 * The alert engine: the rules of `alerts.*` applied to every snapshot on the main thread,
 * their findings deduplicated, stored and sent to webhooks.
 *
 * Where the work happens: the capture worker only copies each new flow into typed-array
 * columns (src/alerts/new-flow-log.ts, no allocation per packet) and ships them with the
 * snapshot; everything else is here, once per tick. The rules therefore follow the config
 * live (reload replaces it, no message to the worker), and the packet path knows nothing of
 * thresholds.
 *
 * Deduplication: an alert is identified by rule, kind and subject. While it is active, a new
 * occurrence updates it (count, last_ts, value, message) instead of adding a row; once it
 * has been quiet for `alerts.resolve_after` seconds (packet time) it is closed, and the next
 * occurrence raises a new alert (a new row, and the webhook again). At most
 * `alerts.max_active` alerts are active at once: beyond it the least recently seen one is
 * closed early (counted in `evicted`).
 *
 * Storage: each tick's raised and updated alerts are written in one transaction of their
 * own, which sets the ids of new ones. Alerts that could not be written (no database yet,
 * a full disk) stay pending and are written with the next tick (bounded by max_active).
 */
import type { Snapshot } from "../engine/snapshot.js";
import { messageOf } from "../util/errors.js";
import { type Logger, silentLogger } from "../util/log.js";
import {
  activeFlowsRule,
  bandwidthRule,
  DropRateRule,
  ScanDetector,
  snapshotTime,
  watchedPortsRule,
  watchedPortTable,
} from "./rules.js";
import type { Alert, AlertsConfig, Observation } from "./types.js";
import { createWebhookSender, type WebhookMetrics, type WebhookSender } from "./webhooks.js";

/** What the engine needs of the store. */
export interface AlertWriter {
  /** Inserts alerts whose id is null (setting it) and updates the others, in one
   * transaction; throws and keeps nothing on failure. */
  writeAlerts(alerts: readonly StoredAlert[]): void;
}

/** An alert and its deduplication key, as the store writes it. */
export interface StoredAlert {
  alert: Alert;
  dedupKey: string;
}

export interface AlertEngineDeps {
  log?: Logger;
  /** The store, once open (null before and when there is none). */
  store?: () => AlertWriter | null;
  /** Replaces the webhook sender (tests). */
  webhooks?: WebhookSender;
}

export interface AlertMetrics {
  raised: number;
  updated: number;
  active: number;
  /** Active alerts closed early to stay within max_active. */
  evicted: number;
  /** Alerts waiting to be written. */
  pending: number;
  write_errors: number;
  /** New flows the worker did not record (more than it keeps per tick). */
  new_flows_skipped: number;
  scan_sources: number;
  scan_sources_evicted: number;
  webhooks: WebhookMetrics;
}

export interface AlertEngine {
  /** Applies the rules to one snapshot; returns copies of the alerts raised or updated by it. */
  tick(s: Snapshot): Alert[];
  /** Applies a new `alerts` config (reload); active alerts are kept. */
  configure(config: AlertsConfig): void;
  metrics(): AlertMetrics;
  /** Stops the webhooks (what is queued is dropped). */
  stop(): Promise<void>;
}

interface Entry {
  key: string;
  alert: Alert;
}

export function createAlertEngine(initial: AlertsConfig, deps: AlertEngineDeps = {}): AlertEngine {
  const log = deps.log ?? silentLogger;
  let config = initial;
  let watched = watchedPortTable(config.watched_ports.ports);
  const dropRate = new DropRateRule();
  const scans = new ScanDetector();
  const webhooks =
    deps.webhooks ??
    createWebhookSender(
      { timeoutMs: config.webhook_timeout_ms, queueSize: config.webhook_queue },
      { log },
    );
  /** Active alerts by key, least recently seen first. */
  const active = new Map<string, Entry>();
  /** Alerts raised or updated and not yet written. */
  const pending = new Map<Alert, Entry>();
  const m = { raised: 0, updated: 0, evicted: 0, write_errors: 0, new_flows_skipped: 0 };

  function observations(s: Snapshot): Observation[] {
    const c = config;
    const now = snapshotTime(s);
    const out: Observation[] = [];
    if (c.bandwidth.enabled) out.push(...bandwidthRule(s.seconds, c.bandwidth));
    if (c.drop_rate.enabled) out.push(...dropRate.observe(s.capture, now, c.drop_rate));
    if (c.active_flows.enabled) {
      out.push(...activeFlowsRule(s.active_flow_count, now, c.active_flows));
    }
    const batch = s.new_flows;
    if (batch !== undefined) {
      m.new_flows_skipped += batch.skipped;
      if (c.watched_ports.enabled) out.push(...watchedPortsRule(batch, watched));
      if (c.scan.enabled) out.push(...scans.observe(batch, c.scan));
    }
    return out;
  }

  /** Folds one observation into the active alerts; returns the entry and whether it is new. */
  function apply(o: Observation): { entry: Entry; raised: boolean } {
    const key = `${o.rule}|${o.kind}|${o.subject}`;
    const severity = config[o.rule].severity;
    const prev = active.get(key);
    if (prev !== undefined && o.ts - prev.alert.last_ts <= config.resolve_after) {
      const a = prev.alert;
      a.count++;
      if (o.ts >= a.last_ts) {
        a.last_ts = o.ts;
        a.value = o.value;
        a.threshold = o.threshold;
        a.message = o.message;
      }
      a.severity = severity;
      // Re-inserted: the map stays ordered by last occurrence.
      active.delete(key);
      active.set(key, prev);
      return { entry: prev, raised: false };
    }
    if (prev !== undefined) active.delete(key);
    else if (active.size >= config.max_active) {
      const oldest = active.keys().next();
      if (oldest.done !== true) {
        active.delete(oldest.value);
        m.evicted++;
      }
    }
    const entry: Entry = {
      key,
      alert: {
        id: null,
        rule: o.rule,
        kind: o.kind,
        severity,
        message: o.message,
        subject: o.subject,
        value: o.value,
        threshold: o.threshold,
        first_ts: o.ts,
        last_ts: o.ts,
        count: 1,
      },
    };
    active.set(key, entry);
    return { entry, raised: true };
  }

  function write(): void {
    const store = deps.store?.() ?? null;
    if (store === null || pending.size === 0) return;
    const rows = [...pending.values()].map((e) => ({ alert: e.alert, dedupKey: e.key }));
    try {
      store.writeAlerts(rows);
      pending.clear();
    } catch (err: unknown) {
      m.write_errors++;
      log.error(
        {
          error: messageOf(err),
          pending: pending.size,
        },
        "alert write failed",
      );
      // Bounded: the oldest pending alerts give way.
      for (const a of pending.keys()) {
        if (pending.size <= config.max_active) break;
        pending.delete(a);
      }
    }
  }

  return {
    tick(s) {
      if (!config.enabled) {
        write();
        return [];
      }
      const changed = new Set<Entry>();
      const raised: Entry[] = [];
      for (const o of observations(s)) {
        const r = apply(o);
        if (r.raised) {
          m.raised++;
          raised.push(r.entry);
        } else {
          m.updated++;
        }
        changed.add(r.entry);
        pending.set(r.entry.alert, r.entry);
      }
      // Closed alerts: quiet for resolve_after, oldest first.
      const now = snapshotTime(s);
      for (const [key, e] of active) {
        if (now - e.alert.last_ts <= config.resolve_after) break;
        active.delete(key);
      }
      write();
      for (const e of raised) {
        const url = config[e.alert.rule].webhook;
        if (url !== "") webhooks.send(url, { ...e.alert });
        log.info(
          {
            rule: e.alert.rule,
            kind: e.alert.kind,
            severity: e.alert.severity,
            subject: e.alert.subject,
            value: e.alert.value,
          },
          "alert raised",
        );
      }
      return [...changed.values()].map((e) => ({ ...e.alert }));
    },
    configure(next) {
      if (
        next.scan.window_seconds !== config.scan.window_seconds ||
        (!next.scan.enabled && config.scan.enabled)
      ) {
        scans.clear();
      }
      config = next;
      watched = watchedPortTable(next.watched_ports.ports);
      webhooks.configure({ timeoutMs: next.webhook_timeout_ms, queueSize: next.webhook_queue });
    },
    metrics() {
      const sm = scans.metrics();
      return {
        ...m,
        active: active.size,
        pending: pending.size,
        scan_sources: sm.sources,
        scan_sources_evicted: sm.sources_evicted,
        webhooks: webhooks.metrics(),
      };
    },
    stop: () => webhooks.stop(),
  };
}
