/**
 * Slow clients and many connections, against the real app on real sockets, with limits of a
 * fraction of a second so that every case ends in a few seconds. Each client here stops by
 * itself at its deadline, whatever the server does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { API_TOKEN, routeApp, testAuth } from "../../test/support/api.js";
import {
  dribble,
  idleConnections,
  postHead,
  rawExchange,
  requestHead,
} from "../../test/support/raw-http.js";
import { createStore, type Store } from "../store/store.js";
import type { ApiApp } from "./api-app.js";
import {
  addressMatcher,
  CONNECTION_LIMIT_DEFAULTS,
  type ConnectionLimits,
  timeoutCheckIntervalMs,
} from "./connection-limits.js";
import { registerSessionRoutes } from "./routes/session.js";
import { registerStreamRoutes } from "./routes/stream.js";
import { StreamHub } from "./stream.js";

const LIMITS: ConnectionLimits = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 1000,
  idleTimeoutMs: 600,
  maxConnections: 1000,
  maxConnectionsPerAddress: 1000,
};

/** What Node adds to the keep-alive timeout it announces before it closes the connection. */
const NODE_KEEP_ALIVE_BUFFER_MS = 1000;

/** How late Node may notice a timeout: its check runs every timeoutCheckIntervalMs. */
const SLACK_MS = timeoutCheckIntervalMs(LIMITS) + 700;

async function appWith(
  store: Store,
  limits: ConnectionLimits,
  hub: StreamHub,
): Promise<{ app: ApiApp; port: number }> {
  const auth = await testAuth(store.db);
  const app = await routeApp(
    auth,
    (a) => {
      registerSessionRoutes(a, auth);
      registerStreamRoutes(a, { stream: hub, corsOrigins: [], auth });
      a.get("/ping", async () => ({ ok: true }));
    },
    { limits },
  );
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, port: Number(new URL(url).port) };
}

