import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { fixturePath, REPO_ROOT } from "../../test/support/paths.js";
import { createLoginGuard, createSessionManager, hashPassword, type Users } from "../auth/index.js";
import { runReplay } from "../cli/replay-command.js";
import { createLogger } from "../daemon/logger.js";
import { DEFAULT_STATS_CONFIG } from "../stats/aggregator.js";
import { createStore, type Store } from "../store/store.js";
import { toWindowRecord } from "../store/window-record.js";
import { type CaptureService, createCaptureService } from "../worker/capture-service.js";
import { buildApiServer } from "./server.js";
import { StreamHub } from "./stream.js";

const PASSWORD = "correct horse battery staple";
const API_TOKEN = "T".repeat(40);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type App = Awaited<ReturnType<typeof buildApiServer>>;

describe("HTTP API", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-api-"));
  const logFile = join(dir, "api.log");
  let capture: CaptureService;
  let store: Store;
  let app: App;
  let stream: StreamHub;
  let reloadFails = false;
  const file = fixturePath("mixed.pcap");

  before(async () => {
    store = createStore({ path: join(dir, "netnet.db"), retentionDays: 7 });
    store.start();
    stream = new StreamHub({
      replay: 10,
      maxClients: 5,
      maxBufferedBytes: 1 << 20,
      heartbeatMs: 60_000,
    });
    let ended!: () => void;
    const done = new Promise<void>((r) => {
      ended = r;
    });
    capture = createCaptureService(
      {
        source: { kind: "file", path: file, speed: "max", loop: false, filter: "" },
        flows: { capacity: 1 << 16, idleTimeout: 300, cleanupInterval: 60 },
        stats: { ...DEFAULT_STATS_CONFIG, windowSize: 10 },
        tickMs: 50,
        autoStart: true,
      },
      {
        onSnapshot: (s) => {
          store.writeTick({
            windows: s.windows.map((w) => toWindowRecord(w)),
            flows: s.ended_flows,
          });
          stream.publish(s.seq, { seq: s.seq, bytes: s.bytes });
        },
        onCaptureEnded: () => ended(),
      },
    );
    await capture.start();
    await done;
    const users: Users = {
      hashes: new Map([["admin", await hashPassword(PASSWORD, 4)]]),
      dummyHash: await hashPassword("dummy", 4),
    };
    // The daemon's own logger, as in production.
    const logger = createLogger({ level: "debug", file: logFile, timestamps: true }, true);
    app = await buildApiServer(
      {
        latest: () => capture.latest(),
        startCapture: () => capture.startCapture(),
        stopCapture: () => capture.stopCapture(),
        queryActiveFlows: (q) => capture.queryFlows(q),
        queryHosts: (q) => capture.queryHosts(q),
        hostDetail: (ip, limit) => capture.hostDetail(ip, limit),
        reload: async () => {
          if (reloadFails) throw new Error("stats.window_size: must be positive (got -1)");
          return { configPath: "/etc/netnet.yaml", restartNeeded: ["api.port"] };
        },
        history: store,
        auth: {
          users: () => users,
          sessions: createSessionManager({ db: store.db, expirySeconds: 3600 }),
          guard: createLoginGuard(),
          apiToken: () => API_TOKEN,
        },
        stream,
        startedAt: Date.now() - 5000,
      },
      {
        corsOrigins: ["https://console.example"],
        bodyLimit: 4096,
        logger,
        controlIntervalSeconds: 0.3,
      },
    );
  });

  after(async () => {
    await app.close();
    stream.close();
    await capture.stop();
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function login(): Promise<string> {
    const r = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "admin", password: PASSWORD },
    });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { token: string }).token;
  }

  test("POST /login: a session token (UUID v4) for good credentials, errors otherwise", async () => {
    const ok = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "admin", password: PASSWORD },
    });
    assert.equal(ok.statusCode, 200);
    const body = ok.json() as { token: string; username: string; expires_in: number };
    assert.match(body.token, UUID_V4);
    assert.equal(body.username, "admin");
    assert.equal(body.expires_in, 3600);

    const wrong = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "admin", password: "nope" },
    });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), { error: "invalid credentials" });
    const nobody = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "ghost", password: "x" },
    });
    assert.deepEqual([nobody.statusCode, nobody.json()], [401, { error: "invalid credentials" }]);

    const malformed = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/json" },
      payload: '{"username": "admin", ',
    });
    assert.deepEqual([malformed.statusCode, malformed.json()], [400, { error: "malformed JSON" }]);
    const missing = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "admin" },
    });
    assert.equal(missing.statusCode, 400);
    assert.match((missing.json() as { error: string }).error, /password/);
    const huge = await app.inject({
      method: "POST",
      url: "/login",
      payload: { username: "admin", password: "x".repeat(10_000) },
    });
    assert.deepEqual([huge.statusCode, huge.json()], [413, { error: "request body too large" }]);
  });

  test("protected routes need a session, the Bearer token or ?token=", async () => {
    const none = await app.inject({ url: "/metrics" });
    assert.deepEqual([none.statusCode, none.json()], [401, { error: "unauthorized" }]);
    const badBearer = await app.inject({
      url: "/metrics",
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(badBearer.statusCode, 401);
    const token = await login();
    for (const req of [
      { url: "/metrics", headers: { "x-session-token": token } },
      { url: "/metrics", headers: { authorization: `Bearer ${API_TOKEN}` } },
      { url: `/metrics?token=${API_TOKEN}` },
    ]) {
      const r = await app.inject(req);
      assert.equal(r.statusCode, 200, req.url);
    }
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

  test("the served OpenAPI document and docs/api.md list the same routes and parameters", async () => {
    const r = await app.inject({ url: "/api/openapi.json" });
    assert.equal(r.statusCode, 200, "public: no credentials");
    const doc = r.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { summary?: string; security?: unknown[]; parameters?: { name: string }[] }>
      >;
    };
    assert.equal(doc.openapi, "3.1.0");
    const served = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const md = readFileSync(join(REPO_ROOT, "docs/api.md"), "utf8");
    const documented = [...md.matchAll(/^\| `(GET|POST) ([^ `?]+)/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    assert.deepEqual(served, documented);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.summary, `${method} ${path} has a summary`);
        const open = ["/login", "/logout", "/api/openapi.json"].includes(path);
        assert.equal(op.security === undefined, open, `${method} ${path} credentials`);
      }
    }
    // The query parameters of the paged routes, as the tables of docs/api.md give them.
    const table = (heading: string) => {
      const section = md.slice(md.indexOf(heading));
      const rows = section.slice(0, section.indexOf("\n\n", section.indexOf("| parameter")));
      return [...rows.matchAll(/^\| `([a-z_]+)`(?:, `([a-z_]+)`)?/gm)]
        .flatMap((m) => [m[1], m[2]])
        .filter((n): n is string => n !== undefined)
        .sort();
    };
    const params = (path: string) =>
      (doc.paths[path]?.get?.parameters ?? [])
        .map((p) => p.name)
        .filter((n) => n !== "token")
        .sort();
    assert.deepEqual(params("/api/flows"), table("### Flows"));
    assert.deepEqual(params("/api/hosts"), table("### Hosts"));
  });

  test("big answers are gzipped for clients that accept it, small ones never", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const plain = await app.inject({ url: "/api/flows?limit=1000", headers: auth });
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.ok(plain.body.length >= 4096, `${plain.body.length} bytes`);
    const zipped = await app.inject({
      url: "/api/flows?limit=1000",
      headers: { ...auth, "accept-encoding": "br;q=1, gzip;q=0.5" },
    });
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.equal(zipped.headers.vary, "accept-encoding");
    assert.match(String(zipped.headers["content-type"]), /^application\/json/);
    assert.equal(gunzipSync(zipped.rawPayload).toString(), plain.body);
    assert.ok(zipped.rawPayload.length < plain.body.length / 3);
    const refused = await app.inject({
      url: "/api/flows?limit=1000",
      headers: { ...auth, "accept-encoding": "gzip;q=0" },
    });
    assert.equal(refused.headers["content-encoding"], undefined);
    const small = await app.inject({
      url: "/api/packet-sizes",
      headers: { ...auth, "accept-encoding": "gzip" },
    });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(typeof (small.json() as { tiny: number }).tiny, "number");
  });

  test("GET /api/flows pages, sorts and filters active flows; from/to searches history", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const page = (
      await app.inject({ url: "/api/flows?limit=5&offset=0&sort=packets", headers: auth })
    ).json() as {
      total: number;
      flows: { packets: number }[];
      source: string;
    };
    assert.equal(page.source, "active");
    assert.equal(page.flows.length, 5);
    assert.deepEqual(
      page.flows.map((f) => f.packets),
      [...page.flows.map((f) => f.packets)].sort((a, b) => b - a),
    );
    const udp = (
      await app.inject({ url: "/api/flows?proto=udp&limit=1000", headers: auth })
    ).json() as {
      flows: { protocol: string }[];
    };
    assert.ok(udp.flows.length > 0 && udp.flows.every((f) => f.protocol === "UDP"));
    const bad = await app.inject({ url: "/api/flows?limit=abc", headers: auth });
    assert.equal(bad.statusCode, 400);
    assert.match((bad.json() as { error: string }).error, /invalid request/);
    const unknown = await app.inject({ url: "/api/flows?colour=red", headers: auth });
    assert.equal(unknown.statusCode, 400);
    const hist = (
      await app.inject({ url: "/api/flows?from=0&to=9999999999", headers: auth })
    ).json() as {
      source: string;
      total: number;
    };
    assert.equal(hist.source, "history");
    assert.equal(hist.total, 0, "no flow has ended yet: all are active");
  });

  test("GET /metrics/history validates its parameters and serves stored windows", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const bad = await app.inject({ url: "/metrics/history?start=yesterday", headers: auth });
    assert.equal(bad.statusCode, 400);
    const backwards = await app.inject({
      url: "/metrics/history?start=200&end=100",
      headers: auth,
    });
    assert.deepEqual(
      [backwards.statusCode, backwards.json()],
      [400, { error: "start must be before end" }],
    );
    const r = await app.inject({
      url: "/metrics/history?start=0&end=9999999999&limit=100",
      headers: auth,
    });
    assert.equal(r.statusCode, 200);
    const h = r.json() as {
      count: number;
      windows: { total_bytes: number; window_start: number }[];
    };
    assert.equal(h.count, h.windows.length);
    assert.ok(h.count >= 4, "the 51 s capture closed several 10 s windows");
    assert.ok(h.windows.every((w) => w.window_start % 10 === 0));
  });

  test("control: stop and start capture, one request per interval per client, reload errors", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const stop = await app.inject({ method: "POST", url: "/control/stop", headers: auth });
    assert.deepEqual([stop.statusCode, stop.json()], [200, { status: "stopped" }]);
    const again = await app.inject({ method: "POST", url: "/control/stop", headers: auth });
    assert.equal(again.statusCode, 429);
    assert.deepEqual(again.json(), { error: "rate limit exceeded" });
    assert.equal(again.headers["retry-after"], "1");
    const other = await app.inject({
      method: "POST",
      url: "/control/stop",
      headers: auth,
      remoteAddress: "127.0.0.9",
    });
    assert.equal(other.statusCode, 200, "the limit is per client address");
    await new Promise((r) => setTimeout(r, 350));
    reloadFails = true;
    const reload = await app.inject({ method: "POST", url: "/control/reload", headers: auth });
    assert.equal(reload.statusCode, 500);
    assert.deepEqual(reload.json(), {
      error: "reload failed",
      details: "stats.window_size: must be positive (got -1)",
    });
    await new Promise((r) => setTimeout(r, 350));
    reloadFails = false;
    const ok = await app.inject({ method: "POST", url: "/control/reload", headers: auth });
    assert.deepEqual(ok.json(), {
      status: "reloaded",
      config_path: "/etc/netnet.yaml",
      restart_needed: ["api.port"],
    });
  });

  test("POST /logout ends the session", async () => {
    const token = await login();
    const noToken = await app.inject({ method: "POST", url: "/logout" });
    assert.deepEqual(
      [noToken.statusCode, noToken.json()],
      [400, { error: "missing session token" }],
    );
    const out = await app.inject({
      method: "POST",
      url: "/logout",
      headers: { "x-session-token": token },
    });
    assert.deepEqual([out.statusCode, out.json()], [200, { status: "logged out" }]);
    const twice = await app.inject({
      method: "POST",
      url: "/logout",
      headers: { "x-session-token": token },
    });
    assert.deepEqual([twice.statusCode, twice.json()], [401, { error: "invalid session" }]);
    const after = await app.inject({ url: "/metrics", headers: { "x-session-token": token } });
    assert.equal(after.statusCode, 401);
  });

  test("security headers on every answer; CORS only for configured origins; 404 as JSON", async () => {
    const r = await app.inject({ url: "/nowhere" });
    assert.deepEqual([r.statusCode, r.json()], [404, { error: "not found" }]);
    assert.match(String(r.headers["content-security-policy"]), /frame-ancestors 'none'/);
    assert.equal(r.headers["x-frame-options"], "DENY");
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.headers["access-control-allow-origin"], undefined);
    const evil = await app.inject({ url: "/metrics", headers: { origin: "https://evil.example" } });
    assert.equal(evil.headers["access-control-allow-origin"], undefined);
    const good = await app.inject({
      url: "/metrics",
      headers: { origin: "https://console.example" },
    });
    assert.equal(good.headers["access-control-allow-origin"], "https://console.example");
  });

  test("the live stream authenticates first, then sends ticks and resumes from Last-Event-ID", async () => {
    const address = await app.listen({ host: "127.0.0.1", port: 0 });
    const denied = await fetch(`${address}/api/stream`);
    assert.equal(denied.status, 401);
    const token = await login();
    const read = async (headers: Record<string, string>) => {
      const res = await fetch(`${address}/api/stream`, {
        headers: { "x-session-token": token, ...headers },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      const reader = res.body?.getReader();
      assert.ok(reader);
      let text = "";
      const deadline = Date.now() + 3000;
      while (!/\nid: \d+[\s\S]*\n\n[\s\S]*id: \d+/.test(`\n${text}`) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    };
    const ids = await read({});
    assert.ok(ids.length >= 2, `ticks arrive: ${ids.join(",")}`);
    assert.ok(ids[1] > ids[0]);
    const resumed = await read({ "last-event-id": String(ids[0]) });
    assert.equal(resumed[0], ids[0] + 1, "resumes right after the last event seen");
  });

  test("unauthorized requests: each logged with its client, but a flood only up to a cap", async () => {
    const before = readFileSync(logFile, "utf8").split("\n").length;
    for (let i = 0; i < 60; i++) {
      const r = await app.inject({ method: "GET", url: "/api/flows", remoteAddress: "192.0.2.7" });
      assert.equal(r.statusCode, 401);
    }
    const lines = readFileSync(logFile, "utf8")
      .split("\n")
      .slice(before - 1);
    const warned = lines.filter((l) => l.includes('"msg":"unauthorized request"'));
    // 20 lines a 10 s window at most (earlier tests in this file used some of this window).
    assert.ok(warned.length >= 1 && warned.length <= 20, `${warned.length} lines for 60 requests`);
    assert.ok(warned.every((l) => l.includes('"client":"192.0.2.7"')));
    // Every request is still in the access log (debug level), with its status.
    const access = lines.filter(
      (l) => l.includes('"msg":"request"') && l.includes('"statusCode":401'),
    );
    assert.ok(access.length >= 60, `${access.length} access lines`);
  });

  test("failed logins from many clients: one line each up to a cap, then counted", async () => {
    const before = readFileSync(logFile, "utf8").split("\n").length;
    for (let i = 0; i < 30; i++) {
      const r = await app.inject({
        method: "POST",
        url: "/login",
        remoteAddress: `198.51.100.${i + 1}`,
        payload: { username: `nobody${i}`, password: "wrong" },
      });
      assert.equal(r.statusCode, 401);
    }
    const lines = readFileSync(logFile, "utf8")
      .split("\n")
      .slice(before - 1);
    const failed = lines.filter((l) => l.includes('"msg":"login failed"'));
    assert.ok(failed.length >= 1 && failed.length <= 20, `${failed.length} lines for 30 failures`);
  });

  test("the access log is at debug level, with the URL's token= value removed", () => {
    const log = readFileSync(logFile, "utf8");
    const line = log
      .split("\n")
      .find((l) => l.includes('"msg":"request"') && l.includes("/metrics?token="));
    assert.ok(line !== undefined, "the ?token= request is in the access log");
    const entry = JSON.parse(line) as { level: number; req: { url: string }; statusCode: number };
    assert.equal(entry.level, 20, "debug");
    assert.equal(entry.statusCode, 200);
    assert.match(entry.req.url, /token=\[redacted\]|token=%5Bredacted%5D/);
  });

  test("no password or token is ever written to the log", async () => {
    const log = readFileSync(logFile, "utf8");
    assert.ok(log.includes("login"), "the log has the logins");
    assert.ok(!log.includes(PASSWORD), "no password");
    assert.ok(!log.includes(API_TOKEN), "no API token (not even from ?token=)");
    assert.doesNotMatch(
      log,
      /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/,
      "no session token",
    );
  });
});
