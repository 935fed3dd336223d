import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  API_TOKEN,
  type ReplayedCapture,
  replayCapture,
  routeApp,
  testAuth,
} from "../../../test/support/api.js";
import type { ApiApp } from "../api-app.js";
import { registerHistoryRoutes } from "./history.js";

describe("GET /metrics/history", () => {
  let replayed: ReplayedCapture;
  let app: ApiApp;
  let noDb: ApiApp;

  before(async () => {
    replayed = await replayCapture();
    const { store } = replayed;
    const auth = await testAuth(store.db);
    app = await routeApp(auth, (a) => registerHistoryRoutes(a, { history: store }));
    noDb = await routeApp(auth, (a) => registerHistoryRoutes(a, { history: null }));
  });

  after(async () => {
    await app.close();
    await noDb.close();
    await replayed.stop();
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

  test("needs credentials", async () => {
    const r = await app.inject({ url: "/metrics/history" });
    assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }]);
  });

  test("without a database the route answers 503", async () => {
    const r = await noDb.inject({
      url: "/metrics/history?start=0",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.deepEqual(
      [r.statusCode, r.json()],
      [503, { error: "history is not kept (no database)" }],
    );
  });
});
