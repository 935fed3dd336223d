import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { createApiApp } from "../server.js";
import { SECURITY_HEADERS } from "./security-headers.js";

describe("the error handler", () => {
  const logged: { msg: string; level: number }[] = [];
  let app: ApiApp;

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    app = createApiApp(
      { corsOrigins: [], bodyLimit: 64, logger: pino({ level: "error" }, sink) },
      { sessions: { validate: () => null }, apiToken: () => "T".repeat(40) },
    );
    app.get("/limited", async () => {
      throw new ApiError("ERR_AUTH_RATE_LIMITED", undefined, { headers: { "retry-after": "7" } });
    });
    app.get("/reload", async () => {
      throw new ApiError("ERR_API_RELOAD_FAILED", undefined, { details: "bad file" });
    });
    app.get("/teapot", async () => {
      throw Object.assign(new Error("short and stout"), { statusCode: 418 });
    });
    app.get("/item/:id", async (req) => req.params);
    app.get("/bug", async () => {
      throw new Error("secret internals");
    });
    app.post(
      "/echo",
      {
        schema: {
          body: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
        },
      },
      async (req) => req.body,
    );
    await app.ready();
  });

  after(() => app.close());

  test("an ApiError answers its status and body, with its headers and details", async () => {
    const limited = await app.inject({ url: "/limited" });
    assert.deepEqual([limited.statusCode, limited.json()], [429, { error: "rate limit exceeded" }]);
    assert.equal(limited.headers["retry-after"], "7");
    const reload = await app.inject({ url: "/reload" });
    assert.deepEqual(
      [reload.statusCode, reload.json()],
      [500, { error: "reload failed", details: "bad file" }],
    );
  });

  test("bad bodies: invalid, malformed, too large, or not JSON", async () => {
    const post = async (payload: string, type = "application/json") => {
      const r = await app.inject({
        method: "POST",
        url: "/echo",
        headers: { "content-type": type },
        payload,
      });
      return [r.statusCode, r.json()];
    };
    const [status, invalid] = await post('{"n": "x"}');
    assert.equal(status, 400);
    assert.match((invalid as { error: string }).error, /^invalid request: body\/n /);
    assert.deepEqual(await post('{"n": '), [400, { error: "malformed JSON" }]);
    assert.deepEqual(await post(`{"n": 1, "pad": "${"x".repeat(100)}"}`), [
      413,
      { error: "request body too large" },
    ]);
    assert.deepEqual(await post("n=1", "text/csv"), [
      415,
      { error: "unsupported content type: send application/json" },
    ]);
  });

  test("another client error keeps its status and message", async () => {
    const r = await app.inject({ url: "/teapot" });
    assert.deepEqual([r.statusCode, r.json()], [418, { error: "short and stout" }]);
  });

  test("anything else is a 500 that tells the client nothing, and is logged", async () => {
    logged.length = 0;
    const r = await app.inject({ url: "/bug" });
    assert.deepEqual([r.statusCode, r.json()], [500, { error: "internal error" }]);
    assert.deepEqual(
      logged.map((l) => l.msg),
      ["request failed"],
    );
  });

  test("an unknown path is a 404 in the same shape", async () => {
    const r = await app.inject({ url: "/nowhere" });
    assert.deepEqual([r.statusCode, r.json()], [404, { error: "not found" }]);
  });

  test("H14: a URL Fastify cannot decode answers {error} with the security headers, never echoing the URL", async () => {
    const cases: [string, number, string][] = [
      ["/%c0%ae", 400, "bad request: the URL is not valid"],
      ["/item/%c0%ae", 400, "bad request: the URL is not valid"],
      ["/item/%zz<script>", 400, "bad request: the URL is not valid"],
      [`/item/${"x".repeat(200)}`, 414, "a path segment is too long"],
    ];
    for (const [url, status, error] of cases) {
      const r = await app.inject({ url });
      assert.deepEqual([r.statusCode, r.json()], [status, { error }], url);
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[k], v, url);
      assert.equal(r.headers["cache-control"], "no-store", url);
    }
  });
});
