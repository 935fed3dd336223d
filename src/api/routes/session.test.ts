import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PASSWORD, routeApp, testAuth } from "../../../test/support/api.js";
import { createLoginGuard } from "../../auth/index.js";
import { createStore, type Store } from "../../store/store.js";
import type { ApiApp } from "../api-app.js";
import { tickBodyCache } from "../tick-body.js";
import { registerMetricsRoutes } from "./metrics.js";
import { registerSessionRoutes } from "./session.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("POST /login and POST /logout", () => {
  let store: Store;
  let app: ApiApp;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    const auth = await testAuth(store.db);
    app = await routeApp(auth, (a) => {
      registerSessionRoutes(a, auth);
      // A protected route to try an ended session on (past authentication it would answer
      // 503: there is no snapshot).
      registerMetricsRoutes(a, {
        latest: () => null,
        startedAt: Date.now(),
        perTick: tickBodyCache(() => null),
      });
    });
  });

  after(async () => {
    await app.close();
    store.stop();
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
});

describe("POST /login behind a trusted reverse proxy", () => {
  let store: Store;
  let app: ApiApp;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    // Short delays: the throttle's counts are what this tests, not its waits.
    const auth = {
      ...(await testAuth(store.db)),
      guard: createLoginGuard({ baseDelayMs: 1, maxDelayMs: 2 }),
    };
    app = await routeApp(auth, (a) => registerSessionRoutes(a, auth), {
      trustedProxies: ["127.0.0.1"],
    });
  });

  after(async () => {
    await app.close();
    store.stop();
  });

  function loginVia(
    remoteAddress: string,
    forwardedFor: string,
    username: string,
    password: string,
  ) {
    return app.inject({
      method: "POST",
      url: "/login",
      remoteAddress,
      headers: { "x-forwarded-for": forwardedFor },
      payload: { username, password },
    });
  }

  test("H5: failed logins are counted per forwarded client: ten clients failing do not lock out an eleventh", async () => {
    for (let i = 1; i <= 12; i++) {
      const r = await loginVia("127.0.0.1", `198.51.100.${i}`, `nobody${i}`, "wrong");
      assert.equal(r.statusCode, 401, `client ${i}`);
    }
    const real = await loginVia("127.0.0.1", "203.0.113.5", "admin", PASSWORD);
    assert.equal(real.statusCode, 200, real.body);
  });

  test("H5: an attacker failing as a user from many addresses does not lock the user out of an address it logged in from", async () => {
    const home = "203.0.113.6";
    assert.equal((await loginVia("127.0.0.1", home, "admin", PASSWORD)).statusCode, 200);
    for (let i = 1; i <= 10; i++) {
      const r = await loginVia("127.0.0.1", `198.51.100.${20 + i}`, "admin", "guess");
      assert.equal(r.statusCode, 401);
    }
    const elsewhere = await loginVia("127.0.0.1", "198.51.100.99", "admin", PASSWORD);
    assert.equal(elsewhere.statusCode, 429, "a new address is held to the user's limit");
    const back = await loginVia("127.0.0.1", home, "admin", PASSWORD);
    assert.equal(back.statusCode, 200, "the user's own address is let in");
  });

  test("H5: X-Forwarded-For from a peer that is not a trusted proxy is ignored", async () => {
    // A client talking to the daemon directly cannot escape its count by naming others.
    for (let i = 1; i <= 10; i++) {
      const r = await loginVia("192.0.2.66", `198.51.100.${100 + i}`, `x${i}`, "wrong");
      assert.equal(r.statusCode, 401);
    }
    const next = await loginVia("192.0.2.66", "198.51.100.200", "y", "wrong");
    assert.equal(next.statusCode, 429, "counted under its own address");
  });
});
