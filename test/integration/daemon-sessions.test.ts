/**
 * Sessions in the real daemon process across a restart: a session lives only as long as its
 * user is in the config with the password it logged in with, whatever happened to the config
 * while the daemon was stopped.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { hashPassword } from "../../src/auth/index.js";
import { exited, startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";

function configText(db: string, users: readonly [string, string][]): string {
  return [
    "offline:",
    `  file: ${fixturePath("mixed.pcap")}`,
    "  speed: max",
    "api:",
    "  host: 127.0.0.1",
    "  port: 0",
    "users:",
    ...users.flatMap(([username, hash]) => [
      `  - username: ${username}`,
      `    password: "${hash}"`,
    ]),
    "stats:",
    "  tick_ms: 100",
    "database:",
    `  path: ${db}`,
    "  retention_days: 36500",
    "logging:",
    "  level: warn",
    "",
  ].join("\n");
}

async function login(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(r.status, 200, `login of ${username}`);
  return ((await r.json()) as { token: string }).token;
}

/** The status of GET /metrics with a session token, once the daemon has a snapshot. */
async function metricsStatus(url: string, token: string): Promise<number> {
  return waitFor(async () => {
    const r = await fetch(`${url}/metrics`, { headers: { "x-session-token": token } });
    await r.arrayBuffer();
    return r.status === 503 ? undefined : r.status;
  }, "an answer other than 503 from /metrics");
}

describe("netnet daemon: sessions across a restart (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-sessions-"));
  const db = join(dir, "netnet.db");
  const config = join(dir, "netnet.yaml");
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  test("H2: a user removed (or whose password changed) while the daemon was stopped has no working session after the restart", async () => {
    const [alice, bob, carol, carolNew] = await Promise.all(
      ["alice-pw", "bob-pw", "carol-pw", "carol-new-pw"].map((p) => hashPassword(p, 4)),
    );
    writeFileSync(
      config,
      configText(db, [
        ["alice", alice ?? ""],
        ["bob", bob ?? ""],
        ["carol", carol ?? ""],
      ]),
    );
    const first = await startDaemon(config);
    children.push(first.child);
    const tokens = {
      alice: await login(first.url, "alice", "alice-pw"),
      bob: await login(first.url, "bob", "bob-pw"),
      carol: await login(first.url, "carol", "carol-pw"),
    };
    for (const token of Object.values(tokens)) {
      assert.equal(await metricsStatus(first.url, token), 200);
    }
    first.child.kill("SIGTERM");
    assert.equal(await exited(first.child), 0, first.stderr());

    // While it is stopped: bob is removed and carol gets a new password.
    writeFileSync(
      config,
      configText(db, [
        ["alice", alice ?? ""],
        ["carol", carolNew ?? ""],
      ]),
    );
    const second = await startDaemon(config);
    children.push(second.child);
    // Sessions do survive a restart: alice's still works.
    assert.equal(await metricsStatus(second.url, tokens.alice), 200);
    assert.equal(await metricsStatus(second.url, tokens.bob), 401, "bob was removed");
    const stop = await fetch(`${second.url}/control/stop`, {
      method: "POST",
      headers: { "x-session-token": tokens.bob },
    });
    assert.equal(stop.status, 401, "bob cannot stop the capture");
    assert.equal(await metricsStatus(second.url, tokens.carol), 401, "carol's password changed");
    second.child.kill("SIGTERM");
    assert.equal(await exited(second.child), 0, second.stderr());

    // Removed at start, not only refused: only alice's session is left in the database.
    const file = new Database(db, { readonly: true });
    try {
      const users = file.prepare("SELECT username FROM sessions ORDER BY username").pluck().all();
      assert.deepEqual(users, ["alice"]);
    } finally {
      file.close();
    }
  });
});
