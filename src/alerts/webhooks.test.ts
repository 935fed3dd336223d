import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sampleAlert } from "../../test/support/alerts.js";
import { memoryLogger } from "../../test/support/log.js";
import type { Alert } from "./types.js";
import { createWebhookSender, safeUrl } from "./webhooks.js";

const ALERT: Alert = sampleAlert({ id: 7 });

interface Received {
  url: string;
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("webhooks (real HTTP server on loopback)", () => {
  let server: Server;
  let base = "";
  const received: Received[] = [];
  /** Requests to /slow are held here and never answered (until the end). */
  const held: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        received.push({ url: req.url ?? "", method: req.method ?? "", headers: req.headers, body });
        if (req.url?.startsWith("/slow") === true) held.push(res);
        else if (req.url?.startsWith("/fail") === true) res.writeHead(500).end("no");
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const r of held) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test("POSTs the alert as JSON; credentials in the URL become a Basic header", async () => {
    received.length = 0;
    const w = createWebhookSender({ timeoutMs: 2000, queueSize: 10 });
    const url = new URL(`${base}/hook?k=1`);
    url.username = "bot";
    url.password = "s3cret";
    w.send(url.toString(), ALERT);
    await w.idle();
    assert.equal(received.length, 1);
    const r = received[0];
    assert.equal(r?.method, "POST");
    assert.equal(r?.url, "/hook?k=1");
    assert.equal(r?.headers["content-type"], "application/json");
    assert.equal(r?.headers.authorization, `Basic ${Buffer.from("bot:s3cret").toString("base64")}`);
    assert.deepEqual(JSON.parse(r?.body ?? ""), ALERT);
    assert.deepEqual(w.metrics(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
  });

  test("a timeout and an error status are counted and logged without credentials or query", async () => {
    const { log, lines: logs } = memoryLogger();
    const w = createWebhookSender({ timeoutMs: 200, queueSize: 10 }, { log });
    const secretUrl = (path: string) =>
      `http://user:pw@127.0.0.1:${new URL(base).port}${path}?token=SECRET`;
    const t0 = Date.now();
    w.send(secretUrl("/slow"), ALERT);
    w.send(secretUrl("/fail"), ALERT);
    await w.idle();
    assert.ok(Date.now() - t0 < 2000, "the timeout ended the held request");
    assert.deepEqual(w.metrics(), { sent: 0, failed: 2, dropped: 0, queued: 0 });
    assert.deepEqual(logs, [
      {
        level: "warn",
        msg: "webhook failed",
        url: `${base}/slow`,
        error: "no answer within 200 ms",
      },
      { level: "warn", msg: "webhook failed", url: `${base}/fail`, status: 500 },
    ]);
    const text = JSON.stringify(logs);
    assert.ok(!text.includes("SECRET") && !text.includes("pw@"));
  });

  test("a full queue drops and counts instead of growing; send never waits", async () => {
    const w = createWebhookSender({ timeoutMs: 300, queueSize: 2 });
    const t0 = performance.now();
    // The first is taken off the queue at once (in flight); two wait; the rest are dropped.
    for (let i = 0; i < 6; i++) w.send(`${base}/slow`, ALERT);
    assert.ok(performance.now() - t0 < 50, "send only queues");
    assert.equal(w.metrics().dropped, 3);
    assert.equal(w.metrics().queued, 2);
    await w.stop();
    assert.equal(w.metrics().queued, 0);
  });

  test("a refused connection is a logged failure, never a throw", async () => {
    const { log, lines: logs } = memoryLogger();
    const w = createWebhookSender({ timeoutMs: 1000, queueSize: 10 }, { log });
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    w.send(`http://127.0.0.1:${port}/x`, ALERT);
    await w.idle();
    assert.equal(w.metrics().failed, 1);
    assert.deepEqual(logs[0], {
      level: "warn",
      msg: "webhook failed",
      url: `http://127.0.0.1:${port}/x`,
      error: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test("safeUrl keeps scheme, host and path only", () => {
    assert.equal(
      safeUrl("https://a:b@hooks.example:8443/p/q?x=1#f"),
      "https://hooks.example:8443/p/q",
    );
    assert.equal(safeUrl("not a url"), "(invalid url)");
  });
});
