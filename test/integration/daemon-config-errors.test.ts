/**
 * Config errors of the real daemon process about keys that hold secrets: stderr at start, the
 * answer of POST /control/reload and the log line of a SIGHUP reload name the key and the
 * type of the value, never the value.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exited, startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath, REPO_ROOT } from "../support/paths.js";

const API_TOKEN = "q".repeat(20) + "R".repeat(20);
/** Secrets of the wrong YAML type: a numeric token, a password given as a list. */
const NUMERIC_TOKEN = "918273645012";
const LIST_PASSWORD = "hunter2-in-a-list";

function configText(dir: string, token: string, password: string): string {
  return [
    "offline:",
    `  file: ${fixturePath("mixed.pcap")}`,
    "  speed: max",
    "api:",
    "  host: 127.0.0.1",
    "  port: 0",
    `  token: ${token}`,
    "users:",
    "  - username: admin",
    `    password: ${password}`,
    "database:",
    `  path: ${join(dir, "netnet.db")}`,
    "  retention_days: 36500",
    "logging:",
    "  level: info",
    `  file: ${join(dir, "netnet.log")}`,
    "",
  ].join("\n");
}

describe("netnet daemon: config errors about secrets (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-configerr-"));
  const config = join(dir, "netnet.yaml");
  const logFile = join(dir, "netnet.log");
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  const bad = configText(dir, NUMERIC_TOKEN, `["${LIST_PASSWORD}"]`);

  test("H12: a token or password of the wrong type is named on stderr without its value", async () => {
    writeFileSync(config, bad);
    const child = spawn(
      process.execPath,
      [`${REPO_ROOT}bin/netnet.js`, "daemon", "--config", config],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    assert.equal(await exited(child), 1);
    assert.match(stderr, /api\.token: .*\(got a number, not shown/);
    assert.match(stderr, /users\.0\.password: .*\(got a list, not shown/);
    assert.ok(!stderr.includes(NUMERIC_TOKEN), stderr);
    assert.ok(!stderr.includes(LIST_PASSWORD), stderr);
  });

  test("H12: the reload answer and the SIGHUP log line name the key without its value", async () => {
    writeFileSync(config, configText(dir, API_TOKEN, "adminpass"));
    const d = await startDaemon(config);
    children.push(d.child);
    writeFileSync(config, bad);
    const r = await fetch(`${d.url}/control/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const body = (await r.json()) as { error: string; details?: string };
    assert.equal(r.status, 500);
    assert.match(String(body.details), /api\.token: .*\(got a number, not shown/);
    assert.ok(!JSON.stringify(body).includes(NUMERIC_TOKEN));
    assert.ok(!JSON.stringify(body).includes(LIST_PASSWORD));

    d.child.kill("SIGHUP");
    const line = await waitFor(async () => {
      if (!existsSync(logFile)) return undefined;
      return readFileSync(logFile, "utf8")
        .split("\n")
        .find((l) => l.includes("reload rejected"));
    }, "the rejected reload in the log");
    assert.match(line, /users\.0\.password: .*\(got a list, not shown/);
    const log = readFileSync(logFile, "utf8");
    assert.ok(!log.includes(NUMERIC_TOKEN), "the token is not logged");
    assert.ok(!log.includes(LIST_PASSWORD), "the password is not logged");
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });
});
