/**
 * The log file of the real daemon process: created readable by its owner and group only
 * (it holds client addresses and usernames), and reopened on SIGUSR1 so that logrotate can
 * move it away without `copytruncate`.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exited, startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";

function configText(db: string, logFile: string): string {
  return [
    "offline:",
    `  file: ${fixturePath("mixed.pcap")}`,
    "  speed: max",
    "api:",
    "  host: 127.0.0.1",
    "  port: 0",
    "database:",
    `  path: ${db}`,
    "  retention_days: 36500",
    "logging:",
    "  level: info",
    `  file: ${logFile}`,
    "",
  ].join("\n");
}

/** The lines of a JSON-lines log file whose `msg` is `msg`. */
function linesWith(file: string, msg: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);
}

describe("netnet daemon: the log file (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-logfile-"));
  const logFile = join(dir, "logs", "netnet.log");
  const config = join(dir, "netnet.yaml");
  writeFileSync(config, configText(join(dir, "netnet.db"), logFile));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("H17: the log file is created 0640, and SIGUSR1 reopens it at its path after a rotation", async () => {
    const d = await startDaemon(config);
    children.push(d.child);
    const unauthorized = async () => {
      const r = await fetch(`${d.url}/metrics`);
      await r.arrayBuffer();
      assert.equal(r.status, 401);
    };
    await unauthorized();
    await waitFor(
      async () => (linesWith(logFile, "unauthorized request").length > 0 ? true : undefined),
      "the first unauthorized request in the log",
    );
    assert.equal((statSync(logFile).mode & 0o777).toString(8), "640");

    // What logrotate does without copytruncate: move the file, then signal the daemon.
    const rotated = `${logFile}.1`;
    renameSync(logFile, rotated);
    d.child.kill("SIGUSR1");
    await waitFor(
      async () => (linesWith(logFile, "log file reopened").length > 0 ? true : undefined),
      "the reopened log file",
    );
    await unauthorized();
    await waitFor(
      async () => (linesWith(logFile, "unauthorized request").length > 0 ? true : undefined),
      "a request logged in the new file",
    );
    assert.equal((statSync(logFile).mode & 0o777).toString(8), "640");
    assert.equal(
      linesWith(rotated, "unauthorized request").length,
      1,
      "the old file keeps its line",
    );
    assert.equal(linesWith(rotated, "log file reopened").length, 0);
    // Still running after the signal (Node's default would have started the inspector).
    assert.equal(d.child.exitCode, null);
    assert.doesNotMatch(d.stderr(), /Debugger listening/);
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });

  test("H17: an existing log file readable by everyone loses the others' access at start", async () => {
    const own = join(dir, "existing.yaml");
    const existing = join(dir, "existing.log");
    writeFileSync(existing, "", { mode: 0o644 });
    writeFileSync(own, configText(join(dir, "existing.db"), existing));
    const d = await startDaemon(own);
    children.push(d.child);
    assert.equal((statSync(existing).mode & 0o777).toString(8), "640");
    const line = await waitFor(
      async () => linesWith(existing, "log file was readable by others; now it is not")[0],
      "the line that says so",
    );
    assert.equal(line.mode, "0640");
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });
});
