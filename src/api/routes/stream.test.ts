import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PASSWORD, routeApp, testAuth } from "../../../test/support/api.js";
import { rawExchange, requestHead } from "../../../test/support/raw-http.js";
import { createStore, type Store } from "../../store/store.js";
import type { ApiApp } from "../api-app.js";
import { StreamHub } from "../stream.js";
import { registerSessionRoutes } from "./session.js";
import { registerStreamRoutes } from "./stream.js";

const CONSOLE = "https://console.example";

describe("GET /api/stream", () => {
  let store: Store;
  let stream: StreamHub;
  let app: ApiApp;
  let address: string;
  let port: number;
  let ticker: NodeJS.Timeout;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    stream = new StreamHub({
      replay: 10,
      maxClients: 5,
      maxBufferedBytes: 1 << 20,
      heartbeatMs: 60_000,
    });
    // A tick every 50 ms, as a capture with tick_ms 50 would publish them.
    let seq = 0;
    ticker = setInterval(() => {
      seq++;
      stream.publish(seq, { seq, bytes: seq * 100 });
    }, 50);
    const auth = await testAuth(store.db);
    app = await routeApp(
      auth,
      (a) => {
        registerSessionRoutes(a, auth);
        registerStreamRoutes(a, { stream, corsOrigins: [CONSOLE], auth });
      },
      { corsOrigins: [CONSOLE] },
    );
    address = await app.listen({ host: "127.0.0.1", port: 0 });
    port = Number(new URL(address).port);
  });

  after(async () => {
    clearInterval(ticker);
    stream.close();
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

  test("the live stream authenticates first, then sends ticks and resumes from Last-Event-ID", async () => {
    const denied = await fetch(`${address}/api/stream`);
    assert.equal(denied.status, 401);
    const token = await login();
    const read = async (headers: Record<string, string>) => {
      const res = await fetch(`${address}/api/stream`, {
        headers: { "x-session-token": token, ...headers },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
      const reader = res.body?.getReader();
      assert.ok(reader);
      let text = "";
      const deadline = Date.now() + 3000;
      while (!/\nid: \d+[\s\S]*\n\n[\s\S]*id: \d+/.test(`\n${text}`) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    };
    const ids = await read({});
    assert.ok(ids.length >= 2, `ticks arrive: ${ids.join(",")}`);
    assert.ok(ids[1] > ids[0]);
    const resumed = await read({ "last-event-id": String(ids[0]) });
    assert.equal(resumed[0], ids[0] + 1, "resumes right after the last event seen");
  });

  test("the stream's head has the security headers of every answer, and CORS only for a configured origin", async () => {
    const token = await login();
    const open = async (origin: string) => {
      const res = await fetch(`${address}/api/stream`, {
        headers: { "x-session-token": token, origin },
      });
      await res.body?.cancel();
      return res;
    };
    const good = await open(CONSOLE);
    assert.equal(good.status, 200);
    assert.match(good.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(good.headers.get("x-frame-options"), "DENY");
    assert.equal(good.headers.get("x-content-type-options"), "nosniff");
    assert.equal(good.headers.get("cache-control"), "no-store");
    assert.equal(good.headers.get("access-control-allow-origin"), CONSOLE);
    assert.equal(good.headers.get("vary"), "Origin");
    const evil = await open("https://evil.example");
    assert.equal(evil.status, 200);
    assert.equal(evil.headers.get("x-frame-options"), "DENY");
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
  });

  test("H16: HEAD /api/stream answers the stream's head at once and holds no stream slot", async () => {
    const token = await login();
    // More HEAD requests than the hub has slots (5): each must be answered and let go.
    for (let i = 0; i < 7; i++) {
      const head = await rawExchange(
        port,
        requestHead("HEAD", "/api/stream", {
          host: "127.0.0.1",
          "x-session-token": token,
          connection: "close",
        }),
        { timeoutMs: 2000 },
      );
      assert.equal(head.status, 200, `HEAD ${i}: ${head.text}`);
      assert.equal(head.closedByServer, true, `HEAD ${i} is answered and closed`);
      assert.match(head.headers["content-type"] ?? "", /text\/event-stream/);
      assert.equal(head.headers["x-frame-options"], "DENY");
      assert.equal(head.text.slice(head.text.indexOf("\r\n\r\n") + 4), "", "no body");
      assert.equal(stream.clientCount, 0);
    }
    const denied = await rawExchange(
      port,
      requestHead("HEAD", "/api/stream", { host: "127.0.0.1", connection: "close" }),
    );
    assert.equal(denied.status, 401);
    const get = await fetch(`${address}/api/stream`, { headers: { "x-session-token": token } });
    assert.equal(get.status, 200, "a GET still finds a free slot");
    await get.body?.cancel();
  });
});
