import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CRASH_FLOWS_PER_TICK,
  CRASH_WINDOW_SIZE,
  HOUR0,
  tempDir,
} from "../../test/support/store-fixtures.js";
import { createStore } from "./store.js";

const WRITER = fileURLToPath(new URL("../../test/support/crash-writer.js", import.meta.url));

/** Runs the writer until it reports `ticks` commits, then kills it; returns the last tick seen. */
function writeAndKill(path: string, ticks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path], { stdio: ["ignore", "pipe", "pipe"] });
    let last = -1;
    let buffered = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const l of lines) last = Number(l);
      if (last >= ticks - 1 && child.exitCode === null && !child.killed) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`writer exited ${code}: ${stderr}`));
      else resolve(last);
    });
  });
}

test("after SIGKILL mid-write, every committed tick is there and no tick is half-written", async () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, "netnet.db");
    const last = await writeAndKill(path, 40);
    assert.ok(last >= 39, `writer reported ${last}`);
    assert.ok(existsSync(`${path}-wal`), "killed before any checkpoint could remove the WAL");

    const store = createStore({ path, retentionDays: 3650 });
    const one = (sql: string): unknown => store.db.prepare(sql).pluck().get();
    const windows = Number(one("SELECT count(*) FROM windows"));
    // Every reported tick, plus possibly the one that committed before it could be reported.
    assert.ok(windows === last + 1 || windows === last + 2, `${windows} windows, last ${last}`);
    assert.equal(one("SELECT count(*) FROM flows"), windows * CRASH_FLOWS_PER_TICK);
    assert.equal(one("SELECT min(window_start) FROM windows"), HOUR0);
    assert.equal(
      one("SELECT max(window_start) FROM windows"),
      HOUR0 + (windows - 1) * CRASH_WINDOW_SIZE,
    );
    // Rollups were committed with their windows.
    assert.equal(
      one("SELECT sum(packets) FROM rollup_1m"),
      one("SELECT sum(packets) FROM windows"),
    );
    assert.equal(one("SELECT sum(windows) FROM rollup_1h"), windows);
    assert.equal(one("PRAGMA integrity_check"), "ok");
    // And the history goes on.
    store.writeTick({ flows: [] });
    store.stop();
  } finally {
    tmp.remove();
  }
});
