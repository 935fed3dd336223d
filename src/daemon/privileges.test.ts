import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { memoryLogger } from "../../test/support/log.js";
import { pcapAddon, skipWithoutAddon } from "../../test/support/pcap.js";
import {
  capabilityNames,
  parseCapabilities,
  readProblem,
  threadCapabilities,
  warnIfUnreadableAfterDrop,
} from "./privileges.js";

/** A service user and group that own nothing else in the test's directory. */
const UID = 4242;
const GID = 4343;
const OTHER_GID = 4444;

const isRoot = process.getuid?.() === 0;

describe("whether the config file stays readable after the privilege drop", {
  skip: isRoot ? false : "needs root to give files other owners",
}, () => {
  let dir: string;
  /** A file in a directory everyone may enter, with this owner and mode. */
  const file = (name: string, uid: number, gid: number, mode: number): string => {
    const path = join(dir, name);
    writeFileSync(path, "api:\n  token: x\n");
    chownSync(path, uid, gid);
    chmodSync(path, mode);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "netnet-privileges-"));
    chmodSync(dir, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("H10: root:<the service group> 0640 is readable by the service user", () => {
    assert.equal(readProblem(file("shared.yaml", 0, GID, 0o640), UID, GID), null);
  });

  test("H10: a file only root may read is not, and the reason names its owner and mode", () => {
    const path = file("root-only.yaml", 0, 0, 0o600);
    assert.equal(
      readProblem(path, UID, GID),
      `${path} is 0:0 mode 0600: uid ${UID} (gid ${GID}) may not read it`,
    );
    // Another group than the service user's does not help either.
    const other = file("other-group.yaml", 0, OTHER_GID, 0o640);
    assert.match(readProblem(other, UID, GID) ?? "", /0:4444 mode 0640: uid 4242 .* may not read/);
  });

  test("H10: the class that matches decides, with no fallback to the next", () => {
    // The group matches and has no read bit: others' read bit does not apply to the group.
    assert.match(readProblem(file("group-denied.yaml", 0, GID, 0o604), UID, GID) ?? "", /0604/);
    // The owner matches and has no read bit: the group's does not apply to the owner.
    assert.match(readProblem(file("owner-denied.yaml", UID, GID, 0o040), UID, GID) ?? "", /0040/);
    assert.equal(readProblem(file("owner.yaml", UID, GID, 0o400), UID, GID), null);
    assert.equal(readProblem(file("world.yaml", 0, 0, 0o644), UID, GID), null);
  });

  test("H10: every directory above the file must be searchable", () => {
    const closed = join(dir, "closed");
    mkdirSync(closed);
    chmodSync(closed, 0o750); // root:root, so the service user is "others" here
    const path = join(closed, "netnet.yaml");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    assert.equal(
      readProblem(path, UID, GID),
      `${closed} is 0:0 mode 0750: uid ${UID} (gid ${GID}) may not enter it`,
    );
    chownSync(closed, 0, GID);
    assert.equal(readProblem(path, UID, GID), null);
  });

  test("H10: root reads anything; a missing file is a problem of its own", () => {
    assert.equal(readProblem(file("root.yaml", 0, 0, 0o000), 0, 0), null);
    assert.match(readProblem(join(dir, "missing.yaml"), UID, GID) ?? "", /cannot be found/);
  });

  test("H10: nothing is checked without a drop", () => {
    const { log, lines } = memoryLogger();
    const path = file("not-dropped.yaml", 0, 0, 0o600);
    warnIfUnreadableAfterDrop(path, { dropped: false, uid: 0, gid: 0 }, "netnet", log);
    assert.deepEqual(lines, []);
  });
});

const STATUS = [
  "Name:\tnode",
  "CapInh:\t0000000000000000",
  "CapPrm:\t0000000000003000",
  "CapEff:\t0000000000003000",
  "CapBnd:\t000001ffffffffff",
  "CapAmb:\t0000000000003000",
  "",
].join("\n");

test("a status file's capability lines are read as bit sets", () => {
  assert.deepEqual(parseCapabilities(7, STATUS), {
    tid: 7,
    effective: 0x3000n,
    permitted: 0x3000n,
    inheritable: 0n,
    ambient: 0x3000n,
    bounding: 0x1ffffffffffn,
  });
  assert.equal(capabilityNames(0x3000n), "cap_net_admin,cap_net_raw");
  assert.equal(capabilityNames(0n), "");
  assert.equal(capabilityNames(1n << 40n), "cap_checkpoint_restore");
});

test("every thread of this process is listed with its sets", () => {
  const own = threadCapabilities();
  assert.ok(own.length >= 1);
  assert.ok(
    own.some((t) => t.tid === process.pid),
    "the main thread's id is the pid",
  );
  for (const t of own) assert.equal(typeof t.effective, "bigint");
});

/**
 * A program that starts the threads a daemon has (a worker, libuv's pool), runs
 * dropPrivileges as a process that is not root, and prints what every thread holds after,
 * signal 32's disposition before and after, and whether the worker and the pool still work.
 */
