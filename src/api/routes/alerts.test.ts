import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { API_TOKEN, routeApp, testAuth } from "../../../test/support/api.js";
import type { StoredAlert } from "../../alerts/alert-engine.js";
import type { Alert } from "../../alerts/types.js";
import { createStore, type Store } from "../../store/store.js";
import type { ApiApp } from "../api-app.js";
import { registerAlertRoutes } from "./alerts.js";

const T = 1_700_000_000;

function row(id: number, subject: string, severity: Alert["severity"], last: number): StoredAlert {
  return {
    alert: {
      id: null,
      rule: "scan",
      kind: "port_scan",
      severity,
      message: `${subject} contacted 100 or more distinct ports within 60 s`,
      subject,
      value: 100,
      threshold: 100,
      first_ts: T + id,
      last_ts: last,
      count: id,
    },
    dedupKey: `scan|port_scan|${subject}`,
  };
}

describe("GET /api/alerts", () => {
  let store: Store;
  let app: ApiApp;
  let noDb: ApiApp;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    store.writeAlerts([
      row(1, "10.0.0.1", "warning", T + 10),
      row(2, "10.0.0.2", "critical", T + 30),
      row(3, "10.0.0.3", "info", T + 20),
    ]);
    const auth = await testAuth(store.db);
    app = await routeApp(auth, (a) => registerAlertRoutes(a, { alerts: store }));
    noDb = await routeApp(auth, (a) => registerAlertRoutes(a, { alerts: null }));
  });
  after(async () => {
    await app.close();
    await noDb.close();
    store.stop();
  });

  const get = (url: string) =>
    app.inject({ url, headers: { authorization: `Bearer ${API_TOKEN}` } });

  test("is protected like every data route", async () => {
    const r = await app.inject({ url: "/api/alerts" });
    assert.deepEqual([r.statusCode, r.json()], [401, { error: "unauthorized" }]);
    const q = await app.inject({ url: `/api/alerts?token=${API_TOKEN}` });
    assert.equal(q.statusCode, 200);
  });

  test("lists the stored alerts newest first, with exactly the documented fields", async () => {
    const r = await get("/api/alerts");
    assert.equal(r.statusCode, 200);
    const body = r.json() as { total: number; alerts: Alert[] };
    assert.equal(body.total, 3);
    assert.deepEqual(Object.keys(body), ["total", "alerts"]);
    assert.deepEqual(body.alerts[0], {
      id: 2,
      rule: "scan",
      kind: "port_scan",
      severity: "critical",
      message: "10.0.0.2 contacted 100 or more distinct ports within 60 s",
      subject: "10.0.0.2",
      value: 100,
      threshold: 100,
      first_ts: T + 2,
      last_ts: T + 30,
      count: 2,
    });
    assert.deepEqual(
      body.alerts.map((a) => a.id),
      [2, 3, 1],
    );
  });

  test("limit, offset, severity and since filter; total counts before paging", async () => {
    const ids = async (qs: string) => {
      const b = (await get(`/api/alerts?${qs}`)).json() as { total: number; alerts: Alert[] };
      return [b.total, b.alerts.map((a) => a.id)];
    };
    assert.deepEqual(await ids("limit=1&offset=1"), [3, [3]]);
    assert.deepEqual(await ids("severity=warning"), [1, [1]]);
    assert.deepEqual(await ids(`since=${T + 20}`), [2, [2, 3]]);
    assert.deepEqual(await ids(`since=${T + 15}.5&severity=info`), [1, [3]]);
  });

  test("a bad parameter is a 400 with an error body", async () => {
    for (const qs of [
      "limit=0",
      "limit=5000",
      "limit=x",
      "severity=urgent",
      "since=-1",
      "sort=id",
    ]) {
      const r = await get(`/api/alerts?${qs}`);
      assert.equal(r.statusCode, 400, qs);
      assert.equal(typeof (r.json() as { error: string }).error, "string", qs);
    }
  });

  test("without a database the route answers 503", async () => {
    const r = await noDb.inject({
      url: "/api/alerts",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.deepEqual(
      [r.statusCode, r.json()],
      [503, { error: "alerts are not kept (no database)" }],
    );
  });
});
