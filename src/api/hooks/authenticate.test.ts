import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import type { ApiApp } from "../api-app.js";
import { createApiApp } from "../server.js";
import { AUTH_FAILURE_LOG_LIMIT, PROTECTED } from "./authenticate.js";

const API_TOKEN = "T".repeat(40);
const SESSION = "5f0c7f2e-8a55-4c57-9a3e-3f1d2b6c4e71";

describe("the authentication hook", () => {
  const lines: { msg: string; client?: string; route?: string; suppressed?: number }[] = [];
  let app: ApiApp;

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    app = createApiApp(
      { corsOrigins: [], bodyLimit: 4096, logger: pino({ level: "warn" }, sink) },
      {
        sessions: { validate: (token) => (token === SESSION ? "alice" : null) },
        apiToken: () => API_TOKEN,
      },
    );
    app.get("/open", async (req) => ({ principal: req.principal }));
    app.get("/secret", PROTECTED, async (req) => ({ principal: req.principal }));
    app.get(
      "/paged",
      {
        ...PROTECTED,
        schema: { querystring: { type: "object", properties: { limit: { type: "integer" } } } },
      },
      async (req) => ({ principal: req.principal }),
    );
    app.post(
      "/command",
      {
        ...PROTECTED,
        schema: { body: { type: "object", properties: { n: { type: "integer" } } } },
      },
      async (req) => ({ principal: req.principal }),
    );
    await app.ready();
  });

  after(() => app.close());

  test("a route that is not protected needs no credentials", async () => {
    const r = await app.inject({ url: "/open" });
    assert.deepEqual([r.statusCode, r.json()], [200, { principal: null }]);
  });

  test("a protected route names its principal: the session's user, or the API token", async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ "x-session-token": SESSION }, "/secret", "alice"],
      [{ authorization: `Bearer ${API_TOKEN}` }, "/secret", "api-token"],
      [{}, `/secret?token=${API_TOKEN}`, "api-token"],
      // An unknown session does not hide a good API token.
      [{ "x-session-token": "nope", authorization: `Bearer ${API_TOKEN}` }, "/secret", "api-token"],
    ];
    for (const [headers, url, principal] of cases) {
      const r = await app.inject({ url, headers });
      assert.deepEqual([r.statusCode, r.json()], [200, { principal }], JSON.stringify(headers));
    }
  });

  test("without good credentials a protected route is 401, logged with the client and route", async () => {
    lines.length = 0;
    for (const headers of [{}, { authorization: "Bearer nope" }, { "x-session-token": "nope" }]) {
      const r = await app.inject({ url: "/secret", headers, remoteAddress: "192.0.2.1" });
      assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }]);
    }
    assert.deepEqual(
      lines.map((l) => [l.msg, l.client, l.route]),
      Array(3).fill(["unauthorized request", "192.0.2.1", "/secret"]),
    );
  });

  test("H15: a protected route answers 401 before it validates or parses the request", async () => {
    const bad = [
      { method: "GET" as const, url: "/paged?limit=abc" },
      {
        method: "POST" as const,
        url: "/command",
        headers: { "content-type": "application/json" },
        payload: '{"n": ',
      },
      {
        method: "POST" as const,
        url: "/command",
        headers: { "content-type": "application/json" },
        payload: '{"n": "x"}',
      },
    ];
    for (const req of bad) {
      const r = await app.inject(req);
      assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }], req.url);
    }
    // With credentials the same requests are checked as before.
    const authed = { authorization: `Bearer ${API_TOKEN}` };
    const paged = await app.inject({ url: "/paged?limit=abc", headers: authed });
    assert.equal(paged.statusCode, 400);
    const malformed = await app.inject({
      method: "POST",
      url: "/command",
      headers: { ...authed, "content-type": "application/json" },
      payload: '{"n": ',
    });
    assert.deepEqual([malformed.statusCode, malformed.json()], [400, { error: "malformed JSON" }]);
  });

  test("a flood of unauthorized requests writes at most the cap of lines per window", async () => {
    // Another app: the previous test used some of this one's window.
    const flood: { msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        flood.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const fresh = createApiApp(
      { corsOrigins: [], bodyLimit: 4096, logger: pino({ level: "warn" }, sink) },
      { sessions: { validate: () => null }, apiToken: () => API_TOKEN },
    );
    fresh.get("/secret", PROTECTED, async () => ({}));
    for (let i = 0; i < 60; i++) {
      const r = await fresh.inject({ url: "/secret", remoteAddress: "192.0.2.7" });
      assert.equal(r.statusCode, 401);
    }
    await fresh.close();
    assert.equal(
      flood.filter((l) => l.msg === "unauthorized request").length,
      AUTH_FAILURE_LOG_LIMIT,
    );
  });
});