const PROGRAM = (withAddon: boolean) => `
  import { Worker } from "node:worker_threads";
  import { readFile, readFileSync } from "node:fs";
  const { dropPrivileges, threadCapabilities, heldBy } = await import(${JSON.stringify(new URL("./privileges.js", import.meta.url).href)});
  const { silentLogger } = await import(${JSON.stringify(new URL("../util/log.js", import.meta.url).href)});
  const { tryLoadPcapAddon } = await import(${JSON.stringify(new URL("../capture/live/pcap-addon.js", import.meta.url).href)});
  const worker = new Worker("const { parentPort } = await import('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(m + 1));", { eval: true });
  await new Promise((r) => readFile("/etc/hostname", r));
  await new Promise((r) => setTimeout(r, 100));
  const caught = () => readFileSync("/proc/self/status", "utf8").match(/SigCgt:\\s*(\\S+)/)[1];
  const before = { threads: threadCapabilities().length, held: threadCapabilities().filter((t) => heldBy(t) !== 0n).length, caught: caught() };
  let result, error = null;
  try {
    result = dropPrivileges({ drop: false, user: "", group: "" }, silentLogger, ${withAddon ? "tryLoadPcapAddon()" : "null"});
  } catch (err) {
    error = { code: err.code, message: err.message };
  }
  const after = threadCapabilities().map((t) => ({ tid: t.tid, held: heldBy(t).toString(16) }));
  const answer = await new Promise((r) => { worker.once("message", r); worker.postMessage(41); });
  const pool = await new Promise((r) => readFile("/etc/hostname", (err) => r(err === null)));
  await worker.terminate();
  process.stdout.write(JSON.stringify({ before, result, error, after, caught: caught(), answer, pool }));
`;

/** nobody/nogroup holding CAP_NET_RAW and CAP_NET_ADMIN as ambient capabilities. */
const SERVICE_USER = [
  "setpriv",
  "--reuid=65534",
  "--regid=65534",
  "--clear-groups",
  "--inh-caps=-all,+net_raw,+net_admin",
  "--ambient-caps=-all,+net_raw,+net_admin",
];

interface Report {
  before: { threads: number; held: number; caught: string };
  result?: { dropped: boolean; uid: number; gid: number; clearedThreads: number };
  error: { code: string; message: string } | null;
  after: { tid: number; held: string }[];
  caught: string;
  answer: number;
  pool: boolean;
}

function runAsServiceUser(withAddon: boolean): Report {
  const r = spawnSync(
    SERVICE_USER[0] ?? "setpriv",
    [...SERVICE_USER.slice(1), process.execPath, "--input-type=module", "-e", PROGRAM(withAddon)],
    { encoding: "utf8", timeout: 20_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

const skipServiceUser =
  process.getuid?.() !== 0
    ? "changing to user nobody with ambient capabilities needs root (CI runs as root)"
    : !existsSync("/usr/bin/setpriv")
      ? "setpriv (util-linux) is missing"
      : false;

test("H9: a service user's ambient CAP_NET_RAW and CAP_NET_ADMIN are cleared from every thread, Node's SIGUSR1 watchdog's too, and the process goes on", {
  skip: skipServiceUser || skipWithoutAddon,
}, () => {
  const r = runAsServiceUser(true);
  // The main thread, the worker, V8's helpers, the SIGUSR1 watchdog and libuv's pool.
  assert.ok(r.before.threads > 8, `threads: ${r.before.threads}`);
  assert.equal(r.before.held, r.before.threads, "every thread held them before");
  assert.equal(r.error, null);
  assert.deepEqual(r.result, {
    dropped: false,
    uid: 65534,
    gid: 65534,
    clearedThreads: r.after.length,
  });
  for (const t of r.after) assert.equal(t.held, "0", `thread ${t.tid}`);
  assert.equal(r.caught, r.before.caught, "signal 32's disposition is put back");
  assert.equal(r.answer, 42, "the worker still answers");
  assert.equal(r.pool, true, "libuv's pool still reads files");
});

test("H9: without the capture addon a service user holding capabilities refuses to go on, naming them and the fix", {
  skip: skipServiceUser,
}, () => {
  const r = runAsServiceUser(false);
  assert.equal(r.error?.code, "ERR_PRIVILEGE_CAPABILITIES");
  assert.match(
    r.error?.message ?? "",
    /^this process holds cap_net_admin,cap_net_raw, which it does not need once its capture handles are open, and clearing them from every thread needs the capture addon: install the libpcap headers .* npm run build:native\. .* Or start it without capabilities\.$/,
  );
  assert.ok(r.after.every((t) => t.held === "3000"));
});

test("the addon's dropCapabilities rejects a set it does not know", {
  skip: skipWithoutAddon,
}, () => {
  const addon = pcapAddon;
  assert.ok(addon !== null);
  const call = addon.dropCapabilities as (sets: string) => number;
  assert.throws(() => call("effective"), {
    name: "TypeError",
    message: 'dropCapabilities("bounding" | "all")',
  });
});
