import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { API_TOKEN, PASSWORD, routeApp, testAuth } from "../../../test/support/api.js";
import { rawExchange, requestHead } from "../../../test/support/raw-http.js";
import { createStore, type Store } from "../../store/store.js";
import type { ApiApp } from "../api-app.js";
import { registerSessionRoutes } from "../routes/session.js";
import { registerStreamRoutes } from "../routes/stream.js";
import { dashboardPlugin } from "../static.js";
import { StreamHub } from "../stream.js";
import { hostName } from "./host-check.js";
import { SECURITY_HEADERS } from "./security-headers.js";

describe("the Host header's name", () => {
  test("H4: the port is dropped, names folded to lower case, IPv6 kept in brackets", () => {
    const cases: [string | undefined, string | null][] = [
      ["localhost", "localhost"],
      ["LocalHost:8082", "localhost"],
      ["netnet.example.com.", "netnet.example.com"],
      ["127.0.0.1:80", "127.0.0.1"],
      ["[::1]", "[::1]"],
      ["[0:0:0:0:0:0:0:1]:8082", "[::1]"],
      ["[2001:DB8::1]", "[2001:db8::1]"],
      // Not a Host a browser sends: refused rather than guessed at.
      ["::1", null],
      ["[::1", null],
      ["[localhost]", null],
      ["localhost:", null],
      ["localhost:99999", null],
      ["user@localhost", null],
      ["localhost/x", null],
      ["", null],
      [undefined, null],
    ];
    for (const [header, name] of cases) assert.equal(hostName(header), name, String(header));
  });
});

describe("the Host check", () => {
  const dashboard = mkdtempSync(join(tmpdir(), "netnet-host-"));
  writeFileSync(join(dashboard, "index.html"), "<!doctype html><title>net-net</title>");
  let store: Store;
  let hub: StreamHub;
  let app: ApiApp;
  let port: number;

  before(async () => {
    store = createStore({ path: ":memory:", retentionDays: 7 });
    hub = new StreamHub({ heartbeatMs: 60_000 });
    const auth = await testAuth(store.db);
    app = await routeApp(
      auth,
      (a) => {
        registerSessionRoutes(a, auth);
        registerStreamRoutes(a, { stream: hub, corsOrigins: [], auth });
        void a.register(dashboardPlugin(dashboard));
      },
      { host: "127.0.0.1", allowedHosts: ["netnet.example.com", "[2001:db8::7]"] },
    );
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    port = Number(new URL(url).port);
  });

  after(async () => {
    hub.close();
    await app.close();
    store.stop();
    rmSync(dashboard, { recursive: true, force: true });
  });

  /** One request on its own connection, with `host` as its Host header (none if undefined). */
  async function ask(method: string, path: string, host: string | undefined, extra = {}) {
    const headers: Record<string, string> = { connection: "close", ...extra };
    if (host !== undefined) headers.host = host;
    const body = method === "POST" ? JSON.stringify({ username: "admin", password: PASSWORD }) : "";
    if (body !== "") {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
    }
    return rawExchange(port, requestHead(method, path, headers) + body, {
      timeoutMs: 3000,
      // A stream that opens sends its retry line; stop reading there.
      untilText: /retry: \d+/,
    });
  }

  test("H4: a request whose Host is another name is answered 421 on every route: dashboard, login, stream", async () => {
    for (const host of ["evil.example", "evil.example:8082", "rebind.attacker.test:80"]) {
      for (const [method, path, extra] of [
        ["GET", "/", {}],
        ["GET", "/index.html", {}],
        ["POST", "/login", {}],
        ["GET", "/api/stream", { authorization: `Bearer ${API_TOKEN}` }],
        ["GET", "/nowhere", {}],
      ] as const) {
        const r = await ask(method, path, host, extra);
        assert.equal(r.status, 421, `${method} ${path} Host ${host}: ${r.text.slice(0, 80)}`);
        assert.equal(
          r.text.slice(r.text.indexOf("\r\n\r\n") + 4),
          JSON.stringify({ error: "misdirected request: unknown host" }),
        );
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(r.headers[k], v);
      }
    }
    assert.equal(hub.clientCount, 0, "no stream was opened");
  });

  test("H4: a request without a Host, or with one that is not a host name, is answered 421", async () => {
    // HTTP/1.0 may omit Host; HTTP/1.1 without it is refused by Node itself (400).
    const none = await rawExchange(port, "GET / HTTP/1.0\r\n\r\n");
    assert.equal(none.status, 421);
    for (const host of ["::1", "user@localhost", "localhost:99999"]) {
      const r = await ask("GET", "/", host);
      assert.equal(r.status, 421, host);
    }
  });

  test("H4: the listen address, localhost, 127.0.0.1, [::1] and api.allowed_hosts are served, with any port and case", async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      "127.0.0.1",
      `localhost:${port}`,
      "LOCALHOST",
      "[::1]:8082",
      "netnet.example.com",
      "NetNet.Example.com.:443",
      "[2001:db8::7]",
    ]) {
      const page = await ask("GET", "/", host);
      assert.equal(page.status, 200, `GET / Host ${host}`);
      const login = await ask("POST", "/login", host);
      assert.equal(login.status, 200, `POST /login Host ${host}`);
      const stream = await ask("GET", "/api/stream", host, {
        authorization: `Bearer ${API_TOKEN}`,
      });
      assert.equal(stream.status, 200, `GET /api/stream Host ${host}`);
    }
  });

  test("H4: the address a connection arrived at is served as a Host; another address is not", async () => {
    // Listening on 127.0.0.3 while api.host says 127.0.0.1: the local address alone admits it.
    const other = await routeApp(
      { ...(await testAuth(store.db)) },
      (a) => {
        a.get("/here", async () => ({ ok: true }));
      },
      { host: "127.0.0.1", allowedHosts: [] },
    );
    try {
      const url = await other.listen({ host: "127.0.0.3", port: 0 });
      const p = Number(new URL(url).port);
      const get = (host: string) =>
        rawExchange(p, requestHead("GET", "/here", { host, connection: "close" }), {
          host: "127.0.0.3",
        });
      assert.equal((await get(`127.0.0.3:${p}`)).status, 200);
      assert.equal((await get("127.0.0.4")).status, 421);
    } finally {
      await other.close();
    }
  });
});
