import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  API_TOKEN,
  type ReplayedCapture,
  replayCapture,
  routeApp,
  testAuth,
} from "../../../test/support/api.js";
import type { ApiApp } from "../api-app.js";
import { tickBodyCache } from "../tick-body.js";
import { registerFlowRoutes } from "./flows.js";

describe("GET /api/flows", () => {
  let replayed: ReplayedCapture;
  let app: ApiApp;
  let noDb: ApiApp;

  before(async () => {
    replayed = await replayCapture();
    const { capture, store } = replayed;
    const auth = await testAuth(store.db);
    const queryActiveFlows = capture.queryFlows.bind(capture);
    // Each app has its own per-tick cache, so neither is served the other's answers.
    const perTick = () => tickBodyCache(() => capture.latest());
    app = await routeApp(auth, (a) =>
      registerFlowRoutes(a, { queryActiveFlows, history: store, perTick: perTick() }),
    );
    noDb = await routeApp(auth, (a) =>
      registerFlowRoutes(a, { queryActiveFlows, history: null, perTick: perTick() }),
    );
  });

  after(async () => {
    await app.close();
    await noDb.close();
    await replayed.stop();
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
    // The file has ended: its flows are stored (end_reason flush) and still listed as active.
    assert.equal(hist.total, 56, "every flow of the file is stored at its end");
    const active = (await app.inject({ url: "/api/flows?limit=1", headers: auth })).json() as {
      total: number;
    };
    assert.equal(active.total, 56);
  });

  test("a big page is gzipped for a client that accepts gzip, and not for one that refuses it", async () => {
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
  });

  test("without a database the active flows are served and from/to answers 503", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const active = await noDb.inject({ url: "/api/flows?limit=1", headers: auth });
    assert.equal(active.statusCode, 200);
    assert.equal((active.json() as { source: string }).source, "active");
    const r = await noDb.inject({ url: "/api/flows?from=0", headers: auth });
    assert.deepEqual(
      [r.statusCode, r.json()],
      [503, { error: "history is not kept (no database)" }],
    );
    // A bad filter is refused before the missing history is noticed.
    const badPort = await noDb.inject({ url: "/api/flows?from=0&port=70000", headers: auth });
    assert.deepEqual(
      [badPort.statusCode, badPort.json()],
      [400, { error: "port must be 0 to 65535" }],
    );
  });

  test("needs credentials", async () => {
    const r = await app.inject({ url: "/api/flows" });
    assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }]);
  });
});
