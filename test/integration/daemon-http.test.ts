/**
 * The real daemon process against clients a browser or an attacker could be: a page reached
 * through DNS rebinding (a Host that is not the daemon's), requests that drip in, and more
 * connections from one address than it allows. Limits are set small in the config so that
 * each case ends in a few seconds; every client stops by itself at its deadline.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemonProcess } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";
import {
  dribble,
  idleConnections,
  postHead,
  rawExchange,
  requestHead,
} from "../support/raw-http.js";

const API_TOKEN = "t".repeat(40);
const DEMO_LOGIN = JSON.stringify({ username: "admin", password: "adminpass" });

describe("netnet daemon (real process): Host check, slow requests, connection caps", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-daemon-http-"));
  const config = join(dir, "netnet.yaml");
  writeFileSync(
    config,
    [
      "offline:",
      `  file: ${fixturePath("mixed.pcap")}`,
      "  speed: recorded",
      "  loop: true",
      "api:",
      "  host: 127.0.0.1",
      "  port: 0",
      `  token: ${API_TOKEN}`,
      "  allowed_hosts: [netnet.example.com]",
      "  headers_timeout_ms: 800",
      "  request_timeout_ms: 1000",
      "  max_connections_per_address: 4",
      "users:",
      "  - username: admin",
      "    password: adminpass",
      "stats:",
      "  tick_ms: 200",
      "database:",
      `  path: ${join(dir, "netnet.db")}`,
      "logging:",
      "  level: warn",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | null = null;
  let port = 0;

  before(async () => {
    const d = await startDaemonProcess(config);
    child = d.child;
    port = Number(new URL(d.url).port);
  });

  after(() => {
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function login(host: string) {
    return rawExchange(
      port,
      postHead("/login", DEMO_LOGIN.length, { host, connection: "close" }) + DEMO_LOGIN,
    );
  }

  test("H4: a page reached by DNS rebinding gets 421 from the dashboard, the demo login and the stream", async () => {
    for (const host of ["rebind.attacker.test", `rebind.attacker.test:${port}`]) {
      const rebound = await login(host);
      assert.equal(rebound.status, 421, rebound.text);
      assert.doesNotMatch(rebound.text, /"token"/, "no session for the attacker's page");
      for (const path of ["/", "/api/stream", `/api/flows?token=${API_TOKEN}`]) {
        const r = await rawExchange(
          port,
          requestHead("GET", path, {
            host,
            authorization: `Bearer ${API_TOKEN}`,
            connection: "close",
          }),
          { untilText: /retry: \d+/ },
        );
        assert.equal(r.status, 421, `${path}: ${r.text.slice(0, 60)}`);
      }
    }
    // The daemon's own names still work.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "netnet.example.com"]) {
      const ok = await login(host);
      assert.equal(ok.status, 200, `${host}: ${ok.text.slice(0, 60)}`);
      assert.match(ok.text, /"token":"[0-9a-f-]{36}"/);
    }
  });

  test("H6: a request body that drips in is cut off after api.request_timeout_ms", async () => {
    const clients = await Promise.all(
      Array.from({ length: 3 }, () =>
        dribble(port, {
          prefix: postHead("/login", 500),
          bytes: 500,
          intervalMs: 100,
          deadlineMs: 6000,
        }),
      ),
    );
    for (const c of clients) {
      const r = await c.result;
      assert.equal(r.closedByServer, true, "closed by the daemon");
      assert.equal(r.status, 408);
      assert.ok(r.ms >= 950 && r.ms < 3000, `closed after ${r.ms} ms`);
    }
  });

  test("H6: connections beyond api.max_connections_per_address are closed as they are accepted", async () => {
    const conns = await idleConnections(port, 10);
    try {
      // Well within api.headers_timeout_ms, which would close the other four.
      await sleep(200);
      assert.equal(conns.filter((c) => !c.closed()).length, 4);
      assert.equal(conns.filter((c) => c.closed()).length, 6);
      // Another address is not held back by this one's.
      const other = await idleConnections(port, 1, "127.0.0.2");
      await sleep(200);
      assert.equal(other[0]?.closed(), false);
      for (const c of other) c.socket.destroy();
    } finally {
      for (const c of conns) c.socket.destroy();
    }
  });

  test("H5: behind a trusted proxy the daemon refuses the demo password, a short token and plaintext, as check-config does", async () => {
    const proxied = join(dir, "proxied.yaml");
    writeFileSync(
      proxied,
      [
        "offline:",
        `  file: ${fixturePath("mixed.pcap")}`,
        "api:",
        "  host: 127.0.0.1",
        "  port: 0",
        "  token: short",
        "  trusted_proxies: [127.0.0.1]",
        "users:",
        "  - username: admin",
        "    password: adminpass",
        "database:",
        `  path: ${join(dir, "proxied.db")}`,
        "",
      ].join("\n"),
    );
    // A daemon that starts anyway is killed at once, so that a failure leaves nothing behind.
    const message = await startDaemonProcess(proxied).then(
      (d) => {
        d.child.kill("SIGKILL");
        return "the daemon started";
      },
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    assert.match(message, /daemon exited with 1/);
    assert.match(message, /refusing to listen on 127\.0\.0\.1/);
    assert.match(message, /demo password and api\.trusted_proxies is set/);
    assert.match(message, /plaintext password and api\.trusted_proxies is set/);
    assert.match(message, /api\.token has 5 characters and api\.trusted_proxies is set/);
  });
});
