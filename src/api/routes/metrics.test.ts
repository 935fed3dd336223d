import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  API_TOKEN,
  type ReplayedCapture,
  replayCapture,
  routeApp,
  testAuth,
} from "../../../test/support/api.js";
import { runReplay } from "../../cli/replay-command.js";
import type { ApiApp } from "../api-app.js";
import { tickBodyCache } from "../tick-body.js";
import { registerMetricsRoutes } from "./metrics.js";

describe("GET /metrics and the snapshot routes", () => {
  let replayed: ReplayedCapture;
  let file: string;
  let app: ApiApp;
  let noSnapshot: ApiApp;

  before(async () => {
    replayed = await replayCapture();
    file = replayed.file;
    const { capture, store } = replayed;
    const auth = await testAuth(store.db);
    const latest = () => capture.latest();
    app = await routeApp(auth, (a) =>
      registerMetricsRoutes(a, {
        latest,
        startedAt: Date.now() - 5000,
        perTick: tickBodyCache(latest),
      }),
    );
    noSnapshot = await routeApp(auth, (a) =>
      registerMetricsRoutes(a, {
        latest: () => null,
        startedAt: Date.now(),
        perTick: tickBodyCache(() => null),
      }),
    );
  });

  after(async () => {
    await app.close();
    await noSnapshot.close();
    await replayed.stop();
  });

  test("GET /metrics has the contract's fields with the capture's values, flows bounded", async () => {
    const replay = (await runReplay(file, { json: true, top: 20, progress: false })).report;
    const r = await app.inject({
      url: "/metrics",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const m = r.json() as Record<string, unknown> & {
      active_flows: { protocol: string; bytes: number; src_ip: string }[];
      protocol_breakdown: Record<string, number>;
    };
    assert.equal(m.total_bytes, replay.bytes);
    assert.equal(m.total_packets, replay.packets);
    assert.equal(m.protocol_breakdown.TCP, replay.protocols.TCP.bytes);
    assert.equal(m.active_flow_count, replay.flow_count);
    assert.ok(m.active_flows.length <= 20);
    assert.deepEqual(
      m.active_flows.map((f) => f.bytes),
      replay.top_flows.map((f) => f.bytes + f.bytes_rev),
    );
    assert.ok(typeof m.timestamp === "number" && typeof m.window_start === "number");
    for (const f of m.active_flows)
      assert.ok(["TCP", "UDP", "ICMP", "ICMPv6"].includes(f.protocol));
  });

  test("top talkers, port stats, packet sizes and system health match the capture", async () => {
    const replay = (await runReplay(file, { json: true, top: 20, progress: false })).report;
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const talkers = (await app.inject({ url: "/api/top-talkers", headers: auth })).json() as {
      top_sources: { ip: string; bytes: number }[];
    };
    assert.deepEqual(
      talkers.top_sources.map((t) => [t.ip, t.bytes]),
      replay.top_sources.slice(0, 10).map((t) => [t.ip, t.bytes]),
    );
    const ports = (await app.inject({ url: "/api/port-stats", headers: auth })).json() as {
      port: number;
      bytes: number;
      connections: number;
      service: string;
    }[];
    assert.ok(ports.length <= 20);
    assert.deepEqual(ports[0], {
      port: replay.ports[0].port,
      bytes: replay.ports[0].bytes,
      connections: replay.ports[0].connections,
      service: replay.ports[0].service,
      packets: replay.ports[0].packets,
    });
    const sizes = (await app.inject({ url: "/api/packet-sizes", headers: auth })).json() as Record<
      string,
      number
    >;
    assert.deepEqual(sizes, replay.packet_sizes);
    const health = (
      await app.inject({ url: "/api/system-health", headers: auth })
    ).json() as Record<string, unknown>;
    assert.equal(health.packets_received, replay.packets);
    assert.equal(health.packets_dropped, 0);
    assert.equal(health.drop_rate, 0);
    assert.equal(health.capture_running, false, "the file has ended");
    assert.equal(health.interface, file);
    assert.ok((health.uptime_seconds as number) >= 5);
    assert.equal(health.buffer_usage_percent, 0);
  });

  test("small answers such as the packet sizes are never gzipped, even when the client accepts it", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const small = await app.inject({
      url: "/api/packet-sizes",
      headers: { ...auth, "accept-encoding": "gzip" },
    });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(typeof (small.json() as { tiny: number }).tiny, "number");
  });

  test("every snapshot route answers 503 before the first snapshot, and 401 without credentials", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    for (const url of [
      "/metrics",
      "/api/top-talkers",
      "/api/port-stats",
      "/api/packet-sizes",
      "/api/system-health",
    ]) {
      const early = await noSnapshot.inject({ url, headers: auth });
      assert.deepEqual(
        [early.statusCode, early.json()],
        [503, { error: "no statistics yet: the capture worker is starting" }],
        url,
      );
      const anonymous = await app.inject({ url });
      assert.deepEqual([anonymous.statusCode, anonymous.json()], [401, { error: "unauthorized" }]);
    }
  });
});
