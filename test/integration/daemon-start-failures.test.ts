/**
 * H1 (hardening): a start that fails at any step stops what already started, in reverse
 * order, and the process exits non-zero, so systemd sees the failure instead of an "active"
 * daemon with a capture worker and no API. Each case is the real daemon process on a real
 * file, database and socket.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fixturePath, REPO_ROOT } from "../support/paths.js";

/** Longest a failed start may take to end the process. */
const EXIT_WITHIN_MS = 10_000;

interface Ended {
  code: number | null;
  stderr: string;
  log: { component?: string; msg: string; level: number }[];
}

/** Runs `netnet daemon` on `config`; resolves when it exits, rejects if it is still running
 * after EXIT_WITHIN_MS (then it is killed). */
function runUntilExit(config: string, logFile: string): Promise<Ended> {
  const child = spawn(
    process.execPath,
    [`${REPO_ROOT}bin/netnet.js`, "daemon", "--config", config],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the daemon was still running ${EXIT_WITHIN_MS} ms after: ${stderr}`));
    }, EXIT_WITHIN_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const log = readFileSync(logFile, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Ended["log"][number]);
      resolve({ code, stderr, log });
    });
  });
}

describe("a failed start exits non-zero and leaves nothing running (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-start-fail-"));
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  /** A config replaying a capture in a loop (capture never ends by itself), plus `extra`. */
  const configWith = (extra: string[]): { config: string; logFile: string } => {
    const name = `case-${n++}`;
    const config = join(dir, `${name}.yaml`);
    const logFile = join(dir, `${name}.log`);
    writeFileSync(
      config,
      [
        "offline:",
        `  file: ${fixturePath("mixed.pcap")}`,
        "  speed: recorded",
        "  loop: true",
        "users:",
        "  - username: admin",
        "    password: adminpass",
        "logging:",
        "  level: debug",
        `  file: ${logFile}`,
        ...extra,
        "",
      ].join("\n"),
    );
    return { config, logFile };
  };

  /** The capture had started, then the named component's failure stopped it, and the
   * process ended with status 1. */
  const assertStoppedAfter = (r: Ended, component: string) => {
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.log.some((l) => l.msg === "capture started"));
    const failed = r.log.find((l) => l.msg === "start failed; stopping what started");
    assert.equal(failed?.component, component);
    assert.ok(
      r.log.some((l) => l.level === 60),
      "the reason is logged at fatal level",
    );
  };

  test("H1: a database that is not SQLite ends the start with status 1", async () => {
    const db = join(dir, "not-a-database.db");
    writeFileSync(
      db,
      "this is not an SQLite database, just text long enough for a header\n".repeat(4),
    );
    const { config, logFile } = configWith(["database:", `  path: ${db}`, "api:", "  port: 0"]);
    const r = await runUntilExit(config, logFile);
    assertStoppedAfter(r, "history");
    assert.match(r.stderr, /not an SQLite database/);
  });

  test("H1: a port already taken ends the start with status 1", async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const { config, logFile } = configWith([
      "database:",
      `  path: ${join(dir, "port.db")}`,
      "api:",
      "  host: 127.0.0.1",
      `  port: ${port}`,
    ]);
    const r = await runUntilExit(config, logFile);
    assertStoppedAfter(r, "api");
    assert.match(r.stderr, /EADDRINUSE|address already in use/);
  });

  test("H1: a privilege drop to an unknown user ends the start with status 1", {
    skip: process.getuid?.() === 0 ? false : "dropping privileges needs root (CI runs as root)",
  }, async () => {
    const { config, logFile } = configWith([
      "database:",
      `  path: ${join(dir, "drop.db")}`,
      "api:",
      "  port: 0",
      "privilege:",
      "  drop: true",
      "  user: netnet-no-such-user",
    ]);
    const r = await runUntilExit(config, logFile);
    assertStoppedAfter(r, "privileges");
    assert.match(r.stderr, /cannot drop privileges to user netnet-no-such-user/);
  });
});

describe("signals around the start (real process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-start-signal-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a SIGTERM sent the moment the daemon says it is ready ends it cleanly, every time", async () => {
    const config = join(dir, "c.yaml");
    writeFileSync(
      config,
      [
        "offline:",
        `  file: ${fixturePath("mixed.pcap")}`,
        "  speed: recorded",
        "  loop: true",
        "api:",
        "  port: 0",
        "database:",
        `  path: ${join(dir, "h.db")}`,
        "",
      ].join("\n"),
    );
    for (let i = 0; i < 3; i++) {
      const child = spawn(
        process.execPath,
        [`${REPO_ROOT}bin/netnet.js`, "daemon", "--config", config],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (/API on http/.test(stderr)) child.kill("SIGTERM");
      });
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.once("exit", (c, s) => resolve([c, s])),
      );
      assert.deepEqual([code, signal], [0, null], stderr);
    }
  });
});
