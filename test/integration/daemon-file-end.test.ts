/**
 * The real daemon replaying a file without a loop, with a real SQLite file: what history
 * holds once the file has ended, after a second start, and after the shutdown that follows.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { FileSink, PcapWriter } from "../../src/capture/file/capture-writer.js";
import { runReplay } from "../../src/cli/replay-command.js";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { LINKTYPE_ETHERNET } from "../../src/packet/link-types.js";
import { flowCounts } from "../support/busy-capture.js";
import { exited, startDaemonProcess, waitFor } from "../support/daemon-process.js";
import * as F from "../support/frames.js";
import { fixturePath } from "../support/paths.js";

const API_TOKEN = "f".repeat(16) + "E".repeat(16) + "d".repeat(8);

interface StoredWindow {
  window_start: number;
  packets: number;
  bytes: number;
}

/** What the history file holds, read with a connection of its own (the daemon keeps its). */
function stored(db: string): { flows: FlowRecord[]; windows: StoredWindow[] } {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return {
      flows: conn.prepare("SELECT * FROM flows ORDER BY id").all() as FlowRecord[],
      windows: conn
        .prepare(
          "SELECT window_start, packets, bytes FROM windows ORDER BY window_start, window_size",
        )
        .all() as StoredWindow[],
    };
  } finally {
    conn.close();
  }
}

/** A flow as both runs must agree on, with how it ended. */
const flowKey = (f: FlowRecord) => `${flowCounts(f)} ${f.conn_state} ${f.end_reason}`;

/** The log's "capture ended" lines so far. */
function endings(logFile: string): number {
  let text = "";
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return 0;
  }
  return text.split("\n").filter((l) => l.includes('"msg":"capture ended"')).length;
}

describe("netnet daemon: a file that ends (loop: false)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-file-end-"));
  const db = join(dir, "netnet.db");
  const logFile = join(dir, "netnet.log");
  const config = join(dir, "netnet.yaml");
  const file = fixturePath("mixed.pcap");
  writeFileSync(
    config,
    [
      "offline:",
      `  file: ${file}`,
      "  speed: max",
      "  loop: false",
      "api:",
      "  host: 127.0.0.1",
      "  port: 0",
      `  token: ${API_TOKEN}`,
      "stats:",
      "  window_size: 10",
      "  tick_ms: 100",
      "database:",
      `  path: ${db}`,
      // The fixture is from 2023: keep its history through the retention job.
      "  retention_days: 36500",
      "logging:",
      "  level: info",
      `  file: ${logFile}`,
      "",
    ].join("\n"),
  );
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    if (process.env.KEEP !== "1") rmSync(dir, { recursive: true, force: true });
  });

  test("H8c: at the end of the file the last window and the active flows are stored, once, and a new start stores its own", async () => {
    const flowsOut = join(dir, "replay-flows.jsonl");
    const replay = (
      await runReplay(file, { json: true, top: 5, progress: false, flowsOut, config })
    ).report;
    const replayFlows = readFileSync(flowsOut, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as FlowRecord);
    assert.equal(replayFlows.length, 56);
    assert.ok(replayFlows.some((f) => f.end_reason === "flush"));
    const replayWindows = replay.windows.map((w) => ({
      window_start: w.window_start,
      packets: w.packets,
      bytes: w.bytes,
    }));
    assert.equal(
      replayWindows.reduce((s, w) => s + w.bytes, 0),
      95019,
    );

    const d = await startDaemonProcess(config);
    children.push(d.child);
    await waitFor(async () => (endings(logFile) >= 1 ? true : undefined), "the end of the file");
    // The daemon keeps running after the file ended; history already holds all of it.
    const first = await waitFor(async () => {
      const s = stored(db);
      return s.flows.length >= replayFlows.length ? s : undefined;
    }, "every flow of the file in history");
    assert.deepEqual(first.flows.map(flowKey).sort(), replayFlows.map(flowKey).sort());
    assert.deepEqual(first.windows, replayWindows, "every window, the last one included");
    assert.equal(d.child.exitCode, null, "still running");

    // Capture started again: the file is replayed once more, and its flows and windows are
    // stored as a second run's (windows of the same start add up).
    const start = await fetch(`${d.url}/control/start`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(start.status, 200);
    assert.deepEqual(await start.json(), {
      status: "started",
      interface: file,
      interfaces: [file],
    });
    await waitFor(async () => (endings(logFile) >= 2 ? true : undefined), "the second end");
    const second = await waitFor(async () => {
      const s = stored(db);
      return s.flows.length >= 2 * replayFlows.length ? s : undefined;
    }, "the second run's flows in history");
    assert.deepEqual(
      second.flows.map(flowKey).sort(),
      [...replayFlows, ...replayFlows].map(flowKey).sort(),
    );
    assert.deepEqual(
      second.windows,
      replayWindows.map((w) => ({ ...w, packets: 2 * w.packets, bytes: 2 * w.bytes })),
    );

    // The shutdown finds nothing left to store: no flow and no window is written twice.
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
    const last = stored(db);
    assert.equal(last.flows.length, 2 * replayFlows.length);
    assert.deepEqual(last.windows, second.windows);
  });

  test("H8: a paced replay with a thirty-day gap ends in moments, logs the jump once and warns of no timer overflow", async () => {
    const gapFile = join(dir, "gap.pcap");
    const w = new PcapWriter(new FileSink(gapFile), { linktype: LINKTYPE_ETHERNET });
    const frame = F.ethernet(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      0x0800,
      F.ipv4({ src: "10.9.0.1", dst: "10.9.0.2", proto: 17 }, F.udp({ sport: 7, dport: 53 })),
    );
    const t0 = 1_700_000_000;
    const month = 30 * 86_400;
    for (const [sec, nsec] of [
      [t0, 0],
      [t0, 200_000_000],
      [t0 + month, 0],
      [t0 + month, 200_000_000],
    ] as const) {
      w.write(frame, sec, nsec);
    }
    w.close();
    const own = join(dir, "gap.yaml");
    const gapDb = join(dir, "gap.db");
    const gapLog = join(dir, "gap.log");
    writeFileSync(
      own,
      readFileSync(config, "utf8")
        .replace(`  file: ${file}`, `  file: ${gapFile}`)
        .replace("  speed: max", "  speed: recorded")
        .replace(`  path: ${db}`, `  path: ${gapDb}`)
        .replace(`  file: ${logFile}`, `  file: ${gapLog}`),
    );
    const started = Date.now();
    const d = await startDaemonProcess(own);
    children.push(d.child);
    await waitFor(async () => (endings(gapLog) >= 1 ? true : undefined), "the end of the file");
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
    const jumps = readFileSync(gapLog, "utf8")
      .split("\n")
      .filter((l) => l.includes("timestamps jump"))
      .map(
        (l) =>
          JSON.parse(l) as {
            level: number;
            file: string;
            from: number;
            to: number;
            packet: number;
          },
      );
    assert.deepEqual(
      jumps.map((j) => [j.level, j.file, j.from, j.to, j.packet]),
      [[40, gapFile, t0 + 0.2, t0 + month, 2]],
    );
    const flows = await waitFor(async () => {
      const s = stored(gapDb);
      return s.flows.length > 0 ? s.flows : undefined;
    }, "the flow in history");
    assert.deepEqual(
      flows.map((f) => [f.packets, f.end_reason]),
      [[4, "flush"]],
    );
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
    assert.doesNotMatch(d.stderr(), /TimeoutOverflowWarning/);
  });
});
