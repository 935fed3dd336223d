/**
 * The whole app as the daemon builds it: every route module mounted, authentication, the
 * header policy, the 404, the OpenAPI document, and what the log gets. Each route's own
 * behaviour is tested beside it in routes/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  API_TOKEN,
  PASSWORD,
  type ReplayedCapture,
  replayCapture,
  testAuth,
} from "../../test/support/api.js";
import { REPO_ROOT } from "../../test/support/paths.js";
import { createLogger } from "../daemon/logger.js";
import { buildApiServer } from "./server.js";
import { StreamHub } from "./stream.js";

type App = Awaited<ReturnType<typeof buildApiServer>>;

describe("HTTP API", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-api-log-"));
  const logFile = join(dir, "api.log");
  let replayed: ReplayedCapture;
  let app: App;
  let stream: StreamHub;

  before(async () => {
    stream = new StreamHub({
      replay: 10,
      maxClients: 5,
      maxBufferedBytes: 1 << 20,
      heartbeatMs: 60_000,
    });
    replayed = await replayCapture((s) => stream.publish(s.seq, { seq: s.seq, bytes: s.bytes }));
    const { capture, store } = replayed;
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
        reload: async () => ({ configPath: "/etc/netnet.yaml", restartNeeded: [] }),
        history: store,
        auth: await testAuth(store.db),
        stream,
        alerts: store,
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
    await replayed.stop();
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

  test("H15: GET /api/flows?limit=abc without credentials is 401, not 400", async () => {
    const r = await app.inject({ url: "/api/flows?limit=abc" });
    assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }]);
    const authed = await app.inject({
      url: "/api/flows?limit=abc",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(authed.statusCode, 400);
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

  test("H13: a configured origin's preflight is 204, and its answers vary by encoding and origin", async () => {
    const pre = await app.inject({
      method: "OPTIONS",
      url: "/api/flows",
      headers: {
        origin: "https://console.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-session-token",
      },
    });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers["access-control-allow-origin"], "https://console.example");
    assert.match(String(pre.headers["access-control-allow-headers"]), /x-session-token/);
    const r = await app.inject({
      url: "/metrics",
      headers: {
        origin: "https://console.example",
        "accept-encoding": "gzip",
        authorization: `Bearer ${API_TOKEN}`,
      },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers.vary, "accept-encoding, Origin");
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
