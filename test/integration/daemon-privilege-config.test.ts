/**
 * The real daemon started as root with privilege.drop: the config file, which reload reads
 * again as the service user, is checked at start, and a file the service user cannot read is
 * named in a warning with the fix, instead of failing every reload later without a word.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exited, startDaemonProcess as startDaemon, waitFor } from "../support/daemon-process.js";
import { fixturePath } from "../support/paths.js";

/** nobody:nogroup on Debian. */
const SERVICE_UID = 65534;
const SERVICE_GID = 65534;

function hasNobody(): boolean {
  const passwd = existsSync("/etc/passwd") ? readFileSync("/etc/passwd", "utf8") : "";
  const group = existsSync("/etc/group") ? readFileSync("/etc/group", "utf8") : "";
  return /^nobody:[^:]*:65534:/m.test(passwd) && /^nogroup:[^:]*:65534:/m.test(group);
}

const skip =
  process.getuid?.() !== 0
    ? "needs root, to start the daemon as root and drop to nobody"
    : hasNobody()
      ? false
      : "needs the user nobody and the group nogroup (65534)";

/** The log lines (JSON) whose `msg` starts with `prefix`. */
function linesStarting(file: string, prefix: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => typeof l.msg === "string" && l.msg.startsWith(prefix));
}

describe("netnet daemon: the config file after a privilege drop (real process)", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-privconfig-"));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the daemon on a config owned root:<group> with `mode`; returns its log file. */
  async function run(name: string, group: number, mode: number) {
    chmodSync(dir, 0o755);
    const data = join(dir, `${name}-data`);
    mkdirSync(data);
    chownSync(data, SERVICE_UID, SERVICE_GID);
    const logFile = join(dir, `${name}.log`);
    const config = join(dir, `${name}.yaml`);
    writeFileSync(
      config,
      [
        "offline:",
        `  file: ${fixturePath("mixed.pcap")}`,
        "  speed: max",
        "api:",
        "  host: 127.0.0.1",
        "  port: 0",
        "database:",
        `  path: ${join(data, "netnet.db")}`,
        "  retention_days: 36500",
        "privilege:",
        "  drop: true",
        "  user: nobody",
        "  group: nogroup",
        "logging:",
        "  level: info",
        `  file: ${logFile}`,
        "",
      ].join("\n"),
    );
    chownSync(config, 0, group);
    chmodSync(config, mode);
    const d = await startDaemon(config);
    children.push(d.child);
    await waitFor(
      async () => (linesStarting(logFile, "privileges dropped").length > 0 ? true : undefined),
      "the privilege drop",
    );
    return { d, logFile, config };
  }

  test("H10: a config file only root can read is named at start with the fix, and reload fails as it said", async () => {
    const { d, logFile, config } = await run("root-only", 0, 0o600);
    const warning = await waitFor(
      async () => linesStarting(logFile, "config file not readable after the privilege drop")[0],
      "the warning",
    );
    assert.equal(warning.level, 40);
    assert.equal(warning.config, config);
    assert.equal(warning.uid, SERVICE_UID);
    assert.equal(
      warning.reason,
      `${config} is 0:0 mode 0600: uid 65534 (gid 65534) may not read it`,
    );
    assert.match(String(warning.msg), /chown root:nogroup and chmod 0640/);
    d.child.kill("SIGHUP");
    await waitFor(
      async () => (linesStarting(logFile, "reload rejected").length > 0 ? true : undefined),
      "the rejected reload",
    );
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });

  test("H10: root:<the service group> 0640 passes the check, and reload works", async () => {
    const { d, logFile } = await run("shared", SERVICE_GID, 0o640);
    d.child.kill("SIGHUP");
    await waitFor(
      async () => (linesStarting(logFile, "config reloaded").length > 0 ? true : undefined),
      "the reload",
    );
    assert.deepEqual(linesStarting(logFile, "config file not readable"), []);
    d.child.kill("SIGTERM");
    assert.equal(await exited(d.child), 0, d.stderr());
  });
});
