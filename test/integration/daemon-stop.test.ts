/**
 * The real daemon stopped while history is far behind: a capture of many one-packet flows
 * replayed in a loop at full speed ends flows faster than SQLite can store them, and stopping
 * ends every active flow too. systemd kills a service whose stop takes longer than
 * `TimeoutStopSec` (30 s in examples/netnet.service), losing everything; so the stop writes
 * what it can by `database.stop_timeout_ms` and drops the rest, counted in one log line.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createStore } from "../../src/store/store.js";
import { exited, startDaemonProcess } from "../support/daemon-process.js";
import { writeManyFlowsCapture } from "../support/many-flows.js";

const API_TOKEN = "s".repeat(16) + "T".repeat(16) + "u".repeat(8);
/** Flows in the capture, and how long it replays before the stop. */
const FLOWS = 1_000_000;
const RUN_MS = 10_000;
/** What the stop must stay under: systemd's 30 s, with room for a loaded machine. */
const STOP_BOUND_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  msg: string;
  [field: string]: unknown;
}

describe("netnet daemon stopped under load (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-daemon-stop-"));
  const capture = join(dir, "many-flows.pcap");
  const db = join(dir, "netnet.db");
  const logFile = join(dir, "netnet.log");
  const config = join(dir, "netnet.yaml");
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("H18: SIGTERM while history is far behind ends well within systemd's TimeoutStopSec, the flows not written counted in one line", {
    timeout: 240_000,
  }, async () => {
    writeManyFlowsCapture(capture, FLOWS, 50_000);
    writeFileSync(
      config,
      [
        "offline:",
        `  file: ${capture}`,
        "  speed: max",
        "  loop: true",
        "api:",
        "  host: 127.0.0.1",
        "  port: 0",
        `  token: ${API_TOKEN}`,
        "database:",
        `  path: ${db}`,
        // The capture is from 2023: keep its history through the retention job.
        "  retention_days: 36500",
        "logging:",
        `  file: ${logFile}`,
        "",
      ].join("\n"),
    );
    const d = await startDaemonProcess(config);
    children.push(d.child);
    await sleep(RUN_MS);
    const t0 = performance.now();
    d.child.kill("SIGTERM");
    const code = await exited(d.child);
    const stopMs = performance.now() - t0;
    assert.equal(code, 0, d.stderr());
    assert.ok(stopMs < STOP_BOUND_MS, `the stop took ${Math.round(stopMs)} ms`);

    const lines = readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as LogLine);
    const deadline = lines.filter(
      (l) => l.msg === "history stop deadline reached: finished flows dropped",
    );
    assert.equal(deadline.length, 1, "one line for what the stop could not write");
    const line = deadline[0];
    assert.ok(line !== undefined);
    assert.ok(typeof line.dropped === "number" && line.dropped > 0, JSON.stringify(line));
    assert.ok(typeof line.written === "number" && line.written >= 0, JSON.stringify(line));
    assert.equal(line.stop_timeout_ms, 10_000);
    // Far behind, yet a handful of lines: "history cannot keep up" at most one per 10 s.
    const behind = lines.filter((l) => l.msg === "history cannot keep up: finished flows dropped");
    assert.ok(
      behind.length <= 1 + Math.ceil((RUN_MS + STOP_BOUND_MS) / 10_000),
      `${behind.length} lines`,
    );
    assert.ok(lines.some((l) => l.msg === "stopped"));

    // What was written is there, and the database is whole.
    const store = createStore({ path: db, retentionDays: 36500 });
    try {
      assert.ok(store.queryFlows({ limit: 1 }).total > 0);
      assert.deepEqual(store.db.pragma("integrity_check"), [{ integrity_check: "ok" }]);
    } finally {
      store.stop();
    }
  });
});
