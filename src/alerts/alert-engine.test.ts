import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch } from "../../test/support/new-flow-batches.js";
import { defaultConfig } from "../config/config.js";
import type { NewFlowBatch } from "../engine/new-flow-log.js";
import type { Snapshot } from "../engine/snapshot.js";
import { type AlertWriter, createAlertEngine, type StoredAlert } from "./alert-engine.js";
import type { Alert, AlertsConfig } from "./types.js";
import type { WebhookSender } from "./webhooks.js";

function config(over: (c: AlertsConfig) => void = () => {}): AlertsConfig {
  const c = structuredClone(defaultConfig().alerts);
  c.bandwidth.threshold = 1000;
  over(c);
  return c;
}

let seq = 0;
/** A snapshot at packet time `t` with the given closed seconds and new flows. */
function snap(
  t: number,
  opts: { seconds?: [number, number][]; flows?: NewFlowBatch; active?: number } = {},
): Snapshot {
  const secs = opts.seconds ?? [];
  const s: Snapshot = {
    seq: ++seq,
    time_ms: 1_700_000_000_000,
    packet_time: t,
    window_start: null,
    packets: 0,
    bytes: 0,
    protocols: {},
    packet_sizes: {},
    seconds: {
      ts: secs.map((x) => x[0]),
      packets: secs.map(() => 1),
      bytes: secs.map((x) => x[1]),
    },
    bytes_per_second: 0,
    packets_per_second: 0,
    active_flow_count: opts.active ?? 0,
    flows_created: 0,
    flows_expired: 0,
    flows_evicted: 0,
    top_flows: [],
    top_sources: [],
    top_destinations: [],
    ports: [],
    decode_errors: {},
    capture: {
      running: true,
      source: "file",
      interfaces: ["x.pcap"],
      received: 0,
      dropped: 0,
      if_dropped: 0,
      buffer_usage_percent: null,
      error: null,
    },
    windows: [],
    ended_flows: [],
    ended_flows_dropped: 0,
  };
  if (opts.flows !== undefined) s.new_flows = opts.flows;
  return s;
}

/** A store that keeps rows by id, like SQLite would. */
class MemoryStore implements AlertWriter {
  rows = new Map<number, Alert>();
  keys = new Map<number, string>();
  writes = 0;
  fail = false;
  writeAlerts(alerts: readonly StoredAlert[]): void {
    if (this.fail) throw new Error("disk full");
    this.writes++;
    for (const { alert, dedupKey } of alerts) {
      if (alert.id === null) alert.id = this.rows.size + 1;
      this.rows.set(alert.id, { ...alert });
      this.keys.set(alert.id, dedupKey);
    }
  }
}

