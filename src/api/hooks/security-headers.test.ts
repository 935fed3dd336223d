import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ApiApp } from "../api-app.js";
import { createApiApp } from "../server.js";
import { corsHeaders, rawResponseHeaders, SECURITY_HEADERS } from "./security-headers.js";

const CONSOLE = "https://console.example";

describe("the CORS decision", () => {
  test("no Origin, or one that is not configured, gets no CORS header", () => {
    assert.deepEqual(corsHeaders(undefined, [CONSOLE]), {});
    assert.deepEqual(corsHeaders("https://evil.example", [CONSOLE]), {});
    assert.deepEqual(corsHeaders(CONSOLE, []), {});
  });

  test("a configured origin may read the answer, which varies by origin", () => {
    assert.deepEqual(corsHeaders(CONSOLE, ["https://other.example", CONSOLE]), {
      "access-control-allow-origin": CONSOLE,
      vary: "Origin",
    });
  });

  test("a head written without Fastify gets the security headers and the same decision", () => {
    assert.deepEqual(rawResponseHeaders("https://evil.example", [CONSOLE]), SECURITY_HEADERS);
    assert.deepEqual(rawResponseHeaders(CONSOLE, [CONSOLE]), {
      ...SECURITY_HEADERS,
      "access-control-allow-origin": CONSOLE,
      vary: "Origin",
    });
  });
});

describe("the security headers hook", () => {
  let app: ApiApp;

  before(async () => {
    app = createApiApp(
      { corsOrigins: [CONSOLE], bodyLimit: 4096, logger: false },
      { sessions: { validate: () => null }, apiToken: () => "T".repeat(40) },
    );
    app.get("/plain", async () => ({ ok: true }));
    app.get("/cached", async (_req, reply) => {
      reply.header("cache-control", "public, max-age=60");
      return { ok: true };
    });
    app.get("/negotiated", async (_req, reply) => {
      reply.header("vary", "accept-encoding");
      return { ok: true };
    });
    app.get("/fails", async () => {
      throw new Error("boom");
    });
    await app.ready();
  });

  after(() => app.close());

  test("every answer, errors and 404s included, has the security headers and no-store", async () => {
    for (const url of ["/plain", "/fails", "/nowhere"]) {
      const r = await app.inject({ url });
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[k], v, url);
      assert.equal(r.headers["cache-control"], "no-store", url);
    }
  });

  test("a route that sets its own cache-control keeps it", async () => {
    const r = await app.inject({ url: "/cached" });
    assert.equal(r.headers["cache-control"], "public, max-age=60");
    assert.equal(r.headers["x-frame-options"], "DENY");
  });

  test("a configured origin gets the CORS headers with the allowed request headers and methods", async () => {
    const r = await app.inject({ url: "/plain", headers: { origin: CONSOLE } });
    assert.equal(r.headers["access-control-allow-origin"], CONSOLE);
    assert.equal(r.headers.vary, "Origin");
    assert.equal(
      r.headers["access-control-allow-headers"],
      "content-type, authorization, x-session-token",
    );
    assert.equal(r.headers["access-control-allow-methods"], "GET, POST");
  });

  test("any other origin, or none, gets no CORS header at all", async () => {
    for (const headers of [{ origin: "https://evil.example" }, {}]) {
      const r = await app.inject({ url: "/plain", headers });
      const cors = Object.keys(r.headers).filter((k) => k.startsWith("access-control-"));
      assert.deepEqual(cors, []);
      assert.equal(r.headers.vary, undefined);
    }
  });

  test("H13: a CORS preflight from a configured origin is answered 204 with the CORS headers", async () => {
    for (const url of ["/plain", "/negotiated"]) {
      const r = await app.inject({
        method: "OPTIONS",
        url,
        headers: {
          origin: CONSOLE,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, x-session-token",
        },
      });
      assert.equal(r.statusCode, 204, url);
      assert.equal(r.headers["access-control-allow-origin"], CONSOLE, url);
      assert.equal(
        r.headers["access-control-allow-headers"],
        "content-type, authorization, x-session-token",
      );
      assert.equal(r.headers["access-control-allow-methods"], "GET, POST");
      assert.equal(r.headers["access-control-max-age"], "600");
      assert.equal(r.headers.vary, "Origin");
      assert.equal(r.body, "");
      assert.equal(r.headers["x-frame-options"], "DENY");
    }
  });

  test("H13: a preflight from another origin, or none, gets no CORS header", async () => {
    for (const headers of [
      { origin: "https://evil.example", "access-control-request-method": "POST" },
      {},
    ]) {
      const r = await app.inject({ method: "OPTIONS", url: "/plain", headers });
      assert.deepEqual([r.statusCode, r.json()], [404, { error: "not found" }]);
      const cors = Object.keys(r.headers).filter((k) => k.startsWith("access-control-"));
      assert.deepEqual(cors, []);
    }
  });

  test("H13: Vary: Origin is added to the Vary a route set, not put in its place", async () => {
    const r = await app.inject({ url: "/negotiated", headers: { origin: CONSOLE } });
    assert.equal(r.headers.vary, "accept-encoding, Origin");
    assert.equal(r.headers["access-control-allow-origin"], CONSOLE);
    const plain = await app.inject({ url: "/negotiated" });
    assert.equal(plain.headers.vary, "accept-encoding");
  });
});
