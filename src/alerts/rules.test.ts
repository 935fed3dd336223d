import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch, sweep } from "../../test/support/new-flow-batches.js";
import { defaultConfig } from "../config/config.js";
import {
  activeFlowsRule,
  bandwidthRule,
  DropRateRule,
  ScanDetector,
  watchedPortsRule,
  watchedPortTable,
} from "./rules.js";
import type { AlertsConfig } from "./types.js";

const A: AlertsConfig = defaultConfig().alerts;

describe("bandwidth rule", () => {
  const cfg = { ...A.bandwidth, threshold: 1000 };

  test("each closed second above the threshold is one observation; at the threshold is none", () => {
    const obs = bandwidthRule({ ts: [100, 101, 102, 103], bytes: [999, 1000, 1001, 250_000] }, cfg);
    assert.deepEqual(
      obs.map((o) => [o.ts, o.value, o.threshold, o.subject, o.kind]),
      [
        [102, 1001, 1000, "total traffic", "bandwidth"],
        [103, 250_000, 1000, "total traffic", "bandwidth"],
      ],
    );
    assert.equal(obs[1]?.message, "traffic at 2.00 Mb/s, above 8.00 kb/s");
  });

  test("no closed seconds (a finished replay) raise nothing", () => {
    assert.deepEqual(bandwidthRule({ ts: [], bytes: [] }, cfg), []);
  });
});

describe("active flows rule", () => {
  test("fires only above the threshold", () => {
    const cfg = { ...A.active_flows, threshold: 50 };
    assert.deepEqual(activeFlowsRule(50, 10, cfg), []);
    const [o] = activeFlowsRule(51, 10, cfg);
    assert.equal(o?.value, 51);
    assert.equal(o?.threshold, 50);
    assert.equal(o?.message, "51 active flows, above 50");
  });
});

describe("drop rate rule", () => {
  const cfg = { ...A.drop_rate, threshold: 5, min_packets: 1000 };
  const cap = (received: number, dropped: number, ifDropped = 0) => ({
    received,
    dropped,
    if_dropped: ifDropped,
    interfaces: ["eth0"],
  });

  test("waits for min_packets, then compares the share dropped with the threshold", () => {
    const r = new DropRateRule();
    assert.deepEqual(r.observe(cap(500, 20), 1, cfg), [], "520 packets: not enough yet");
    // 950 received + 50 dropped since the start: 5.00 % is not above 5.
    assert.deepEqual(r.observe(cap(950, 50), 2, cfg), []);
    // The next 1000: 900 received, 60 + 40 lost (kernel and interface) = 10 %.
    const [o] = r.observe(cap(1850, 110, 40), 3, cfg);
    assert.equal(o?.value, 10);
    assert.equal(o?.subject, "eth0");
    assert.equal(o?.message, "capture on eth0 dropped 10% of 1000 packets, above 5%");
  });

  test("counters that go backwards (capture restarted) count from zero", () => {
    const r = new DropRateRule();
    assert.deepEqual(r.observe(cap(5000, 0), 1, cfg), []);
    const [o] = r.observe(cap(900, 100), 2, cfg);
    assert.equal(o?.value, 10, "900 + 100 after the restart, not a negative delta");
  });
});

describe("watched ports rule", () => {
  const watched = watchedPortTable(A.watched_ports.ports);

  test("each new flow to a watched responder port is one observation", () => {
    const b = batch([
      { src: "10.0.0.5", dst: "10.0.0.9", port: 23, ts: 100 },
      { src: "10.0.0.5", dst: "10.0.0.9", port: 23, ts: 101 },
      { src: "10.0.0.5", dst: "10.0.0.9", port: 80, ts: 101 },
      { src: "10.0.0.6", dst: "10.0.0.9", port: 3389, proto: 17, ts: 102 },
      // ICMP "ports" are ids and codes, never watched ports.
      { src: "10.0.0.7", dst: "10.0.0.9", port: 445, proto: 1, ts: 103 },
    ]);
    const obs = watchedPortsRule(b, watched);
    assert.deepEqual(
      obs.map((o) => [o.subject, o.value, o.threshold, o.ts, o.kind]),
      [
        ["10.0.0.5 -> 10.0.0.9:23/tcp", 1, 0, 100, "watched_port"],
        ["10.0.0.5 -> 10.0.0.9:23/tcp", 1, 0, 101, "watched_port"],
        ["10.0.0.6 -> 10.0.0.9:3389/udp", 1, 0, 102, "watched_port"],
      ],
    );
    assert.equal(obs[0]?.message, "10.0.0.5 opened a connection to watched port 23 on 10.0.0.9");
  });

  test("the original's ports are the default list", () => {
    assert.deepEqual(A.watched_ports.ports, [23, 445, 3389, 4444, 5900, 6666, 31337]);
    assert.deepEqual(
      [...watched.keys()].filter((p) => watched[p] === 1),
      A.watched_ports.ports,
    );
  });
});

