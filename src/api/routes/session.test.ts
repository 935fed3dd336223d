import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PASSWORD, routeApp, testAuth } from "../../../test/support/api.js";
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