describe("request and connection timeouts", () => {
  let store: Store;
  let hub: StreamHub;
  let app: ApiApp;
  let port: number;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    hub = new StreamHub({ heartbeatMs: 60_000 });
    ({ app, port } = await appWith(store, LIMITS, hub));
  });

  after(async () => {
    hub.close();
    await app.close();
    store.stop();
  });

  test("H6: a request body that drips in is cut off after api.request_timeout_ms", async () => {
    // The finding: 20 clients each sending a byte every 15 s all stayed open; here a byte
    // every 100 ms, which would take 100 s to send the announced body.
    const clients = await Promise.all(
      Array.from({ length: 20 }, () =>
        dribble(port, {
          prefix: postHead("/login", 1000),
          bytes: 1000,
          intervalMs: 100,
          deadlineMs: 6000,
        }),
      ),
    );
    const results = await Promise.all(clients.map((c) => c.result));
    for (const r of results) {
      assert.equal(r.closedByServer, true, "closed by the server");
      assert.ok(r.ms < LIMITS.requestTimeoutMs + SLACK_MS, `closed after ${r.ms} ms`);
      assert.ok(r.ms >= LIMITS.requestTimeoutMs - 50, `not before the timeout: ${r.ms} ms`);
      assert.equal(r.status, 408);
    }
  });

  test("H6: headers that drip in, or none at all, are cut off after api.headers_timeout_ms", async () => {
    const slowHead = await dribble(port, {
      prefix: "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ",
      bytes: 1000,
      intervalMs: 50,
      deadlineMs: 5000,
    });
    const silent = await dribble(port, {
      prefix: "",
      bytes: 0,
      intervalMs: 1000,
      deadlineMs: 5000,
    });
    for (const r of [await slowHead.result, await silent.result]) {
      assert.equal(r.closedByServer, true);
      assert.ok(r.ms < LIMITS.headersTimeoutMs + SLACK_MS, `closed after ${r.ms} ms`);
    }
  });

  test("H6: an idle kept-alive connection is closed after api.keep_alive_timeout_ms", async () => {
    const r = await rawExchange(port, requestHead("GET", "/ping", { host: "127.0.0.1" }), {
      timeoutMs: 5000,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["keep-alive"], `timeout=${LIMITS.keepAliveTimeoutMs / 1000}`);
    assert.equal(r.closedByServer, true);
    // Node waits a second longer than the timeout it announces, so that the client, which
    // was told the timeout, closes first rather than send a request into a closing socket.
    const limit = LIMITS.keepAliveTimeoutMs + NODE_KEEP_ALIVE_BUFFER_MS + SLACK_MS;
    assert.ok(r.ms < limit, `closed after ${r.ms} ms`);
  });

  test("H6: the live stream stays open past every timeout, quiet or not", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/stream`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(res.status, 200);
    const reader = res.body?.getReader();
    assert.ok(reader);
    // No tick and no heartbeat for more than twice the longest limit: a silent stream.
    const quietMs = 2 * Math.max(LIMITS.requestTimeoutMs, LIMITS.idleTimeoutMs) + SLACK_MS;
    await sleep(quietMs);
    hub.publish(1, { seq: 1 });
    let text = "";
    const deadline = Date.now() + 2000;
    while (!text.includes("id: 1\n") && Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        sleep(2000, { done: true, value: undefined }),
      ]);
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    assert.match(text, /id: 1\nevent: tick\n/, `the stream still delivers after ${quietMs} ms`);
    assert.equal(hub.clientCount, 1);
    await reader.cancel();
  });
});

describe("connection caps", () => {
  test("H6: connections beyond api.max_connections_per_address, then api.max_connections, are closed as they are accepted", async () => {
    const store = createStore({ path: ":memory:", retentionDays: 7 });
    const hub = new StreamHub({ heartbeatMs: 60_000 });
    // Timeouts long enough that only the caps close anything during the test.
    const limits = {
      ...CONNECTION_LIMIT_DEFAULTS,
      maxConnections: 8,
      maxConnectionsPerAddress: 5,
    };
    const { app, port } = await appWith(store, limits, hub);
    const opened = [];
    try {
      const first = await idleConnections(port, 20, "127.0.0.1");
      opened.push(...first);
      await sleep(300);
      assert.deepEqual(
        [first.filter((c) => !c.closed()).length, first.filter((c) => c.closed()).length],
        [5, 15],
        "five kept from one address, the other fifteen closed",
      );
      // Another address has its own five, until the total of eight is reached.
      const second = await idleConnections(port, 5, "127.0.0.2");
      opened.push(...second);
      await sleep(300);
      assert.equal(second.filter((c) => !c.closed()).length, 3);
      // A closed connection gives its place back.
      for (const c of first) c.socket.destroy();
      await sleep(200);
      const third = await idleConnections(port, 5, "127.0.0.1");
      opened.push(...third);
      await sleep(300);
      assert.equal(third.filter((c) => !c.closed()).length, 5);
      // Eight are open: the next is closed before its request is read.
      const r = await rawExchange(
        port,
        requestHead("GET", "/ping", { host: "127.0.0.1", connection: "close" }),
        { timeoutMs: 2000 },
      );
      assert.deepEqual([r.status, r.closedByServer], [0, true]);
    } finally {
      for (const c of opened) c.socket.destroy();
      hub.close();
      await app.close();
      store.stop();
    }
  });

  test("H5: a trusted proxy, through which every client comes, is held only to the total cap", async () => {
    const store = createStore({ path: ":memory:", retentionDays: 7 });
    const limits = { ...CONNECTION_LIMIT_DEFAULTS, maxConnections: 6, maxConnectionsPerAddress: 2 };
    const auth = await testAuth(store.db);
    const app = await routeApp(auth, () => {}, { limits, trustedProxies: ["127.0.0.1"] });
    const port = Number(new URL(await app.listen({ host: "127.0.0.1", port: 0 })).port);
    const opened = [];
    try {
      const proxy = await idleConnections(port, 5, "127.0.0.1");
      opened.push(...proxy);
      await sleep(300);
      assert.equal(proxy.filter((c) => !c.closed()).length, 5, "the proxy's five are kept");
      const direct = await idleConnections(port, 3, "127.0.0.2");
      opened.push(...direct);
      await sleep(300);
      assert.equal(direct.filter((c) => !c.closed()).length, 1, "one more, up to the total");
    } finally {
      for (const c of opened) c.socket.destroy();
      await app.close();
      store.stop();
    }
  });

  test("addresses and CIDR blocks are matched, IPv4 and IPv6", () => {
    const m = addressMatcher(["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"]);
    assert.deepEqual(
      ["127.0.0.1", "127.0.0.2", "10.9.8.7", "2001:db8::5", "2001:db9::5", "proxy"].map(m),
      [true, false, true, true, false, false],
    );
    assert.equal(addressMatcher([])("127.0.0.1"), false);
  });
});
