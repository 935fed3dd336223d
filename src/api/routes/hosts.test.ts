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
import { registerHostRoutes } from "./hosts.js";

describe("GET /api/hosts and GET /api/hosts/{ip}", () => {
  let replayed: ReplayedCapture;
  let file: string;
  let app: ApiApp;
  let noDb: ApiApp;

  before(async () => {
    replayed = await replayCapture();
    file = replayed.file;
    const { capture, store } = replayed;
    const auth = await testAuth(store.db);
    // Each app has its own per-tick cache, so neither is served the other's answers.
    const deps = () => ({
      queryHosts: capture.queryHosts.bind(capture),
      hostDetail: capture.hostDetail.bind(capture),
      perTick: tickBodyCache(() => capture.latest()),
    });
    app = await routeApp(auth, (a) => registerHostRoutes(a, { ...deps(), history: store }));
    noDb = await routeApp(auth, (a) => registerHostRoutes(a, { ...deps(), history: null }));
  });

  after(async () => {
    await app.close();
    await noDb.close();
    await replayed.stop();
  });

  test("GET /api/hosts lists hosts with the capture's counters, filtered, sorted and paged", async () => {
    const replay = (await runReplay(file, { json: true, top: 20, progress: false })).report;
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    type HostsBody = {
      source: string;
      total: number;
      hosts: { ip: string; bytes_sent: number; packets_sent: number; bytes: number }[];
    };
    const top = (
      await app.inject({ url: "/api/hosts?sort=bytes_sent&limit=3", headers: auth })
    ).json() as HostsBody;
    assert.equal(top.source, "active");
    assert.deepEqual(
      top.hosts.map((h) => [h.ip, h.bytes_sent, h.packets_sent]),
      replay.top_sources.slice(0, 3).map((t) => [t.ip, t.bytes, t.packets]),
    );
    const all = (
      await app.inject({ url: "/api/hosts?limit=1000", headers: auth })
    ).json() as HostsBody;
    assert.equal(all.hosts.length, all.total);
    // Every byte has a sender and a receiver.
    assert.equal(
      all.hosts.reduce((n, h) => n + h.bytes, 0),
      2 * (replay.bytes - (replay.protocols.ARP?.bytes ?? 0)),
    );
    const first = all.hosts[0];
    assert.ok(first);
    const one = (
      await app.inject({ url: `/api/hosts?ip=${first.ip}/32`, headers: auth })
    ).json() as HostsBody;
    assert.deepEqual(one.hosts, [first]);
    const bad = await app.inject({ url: "/api/hosts?sort=name", headers: auth });
    assert.equal(bad.statusCode, 400);
    assert.equal((await app.inject({ url: "/api/hosts" })).statusCode, 401);
  });

  test("GET /api/hosts/{ip} gives a host's counters, peers, ports, flows and history", async () => {
    const replay = (await runReplay(file, { json: true, top: 20, progress: false })).report;
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const talker = replay.top_sources[0];
    assert.ok(talker);
    const r = await app.inject({ url: `/api/hosts/${talker.ip}`, headers: auth });
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json() as {
      ip: string;
      live: { bytes_sent: number; packets_sent: number };
      peers: { ip: string; flows: number }[];
      ports: { port: number; service: string }[];
      flows: { src_ip: string; dst_ip: string }[];
      flow_count: number;
      history: { points: { bytes_sent: number }[] };
    };
    assert.equal(d.ip, talker.ip);
    assert.equal(d.live.bytes_sent, talker.bytes);
    assert.equal(d.live.packets_sent, talker.packets);
    assert.ok(d.flow_count > 0);
    // A small capture: no list is cut, so the peers account for every flow.
    assert.ok(d.peers.length < 50);
    assert.equal(
      d.peers.reduce((n, p) => n + p.flows, 0),
      d.flow_count,
    );
    for (const f of d.flows) assert.ok(f.src_ip === talker.ip || f.dst_ip === talker.ip);
    assert.ok(Array.isArray(d.history.points));
    const unknown = await app.inject({ url: "/api/hosts/10.99.99.99", headers: auth });
    assert.deepEqual(unknown.statusCode, 404);
    assert.match((unknown.json() as { error: string }).error, /10\.99\.99\.99/);
    const invalid = await app.inject({ url: "/api/hosts/nonsense", headers: auth });
    assert.deepEqual(
      [invalid.statusCode, invalid.json()],
      [400, { error: "not an IPv4 or IPv6 address" }],
    );
    const badLimit = await app.inject({ url: `/api/hosts/${talker.ip}?limit=0`, headers: auth });
    assert.equal(badLimit.statusCode, 400);
  });

  test("without a database a host is still described, with its history null", async () => {
    const replay = (await runReplay(file, { json: true, top: 20, progress: false })).report;
    const talker = replay.top_sources[0];
    assert.ok(talker);
    const r = await noDb.inject({
      url: `/api/hosts/${talker.ip}`,
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json() as { ip: string; history: unknown };
    assert.equal(d.ip, talker.ip);
    assert.equal(d.history, null);
  });
});
