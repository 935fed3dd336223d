/**
 * Alerts in the real daemon process: a replayed port scan and ping sweep (test/fixtures/
 * scan.pcap) raise exactly the expected alerts, readable from GET /api/alerts and pushed on
 * the live stream; a reload applies a new threshold to the running rules.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { Alert } from "../../src/alerts/types.js";
import { startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";

const API_TOKEN = "z".repeat(20) + "Y".repeat(20);

function configText(db: string, activeFlowsThreshold: number): string {
  return [
    "offline:",
    `  file: ${fixturePath("scan.pcap")}`,
    "  speed: max",
    "api:",
    "  host: 127.0.0.1",
    "  port: 0",
    `  token: ${API_TOKEN}`,
    "stats:",
    "  tick_ms: 100",
    "database:",
    `  path: ${db}`,
    "  retention_days: 36500",
    "logging:",
    "  level: warn",
    "alerts:",
    "  active_flows:",
    `    threshold: ${activeFlowsThreshold}`,
    "  scan:",
    "    port_threshold: 30",
    "    host_threshold: 12",
    "",
  ].join("\n");
}

describe("netnet daemon: alerts (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-alerts-"));
  const db = join(dir, "netnet.db");
  const config = join(dir, "netnet.yaml");
  writeFileSync(config, configText(db, 100_000));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("a replayed scan raises exactly its alerts: API, live stream and a live reload", async () => {
    const d = await startDaemon(config);
    children.push(d.child);
    const auth = { authorization: `Bearer ${API_TOKEN}` };

    // The live stream from its first event (the replay may be over before it connects; the
    // hub keeps the last 120 events for clients that resume with Last-Event-ID).
    const ctrl = new AbortController();
    const streamed: Alert[] = [];
    const sse = await fetch(`${d.url}/api/stream`, {
      headers: { ...auth, "last-event-id": "0" },
      signal: ctrl.signal,
    });
    assert.equal(sse.status, 200);
    const reading = (async () => {
      const dec = new TextDecoder();
      let buf = "";
      try {
        for await (const chunk of sse.body as AsyncIterable<Uint8Array>) {
          buf += dec.decode(chunk, { stream: true });
          for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
            const data = /^data: (.*)$/m.exec(buf.slice(0, i))?.[1];
            buf = buf.slice(i + 2);
            if (data !== undefined)
              streamed.push(...(JSON.parse(data) as { alerts: Alert[] }).alerts);
          }
        }
      } catch {
        // Aborted at the end of the test.
      }
    })();

    const list = async () => {
      const r = await fetch(`${d.url}/api/alerts`, { headers: auth });
      assert.equal(r.status, 200);
      return (await r.json()) as { total: number; alerts: Alert[] };
    };
    const body = await waitFor(async () => {
      const b = await list();
      return b.total >= 3 && b.alerts.every((a) => a.id !== null) ? b : undefined;
    }, "the scan's alerts");
    const summary = (alerts: readonly Alert[]) =>
      alerts
        .map((a) => [a.rule, a.kind, a.severity, a.subject, a.value, a.threshold].join(" "))
        .sort();
    assert.equal(body.total, 3);
    assert.deepEqual(summary(body.alerts), [
      "scan host_scan critical 10.9.0.66 12 12",
      "scan port_scan critical 10.9.0.66 30 30",
      "watched_ports watched_port warning 10.9.0.66 -> 10.9.0.10:23/tcp 1 0",
    ]);
    const watched = body.alerts.find((a) => a.kind === "watched_port");
    // The SYN to port 23 is the 46th packet (port 22 took three), one every 2 ms from T0.
    assert.ok(Math.abs((watched?.first_ts ?? 0) - 1_700_000_000.092) < 1e-6);
    assert.equal(watched?.count, 1);

    await waitFor(async () => (streamed.length >= 3 ? true : undefined), "the streamed alerts");
    assert.deepEqual(
      [...new Set(summary(streamed))],
      summary(body.alerts),
      "the stream carried the same alerts",
    );

    // Reload: the 42 flows of the capture are still active; a threshold of 40 now fires.
    writeFileSync(config, configText(db, 40));
    const reload = await fetch(`${d.url}/control/reload`, { method: "POST", headers: auth });
    assert.equal(reload.status, 200);
    assert.deepEqual(((await reload.json()) as { restart_needed: string[] }).restart_needed, []);
    const flows = await waitFor(async () => {
      const b = await list();
      return b.alerts.find((a) => a.kind === "active_flows");
    }, "the active_flows alert after reload");
    assert.deepEqual(
      [flows.severity, flows.subject, flows.value, flows.threshold],
      ["warning", "flow table", 42, 40],
    );
    ctrl.abort();
    await reading;
    d.child.kill("SIGTERM");
    await new Promise((r) => d.child.once("exit", r));
  });
});