class FakeWebhooks implements WebhookSender {
  sent: { url: string; alert: Alert }[] = [];
  send(url: string, alert: Alert): void {
    this.sent.push({ url, alert });
  }
  configure(): void {}
  metrics() {
    return { sent: this.sent.length, failed: 0, dropped: 0, queued: 0 };
  }
  async idle(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe("alert engine: deduplication", () => {
  test("an active alert is updated (count, last_ts, value) instead of raised again", () => {
    const store = new MemoryStore();
    const e = createAlertEngine(config(), { store: () => store, webhooks: new FakeWebhooks() });
    const first = e.tick(snap(100, { seconds: [[99, 5000]] }));
    assert.deepEqual(first, [
      {
        id: 1,
        rule: "bandwidth",
        kind: "bandwidth",
        severity: "warning",
        message: "traffic at 40.0 kb/s, above 8.00 kb/s",
        subject: "total traffic",
        value: 5000,
        threshold: 1000,
        first_ts: 99,
        last_ts: 99,
        count: 1,
      },
    ]);
    assert.deepEqual(e.tick(snap(101, { seconds: [[100, 800]] })), [], "below: nothing");
    const later = e.tick(
      snap(103, {
        seconds: [
          [101, 2000],
          [102, 3000],
        ],
      }),
    );
    assert.equal(later.length, 1);
    assert.deepEqual(
      {
        id: later[0]?.id,
        count: later[0]?.count,
        first: later[0]?.first_ts,
        last: later[0]?.last_ts,
      },
      { id: 1, count: 3, first: 99, last: 102 },
    );
    assert.equal(later[0]?.value, 3000);
    assert.equal(store.rows.size, 1, "one row");
    assert.equal(store.rows.get(1)?.count, 3);
    assert.equal(store.keys.get(1), "bandwidth|bandwidth|total traffic");
    assert.deepEqual(
      { raised: e.metrics().raised, updated: e.metrics().updated, active: e.metrics().active },
      { raised: 1, updated: 2, active: 1 },
    );
  });

  test("after resolve_after seconds of quiet the next occurrence is a new alert", () => {
    const store = new MemoryStore();
    const hooks = new FakeWebhooks();
    const e = createAlertEngine(
      config((c) => {
        c.resolve_after = 60;
        c.bandwidth.webhook = "http://127.0.0.1:9/hook";
      }),
      { store: () => store, webhooks: hooks },
    );
    e.tick(snap(100, { seconds: [[100, 5000]] }));
    // 60 s later is still the same alert (quiet for exactly resolve_after).
    assert.equal(e.tick(snap(160, { seconds: [[160, 5000]] }))[0]?.id, 1);
    assert.equal(e.metrics().active, 1);
    // Quiet from 160 to 221: closed at the tick of 221, then a new alert at 222.
    e.tick(snap(221));
    assert.equal(e.metrics().active, 0);
    const again = e.tick(snap(222, { seconds: [[222, 7000]] }));
    assert.deepEqual(
      again.map((a) => [a.id, a.count, a.first_ts]),
      [[2, 1, 222]],
    );
    assert.deepEqual(
      hooks.sent.map((h) => [h.url, h.alert.id, h.alert.first_ts]),
      [
        ["http://127.0.0.1:9/hook", 1, 100],
        ["http://127.0.0.1:9/hook", 2, 222],
      ],
      "webhooks on raise only, with the stored id",
    );
  });

  test("severity comes from the rule's config, and a reload applies thresholds live", () => {
    const store = new MemoryStore();
    const e = createAlertEngine(
      config((c) => {
        c.active_flows.threshold = 10;
        c.active_flows.severity = "critical";
      }),
      { store: () => store, webhooks: new FakeWebhooks() },
    );
    assert.deepEqual(
      e.tick(snap(100, { active: 11 })).map((a) => [a.rule, a.severity, a.value, a.threshold]),
      [["active_flows", "critical", 11, 10]],
    );
    e.configure(
      config((c) => {
        c.active_flows.threshold = 20;
        c.active_flows.severity = "info";
      }),
    );
    assert.deepEqual(e.tick(snap(101, { active: 11 })), [], "11 is not above the new 20");
    assert.deepEqual(
      e.tick(snap(102, { active: 25 })).map((a) => [a.id, a.severity, a.threshold, a.count]),
      [[1, "info", 20, 2]],
    );
    e.configure(config((c) => (c.active_flows.enabled = false)));
    assert.deepEqual(e.tick(snap(103, { active: 25 })), []);
  });

  test("watched ports and scans from new flows, each subject its own alert", () => {
    const store = new MemoryStore();
    const e = createAlertEngine(
      config((c) => {
        c.scan.port_threshold = 3;
      }),
      { store: () => store, webhooks: new FakeWebhooks() },
    );
    const flows = batch([
      { src: "10.9.0.66", dst: "10.9.0.10", port: 22, ts: 100 },
      { src: "10.9.0.66", dst: "10.9.0.10", port: 23, ts: 100.1 },
      { src: "10.9.0.66", dst: "10.9.0.10", port: 25, ts: 100.2 },
      { src: "10.9.0.67", dst: "10.9.0.10", port: 445, ts: 100.3 },
    ]);
    const got = e.tick(snap(101, { flows }));
    assert.deepEqual(
      got.map((a) => [a.id, a.kind, a.severity, a.subject, a.value, a.count]),
      [
        [1, "watched_port", "warning", "10.9.0.66 -> 10.9.0.10:23/tcp", 1, 1],
        [2, "watched_port", "warning", "10.9.0.67 -> 10.9.0.10:445/tcp", 1, 1],
        [3, "port_scan", "critical", "10.9.0.66", 3, 1],
      ],
    );
  });

  test("max_active bounds the open alerts: the least recently seen closes first", () => {
    const store = new MemoryStore();
    const e = createAlertEngine(
      config((c) => {
        c.max_active = 2;
      }),
      { store: () => store, webhooks: new FakeWebhooks() },
    );
    const row = (dst: string, ts: number) => ({ src: "10.0.0.1", dst, port: 23, ts });
    e.tick(snap(100, { flows: batch([row("10.0.0.2", 100), row("10.0.0.3", 100)]) }));
    e.tick(snap(101, { flows: batch([row("10.0.0.4", 101)]) }));
    assert.equal(e.metrics().active, 2);
    assert.equal(e.metrics().evicted, 1);
    // 10.0.0.2 was closed: it comes back as a new alert.
    const back = e.tick(snap(102, { flows: batch([row("10.0.0.2", 102)]) }));
    assert.deepEqual(
      back.map((a) => [a.id, a.subject]),
      [[4, "10.0.0.1 -> 10.0.0.2:23/tcp"]],
    );
  });
});

describe("alert engine: storage", () => {
  test("alerts raised before the store exists, or while writes fail, are written later", () => {
    let store: MemoryStore | null = null;
    const e = createAlertEngine(config(), { store: () => store, webhooks: new FakeWebhooks() });
    const early = e.tick(snap(100, { seconds: [[100, 5000]] }));
    assert.equal(early[0]?.id, null, "no database yet");
    assert.equal(e.metrics().pending, 1);
    store = new MemoryStore();
    store.fail = true;
    e.tick(snap(101, { seconds: [[101, 6000]] }));
    assert.equal(e.metrics().write_errors, 1);
    assert.equal(e.metrics().pending, 1);
    store.fail = false;
    e.tick(snap(102));
    assert.equal(e.metrics().pending, 0);
    assert.deepEqual(
      [...store.rows.values()].map((a) => [a.id, a.count, a.first_ts, a.last_ts, a.value]),
      [[1, 2, 100, 101, 6000]],
    );
  });

  test("alerts.enabled: false evaluates nothing", () => {
    const store = new MemoryStore();
    const e = createAlertEngine(
      config((c) => (c.enabled = false)),
      { store: () => store, webhooks: new FakeWebhooks() },
    );
    assert.deepEqual(e.tick(snap(100, { seconds: [[100, 5000]], active: 1e9 })), []);
    assert.equal(store.writes, 0);
  });
});
