import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sampleAlert } from "../../test/support/alerts.js";
import { memoryLogger } from "../../test/support/log.js";
import type { Alert } from "./types.js";
import { createWebhookSender, safeUrl } from "./webhooks.js";

const ALERT: Alert = sampleAlert({ id: 7 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another receiver on loopback (another destination), counting what it received. */
async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ base: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      received.push(body);
      handle(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

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
    // One attempt each (retries are tested below).
    const w = createWebhookSender({ timeoutMs: 200, queueSize: 10, retries: 0 }, { log });
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
    const w = createWebhookSender({ timeoutMs: 1000, queueSize: 10, retries: 0 }, { log });
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

  test("H20: a slow receiver delays only its own queue: another destination's webhooks go out at once", async () => {
    received.length = 0;
    const other = await startServer((_req, res) => res.writeHead(204).end());
    try {
      const w = createWebhookSender({ timeoutMs: 2000, queueSize: 10, retries: 0 });
      // Three for the receiver that never answers: 6 s of waiting in one queue.
      for (let i = 0; i < 3; i++) w.send(`${base}/slow`, ALERT);
      const t0 = performance.now();
      w.send(`${other.base}/hook`, ALERT);
      while (other.received.length === 0 && performance.now() - t0 < 3000) await sleep(10);
      const ms = performance.now() - t0;
      assert.equal(other.received.length, 1);
      assert.ok(ms < 500, `the other destination waited ${Math.round(ms)} ms`);
      assert.equal(w.metrics().sent, 1);
      assert.equal(w.metrics().queued, 2, "two still wait for the slow one");
      await w.stop();
    } finally {
      await other.close();
    }
  });

  test("H20: a failure is retried with growing delays, at most `retries` times; a client error is not", async () => {
    const statuses: number[] = [503, 502, 204];
    const at: number[] = [];
    const flaky = await startServer((_req, res) => {
      at.push(performance.now());
      res.writeHead(statuses.shift() ?? 500).end();
    });
    try {
      const { log, lines } = memoryLogger();
      const w = createWebhookSender(
        { timeoutMs: 1000, queueSize: 10, retries: 2, backoffMs: 100 },
        { log },
      );
      w.send(`${flaky.base}/hook`, ALERT);
      await w.idle();
      assert.equal(flaky.received.length, 3, "two retries");
      assert.deepEqual(w.metrics(), { sent: 1, failed: 0, dropped: 0, queued: 0 });
      const [a = 0, b = 0, c = 0] = at;
      assert.ok(b - a >= 95, `first retry after ${Math.round(b - a)} ms`);
      assert.ok(c - b >= 195, `second retry after ${Math.round(c - b)} ms (doubled)`);
      assert.ok(!lines.some((l) => l.level === "warn"), "no failure once delivered");

      // Always failing: 1 + 2 attempts, then one line and one failure.
      flaky.received.length = 0;
      statuses.push(500, 500, 500, 500);
      w.send(`${flaky.base}/hook`, ALERT);
      await w.idle();
      assert.equal(flaky.received.length, 3);
      assert.deepEqual(w.metrics(), { sent: 1, failed: 1, dropped: 0, queued: 0 });
      assert.deepEqual(
        lines.filter((l) => l.level === "warn"),
        [
          {
            level: "warn",
            msg: "webhook failed",
            url: `${flaky.base}/hook`,
            status: 500,
            attempts: 3,
          },
        ],
      );

      // A client error would fail again: not retried.
      flaky.received.length = 0;
      statuses.length = 0;
      statuses.push(400, 204);
      w.send(`${flaky.base}/hook`, ALERT);
      await w.idle();
      assert.equal(flaky.received.length, 1);
      assert.equal(w.metrics().failed, 2);
      await w.stop();
    } finally {
      await flaky.close();
    }
  });

  test("H20: an answer whose body drips in past the deadline is a failure, not a send", async () => {
    const drips: NodeJS.Timeout[] = [];
    const dripping = await startServer((_req, res) => {
      // The status at once, then a byte every 100 ms for 3 s.
      res.writeHead(200, { "content-type": "text/plain" });
      let n = 0;
      const t = setInterval(() => {
        res.write("x");
        if (++n === 30) {
          clearInterval(t);
          res.end();
        }
      }, 100);
      drips.push(t);
    });
    try {
      const { log, lines } = memoryLogger();
      const w = createWebhookSender({ timeoutMs: 300, queueSize: 10, retries: 0 }, { log });
      const t0 = performance.now();
      w.send(`${dripping.base}/hook`, ALERT);
      await w.idle();
      const ms = performance.now() - t0;
      assert.ok(ms < 1500, `given up after ${Math.round(ms)} ms`);
      assert.deepEqual(w.metrics(), { sent: 0, failed: 1, dropped: 0, queued: 0 });
      assert.deepEqual(lines, [
        {
          level: "warn",
          msg: "webhook failed",
          url: `${dripping.base}/hook`,
          error: "no full answer within 300 ms",
        },
      ]);
    } finally {
      for (const t of drips) clearInterval(t);
      await dripping.close();
    }
  });

  test("H20: destinations are capped: an alert for one more is dropped and counted, and an emptied queue makes room", async () => {
    const servers = await Promise.all(
      [0, 1, 2].map(() => startServer((_req, res) => res.writeHead(204).end())),
    );
    try {
      const { log, lines } = memoryLogger();
      const w = createWebhookSender(
        { timeoutMs: 1000, queueSize: 10, retries: 0, maxDestinations: 2 },
        { log },
      );
      const [a, b, c] = servers.map((x) => `${x.base}/hook`);
      w.send(`${base}/slow`, ALERT);
      w.send(a ?? "", ALERT);
      // Two destinations have queues (the slow one's stays): a third is refused.
      w.send(b ?? "", ALERT);
      assert.equal(w.metrics().dropped, 1);
      assert.ok(lines.some((l) => l.msg === "webhook destinations full, alert not sent"));
      // Once a's queue is empty it is gone, and c gets its place.
      while (w.metrics().sent < 1) await sleep(10);
      await sleep(20);
      w.send(c ?? "", ALERT);
      while (w.metrics().sent < 2) await sleep(10);
      assert.equal(servers[2]?.received.length, 1);
      assert.equal(servers[1]?.received.length, 0);
      assert.equal(w.metrics().dropped, 1);
      await w.stop();
    } finally {
      await Promise.all(servers.map((x) => x.close()));
    }
  });

  test("safeUrl keeps scheme, host and path only", () => {
    assert.equal(
      safeUrl("https://a:b@hooks.example:8443/p/q?x=1#f"),
      "https://hooks.example:8443/p/q",
    );
    assert.equal(safeUrl("not a url"), "(invalid url)");
  });
});
