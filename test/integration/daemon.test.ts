/**
 * The real daemon process on a replayed capture, driven over HTTP: login, metrics, history,
 * a clean SIGTERM that flushes everything, a SIGKILL that loses no committed history, and
 * logs that never hold the password or the tokens used.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createStore } from "../../src/store/store.js";
import { exited, startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";

const API_TOKEN = "a".repeat(16) + "B".repeat(16) + "c".repeat(8);
const PASSWORD = "adminpass";

describe("netnet daemon (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-daemon-"));
  const db = join(dir, "history", "netnet.db");
  const logFile = join(dir, "netnet.log");
  const config = join(dir, "netnet.yaml");
  writeFileSync(
    config,
    [
      "offline:",
      `  file: ${fixturePath("mixed.pcap")}`,
      "  speed: max",
      "api:",
      "  host: 127.0.0.1",
      "  port: 0",
      `  token: ${API_TOKEN}`,
      "users:",
      "  - username: admin",
      `    password: ${PASSWORD}`,
      "stats:",
      "  window_size: 10",
      "  tick_ms: 100",
      "database:",
      `  path: ${db}`,
      // The fixture is from 2023: keep its history through the retention job at restart.
      "  retention_days: 36500",
      "logging:",
      "  level: debug",
      `  file: ${logFile}`,
      "",
    ].join("\n"),
  );
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  let sessionToken = "";

  test("serves the capture over HTTP and flushes everything on SIGTERM", async () => {
    const d = await startDaemon(config);
    children.push(d.child);
    await waitFor(
      async () => (/demo login admin \/ adminpass/.test(d.stderr()) ? true : undefined),
      "the demo login line",
      3000,
    );
    const login = await fetch(`${d.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    sessionToken = ((await login.json()) as { token: string }).token;
    const metrics = await waitFor(async () => {
      const r = await fetch(`${d.url}/metrics`, { headers: { "x-session-token": sessionToken } });
      const m = (await r.json()) as { total_packets: number; total_bytes: number };
      return m.total_packets === 477 ? m : undefined;
    }, "all 477 packets");
    assert.equal(metrics.total_bytes, 95019);
    const q = await fetch(`${d.url}/api/flows?limit=3&token=${API_TOKEN}`);
    assert.equal(((await q.json()) as { total: number }).total, 56);
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());

    const store = createStore({ path: db, retentionDays: 100_000 });
    try {
      const flows = store.queryFlows({ limit: 1000 });
      assert.equal(flows.total, 56, "every flow written at shutdown");
      const h = store.queryHistory({ start: 0, end: 2_000_000_000, limit: 43200 });
      assert.equal(
        h.windows.reduce((s, w) => s + w.total_bytes, 0),
        95019,
        "every window, the open one included",
      );
    } finally {
      store.stop();
    }
  });

  test("a SIGKILL loses no committed history; the next start keeps it", async () => {
    const d = await startDaemon(config);
    children.push(d.child);
    // The second run adds the same traffic again; wait until its windows are committed.
    await waitFor(async () => {
      const r = await fetch(`${d.url}/metrics/history?start=0&end=2000000000&limit=43200`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
      });
      const h = (await r.json()) as { windows: { total_bytes: number }[] };
      const sum = h.windows.reduce((s, w) => s + w.total_bytes, 0);
      return sum > 95019 ? sum : undefined;
    }, "the second run's windows");
    d.child.kill("SIGKILL");
    await exited(d.child);
    const store = createStore({ path: db, retentionDays: 100_000 });
    try {
      const h = store.queryHistory({ start: 0, end: 2_000_000_000, limit: 43200 });
      const sum = h.windows.reduce((s, w) => s + w.total_bytes, 0);
      assert.ok(
        sum > 95019,
        `the first run's history and the committed part of the second: ${sum}`,
      );
      assert.equal(store.queryFlows({ limit: 1 }).total >= 56, true, "the first run's flows");
    } finally {
      store.stop();
    }
  });

  test("reload applies a valid file (and names what needs a restart); a bad one changes nothing", async () => {
    const own = join(dir, "reload.yaml");
    const original = readFileSync(config, "utf8");
    writeFileSync(own, original);
    const d = await startDaemon(own);
    children.push(d.child);
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const reload = async () => {
      const r = await fetch(`${d.url}/control/reload`, { method: "POST", headers: auth });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    writeFileSync(
      own,
      original
        .replace("retention_days: 36500", "retention_days: 36000")
        .replace("level: debug", "level: info")
        .replace("window_size: 10", "window_size: 20"),
    );
    const ok = await reload();
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, {
      status: "reloaded",
      config_path: own,
      restart_needed: ["stats"],
    });
    // Control requests are limited to one per 2 s per client.
    await new Promise((r) => setTimeout(r, 2100));
    writeFileSync(own, original.replace("window_size: 10", "window_size: -5"));
    const bad = await reload();
    assert.equal(bad.status, 500);
    assert.equal(bad.body.error, "reload failed");
    assert.match(String(bad.body.details), /stats\.window_size/);
    // Still serving, on the config it had.
    const health = await fetch(`${d.url}/api/system-health`, { headers: auth });
    assert.equal(health.status, 200);
    // SIGHUP with the bad file: logged, and the daemon keeps running.
    d.child.kill("SIGHUP");
    await waitFor(
      async () => (/reload rejected/.test(readFileSync(logFile, "utf8")) ? true : undefined),
      "the rejected reload in the log",
    );
    assert.equal((await fetch(`${d.url}/metrics`, { headers: auth })).status, 200);
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });

  test("performance.capture_cpu: auto gives the capture worker a CPU of its own", async (t) => {
    const cpusAllowed = (pid: number, tid: string) =>
      /^Cpus_allowed_list:\s*(\S+)$/m.exec(
        readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8"),
      )?.[1];
    const own = join(dir, "pinned.yaml");
    writeFileSync(
      own,
      `${readFileSync(config, "utf8")}performance:\n  capture_cpu: auto\n`.replace(
        `  file: ${logFile}`,
        `  file: ${join(dir, "pinned.log")}`,
      ),
    );
    const d = await startDaemon(own);
    children.push(d.child);
    const pid = d.child.pid ?? -1;
    const line = await waitFor(async () => {
      const log = readFileSync(join(dir, "pinned.log"), "utf8");
      return log.split("\n").find((l) => l.includes("capture worker"));
    }, "the placement in the log");
    const placed = JSON.parse(line) as {
      msg: string;
      worker_tid: number;
      worker_cpus?: number[];
      other_cpus?: number[];
    };
    if (placed.msg === "capture worker not placed: a single CPU") {
      t.diagnostic("one CPU: nothing to place");
    } else {
      assert.equal(placed.msg, "capture worker placed");
      const tasks = readdirSync(`/proc/${pid}/task`);
      assert.ok(tasks.includes(String(placed.worker_tid)));
      assert.equal(cpusAllowed(pid, String(placed.worker_tid)), String(placed.worker_cpus?.[0]));
      for (const tid of tasks) {
        if (tid === String(placed.worker_tid)) continue;
        assert.notEqual(cpusAllowed(pid, tid), String(placed.worker_cpus?.[0]), `thread ${tid}`);
      }
    }
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });

  test("the logs never hold the password or the tokens used", () => {
    const log = readFileSync(logFile, "utf8");
    assert.ok(log.includes('"msg":"login"'));
    assert.ok(!log.includes(PASSWORD), "no password");
    assert.ok(!log.includes(API_TOKEN), "no API token");
    assert.ok(sessionToken !== "" && !log.includes(sessionToken), "no session token");
  });
});
