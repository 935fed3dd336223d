import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { API_TOKEN, routeApp, testAuth } from "../../../test/support/api.js";
import { createStore, type Store } from "../../store/store.js";
import type { ApiApp } from "../api-app.js";
import { registerControlRoutes } from "./control.js";

describe("POST /control/start, /control/stop and /control/reload", () => {
  let store: Store;
  let app: ApiApp;
  let reloadFails = false;
  /** The capture calls the routes made, in order. */
  const calls: string[] = [];

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    const auth = await testAuth(store.db);
    app = await routeApp(auth, (a) =>
      registerControlRoutes(a, {
        startCapture: async () => {
          calls.push("start");
          return { interfaces: ["eth0", "eth1"] };
        },
        stopCapture: async () => {
          calls.push("stop");
        },
        reload: async () => {
          if (reloadFails) throw new Error("stats.window_size: must be positive (got -1)");
          return { configPath: "/etc/netnet.yaml", restartNeeded: ["api.port"] };
        },
        intervalSeconds: 0.3,
      }),
    );
  });

  after(async () => {
    await app.close();
    store.stop();
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
    assert.deepEqual(calls, ["stop", "stop"], "the refused request did not reach the capture");
  });

  test("start answers with the capture's interfaces, one string and a list", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    calls.length = 0;
    const r = await app.inject({
      method: "POST",
      url: "/control/start",
      headers: auth,
      remoteAddress: "127.0.0.20",
    });
    assert.deepEqual(
      [r.statusCode, r.json()],
      [200, { status: "started", interface: "eth0,eth1", interfaces: ["eth0", "eth1"] }],
    );
    assert.deepEqual(calls, ["start"]);
  });

  test("every control route needs credentials, and a refused request does nothing", async () => {
    calls.length = 0;
    for (const url of ["/control/start", "/control/stop", "/control/reload"]) {
      const r = await app.inject({ method: "POST", url, remoteAddress: "127.0.0.21" });
      assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }], url);
    }
    assert.deepEqual(calls, []);
  });
});