describe("scan detection", () => {
  const cfg = { ...A.scan, window_seconds: 10, port_threshold: 20, host_threshold: 15 };

  test("a source reaching port_threshold distinct ports within the window is a port scan", () => {
    const d = new ScanDetector();
    assert.deepEqual(d.observe(batch(sweep("10.9.0.66", { ports: 19, ts: 100 })), cfg), []);
    // The same ports again are not new ports.
    assert.deepEqual(d.observe(batch(sweep("10.9.0.66", { ports: 19, ts: 101 })), cfg), []);
    const obs = d.observe(batch(sweep("10.9.0.66", { ports: 1, firstPort: 20, ts: 102 })), cfg);
    assert.deepEqual(
      obs.map((o) => [o.kind, o.subject, o.value, o.threshold, o.ts]),
      [["port_scan", "10.9.0.66", 20, 20, 102]],
    );
    assert.equal(obs[0]?.message, "10.9.0.66 contacted 20 or more distinct ports within 10 s");
  });

  test("ports older than the window no longer count (sliding window)", () => {
    const d = new ScanDetector();
    d.observe(batch(sweep("10.9.0.66", { ports: 10, ts: 100 })), cfg);
    // At 111 the first ten (t = 100.000 .. 100.009) are more than 10 s old.
    assert.deepEqual(
      d.observe(batch(sweep("10.9.0.66", { ports: 10, firstPort: 100, ts: 111 })), cfg),
      [],
    );
    // Within the window: 10 + 10 = 20.
    const obs = d.observe(batch(sweep("10.9.0.66", { ports: 10, firstPort: 200, ts: 115 })), cfg);
    assert.deepEqual(
      obs.map((o) => [o.kind, o.value]),
      [["port_scan", 20]],
    );
  });

  test("a source reaching host_threshold distinct hosts is a host scan (any protocol)", () => {
    const d = new ScanDetector();
    const rows = sweep("10.9.0.77", { hosts: 15, ts: 200 }).map((r) => ({ ...r, proto: 1 }));
    const obs = d.observe(batch(rows), cfg);
    assert.deepEqual(
      obs.map((o) => [o.kind, o.subject, o.value, o.threshold]),
      [["host_scan", "10.9.0.77", 15, 15]],
    );
  });

  test("counts stop at the threshold, and sources beyond max_sources evict the oldest", () => {
    const d = new ScanDetector();
    const small = { ...cfg, max_sources: 3 };
    const obs = d.observe(batch(sweep("10.9.0.66", { ports: 500, ts: 100 })), small);
    assert.deepEqual(
      obs.map((o) => [o.kind, o.value]),
      [["port_scan", 20]],
      "500 ports seen, 20 kept",
    );
    d.observe(
      batch([
        { src: "10.0.1.1", dst: "10.0.0.1", port: 80, ts: 101 },
        { src: "10.0.1.2", dst: "10.0.0.1", port: 80, ts: 101 },
        { src: "10.0.1.3", dst: "10.0.0.1", port: 80, ts: 101 },
      ]),
      small,
    );
    assert.deepEqual(d.metrics(), { sources: 3, sources_evicted: 1 });
  });

  test("normal clients (few ports, few hosts) raise nothing", () => {
    const d = new ScanDetector();
    const rows = sweep("192.168.1.10", { hosts: 14, ports: 2, firstPort: 443, ts: 100 });
    assert.deepEqual(d.observe(batch(rows), cfg), []);
  });
});
