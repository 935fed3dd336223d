/**
 * The real daemon stopped while history is far behind: captures of many one-packet flows
 * replayed in a loop at full speed end flows faster than SQLite can store them, and stopping
 * ends every active flow too. systemd kills a service whose stop takes longer than
 * `TimeoutStopSec` (30 s in examples/netnet.service), losing everything; so the stop writes
 * what it can by `database.stop_timeout_ms` (10 s) and drops the rest, counted in one log
 * line, and the main thread never has so many snapshots queued that it cannot see the SIGTERM.
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
/** What the stop must stay under: systemd's 30 s, with room for a loaded machine. */
const STOP_BOUND_MS = 20_000;
/** The daemon's memory must stay under this; above WATCHDOG_MB it is killed at once (the
 * unbounded queue this guards against reached 18 GB in a quarter of an hour). */
const RSS_BOUND_MB = 3000;
const WATCHDOG_MB = 4000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  msg: string;
  [field: string]: unknown;
}

function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s*(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] === undefined ? 0 : Number(m[1]) / 1024;
  } catch {
    return 0;
  }
}

describe("netnet daemon stopped under load (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-daemon-stop-"));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Replays `flows` one-packet flows in a loop for `runMs`, then SIGTERM: how long the stop
   * took, the most memory the daemon held, its exit code and its log.
   */
  async function runAndStop(name: string, flows: number, runMs: number) {
    const capture = join(dir, `${name}.pcap`);
    const db = join(dir, `${name}.db`);
    const logFile = join(dir, `${name}.log`);
    const config = join(dir, `${name}.yaml`);
    writeManyFlowsCapture(capture, flows, 50_000);
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
    const pid = d.child.pid ?? 0;
    let maxRss = 0;
    const watch = setInterval(() => {
      maxRss = Math.max(maxRss, rssMb(pid));
      if (maxRss > WATCHDOG_MB) d.child.kill("SIGKILL");
    }, 250);
    try {
      await sleep(runMs);
      const t0 = performance.now();
      d.child.kill("SIGTERM");
      const code = await exited(d.child);
      const stopMs = performance.now() - t0;
      const lines = readFileSync(logFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as LogLine);
      rmSync(capture);
      return { stopMs, maxRss, code, lines, stderr: d.stderr(), db };
    } finally {
      clearInterval(watch);
    }
  }

  test("H18: SIGTERM while history is far behind ends well within systemd's TimeoutStopSec, the flows not written counted in one line", {
    timeout: 240_000,
  }, async () => {
    // A million flows, all in the table until the stop ends them: a million to write then.
    const r = await runAndStop("open-flows", 1_000_000, 10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stopMs < STOP_BOUND_MS, `the stop took ${Math.round(r.stopMs)} ms`);
    const deadline = r.lines.filter(
      (l) => l.msg === "history stop deadline reached: finished flows dropped",
    );
    assert.equal(deadline.length, 1, "one line for what the stop could not write");
    const line = deadline[0];
    assert.ok(line !== undefined);
    assert.ok(typeof line.dropped === "number" && line.dropped > 0, JSON.stringify(line));
    assert.ok(typeof line.written === "number" && line.written >= 0, JSON.stringify(line));
    assert.equal(line.stop_timeout_ms, 10_000);
    assert.ok(r.lines.some((l) => l.msg === "stopped"));

    // What was written is there, and the database is whole.
    const store = createStore({ path: r.db, retentionDays: 36500 });
    try {
      assert.ok(store.queryFlows({ limit: 1 }).total > 0);
      assert.deepEqual(store.db.pragma("integrity_check"), [{ integrity_check: "ok" }]);
    } finally {
      store.stop();
    }
  });

  test("H18: flows ending faster than the main thread takes them neither grow memory without bound nor hold off the SIGTERM", {
    timeout: 240_000,
  }, async () => {
    // More flows than the table holds (1,048,576): every new one evicts one, so flows end as
    // fast as the worker reads packets, far faster than the main thread copies and stores them.
    const runMs = 15_000;
    const r = await runAndStop("flood", 1_200_000, runMs);
    assert.ok(r.maxRss < RSS_BOUND_MB, `the daemon held ${Math.round(r.maxRss)} MB`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stopMs < STOP_BOUND_MS, `the stop took ${Math.round(r.stopMs)} ms`);
    const signalled = r.lines.findIndex((l) => l.msg === "shutting down");
    assert.ok(signalled >= 0, "the SIGTERM was seen");
    // Far behind, yet a handful of lines: each kind at most one per 10 s.
    for (const msg of [
      "history cannot keep up: finished flows dropped",
      "main thread cannot keep up: finished flows dropped in the capture worker",
    ]) {
      const n = r.lines.filter((l) => l.msg === msg).length;
      assert.ok(n <= 1 + Math.ceil((runMs + STOP_BOUND_MS) / 10_000), `${n} lines of ${msg}`);
    }
    assert.ok(r.lines.some((l) => l.msg === "stopped"));
  });
});
