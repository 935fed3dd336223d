/**
 * The real daemon capturing live after it gave up its privileges: `netnet daemon` runs inside a
 * network namespace on one end of a veth pair, in two ways. As root with `privilege.drop` to
 * nobody/nogroup; and as nobody holding only CAP_NET_RAW and CAP_NET_ADMIN as ambient
 * capabilities, as examples/netnet.service runs it. Every thread of the process (the capture
 * worker's too) must show the dropped ids and no capability left, and a known mix sent across
 * the pair afterwards must be counted exactly, through the HTTP API. Then /control/stop and
 * /control/start: the handles cannot be reopened without the privileges, so stop pauses them;
 * what is sent while stopped is not counted, and capture goes on after start. Needs root (CI
 * runs as root) and the addon; all traffic stays in the namespaces.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startDaemonProcess } from "../support/daemon-process.js";
import { mixBytes, mixPackets, type TrafficMix } from "../support/live-traffic.js";
import { skipWithoutAddon } from "../support/pcap.js";
import { Agent } from "./live/agent-client.js";
import {
  CAPTURE_IF,
  createNetnsPair,
  destroyNetnsPair,
  type NetnsPair,
  netnsUnavailable,
  ownNamespaces,
  SENDER_IF,
} from "./live/netns.js";

const API_TOKEN = "d".repeat(16) + "E".repeat(16) + "f".repeat(8);
const NOBODY = 65534;
const NOGROUP = 65534;
const NO_CAPS = "0000000000000000";
/** CAP_NET_ADMIN (12) and CAP_NET_RAW (13): the service user's bounding set. */
const NET_CAPS = "0000000000003000";

const BEFORE_STOP: TrafficMix = { udp4: 40, tcp4: 20, icmp4: 10, udp6: 5, arp: 5 };
const WHILE_STOPPED: TrafficMix = { udp4: 300, tcp4: 100 };
const AFTER_START: TrafficMix = { udp4: 25, tcp4: 15, icmp4: 7, icmp6: 3, vlanUdp4: 2 };

interface Metrics {
  total_packets: number;
  total_bytes: number;
}
interface Health {
  packets_received: number;
  packets_dropped: number;
  capture_running: boolean;
  interfaces: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One HTTP request from inside the namespace (the API listens on its loopback), by a short
 * node script: no curl needed. Resolves with the status and the JSON body.
 */
function nsRequest(
  ns: string,
  method: string,
  url: string,
): Promise<{ status: number; body: unknown }> {
  const script = [
    "const [m, u, t] = process.argv.slice(1);",
    'const r = await fetch(u, { method: m, headers: { authorization: "Bearer " + t } });',
    "process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));",
  ].join("\n");
  return new Promise((resolve, reject) => {
    execFile(
      "ip",
      [
        "netns",
        "exec",
        ns,
        process.execPath,
        "--input-type=module",
        "-e",
        script,
        method,
        url,
        API_TOKEN,
      ],
      { timeout: 10_000, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`${method} ${url}: ${err.message} ${stderr}`));
        else resolve(JSON.parse(stdout) as { status: number; body: unknown });
      },
    );
  });
}

/** The lines `keys` of a /proc status file (`Uid:`, `Gid:`, `Groups:`, `CapEff:`, ...). */
function ids(statusFile: string, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(statusFile, "utf8").split("\n")) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m !== null && keys.includes(m[1])) out[m[1]] = m[2].trim().replace(/\s+/g, " ");
  }
  return out;
}

/** Every thread of `pid` with the lines `keys` of its status file. */
function threads(pid: number, keys: readonly string[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    out.set(tid, ids(`/proc/${pid}/task/${tid}/status`, keys));
  }
  return out;
}

const DROPPED_IDS = {
  Uid: `${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`,
  Gid: `${NOGROUP} ${NOGROUP} ${NOGROUP} ${NOGROUP}`,
  Groups: "",
};

/** How the daemon gets its capture rights and gives them up. */
interface RunAs {
  /** The `privilege:` section of its config. */
  privilege: string[];
  /** Runs between `ip netns exec NS` and node, ending by executing node. */
  wrapper: string[];
}

/** Root, dropping to nobody/nogroup once its handles are open. */
const ROOT_DROPPING: RunAs = {
  privilege: ["privilege:", "  drop: true", "  user: nobody", "  group: nogroup"],
  wrapper: [],
};

/**
 * nobody/nogroup from the start, holding only CAP_NET_RAW and CAP_NET_ADMIN as ambient
 * capabilities, in a bounding set of those two: what examples/netnet.service gives it
 * (AmbientCapabilities, CapabilityBoundingSet), here through util-linux's setpriv.
 */
const SERVICE_USER: RunAs = {
  privilege: ["privilege:", "  drop: false"],
  wrapper: [
    "setpriv",
    `--reuid=${NOBODY}`,
    `--regid=${NOGROUP}`,
    "--clear-groups",
    "--bounding-set=-all,+net_raw,+net_admin",
    "--inh-caps=-all,+net_raw,+net_admin",
    "--ambient-caps=-all,+net_raw,+net_admin",
  ],
};

interface LiveDaemon {
  /** The daemon's pid (`ip netns exec` and setpriv exec it: the child is node itself). */
  pid(): number;
  /** The daemon's log lines so far (logging.file). */
  log(): string;
  /** The database file. */
  db: string;
}

/**
 * The suite both ways share: the daemon started in a namespace as `runAs` says, then exact
 * counts, stop and start, and SIGTERM. `identity` adds the tests of who the daemon runs as.
 */
function liveDaemonSuite(
  title: string,
  runAs: RunAs,
  identity: (daemon: LiveDaemon) => void,
): void {
  const skip =
    netnsUnavailable() ||
    skipWithoutAddon ||
    (runAs.wrapper.length > 0 && !existsSync("/usr/bin/setpriv") && "setpriv is missing");
  describe(title, { skip }, () => {
    let pair: NetnsPair | null = null;
    let sender: Agent | null = null;
    let daemon: ChildProcess | null = null;
    let stderr = () => "";
    let url = "";
    const dir = mkdtempSync(join(tmpdir(), "netnet-daemon-live-"));
    const db = join(dir, "netnet.db");
    const logFile = join(dir, "netnet.log");

    const ns = (): string => {
      assert.ok(pair !== null);
      return pair.a;
    };
    const get = async <T>(path: string): Promise<T> => {
      const r = await nsRequest(ns(), "GET", `${url}${path}`);
      assert.equal(r.status, 200, `GET ${path}: ${JSON.stringify(r.body)}`);
      return r.body as T;
    };
    const inject = async (mix: TrafficMix) => {
      assert.ok(sender !== null);
      const sent = await sender.do({ op: "inject", mix });
      assert.equal(sent.frames, mixPackets(mix));
    };
    /** Waits for the API to show `want` packets, then a while longer so an extra one would show. */
    const settle = async (want: number): Promise<Metrics> => {
      const deadline = Date.now() + 10_000;
      let m = await get<Metrics>("/metrics");
      while (m.total_packets < want && Date.now() < deadline) {
        await sleep(100);
        m = await get<Metrics>("/metrics");
      }
      // More than the ring's block timeout and a tick (100 ms each).
      await sleep(600);
      return get<Metrics>("/metrics");
    };

    before(async () => {
      pair = await createNetnsPair("daemon");
      // The database and the log are created by nobody: the directory must belong to nobody.
      chownSync(dir, NOBODY, NOGROUP);
      const config = join(dir, "netnet.yaml");
      await writeFile(
        config,
        [
          "interface:",
          `  name: ${CAPTURE_IF}`,
          "  timeout_ms: 100",
          "api:",
          "  host: 127.0.0.1",
          "  port: 0",
          `  token: ${API_TOKEN}`,
          "stats:",
          "  tick_ms: 100",
          "database:",
          `  path: ${db}`,
          "logging:",
          `  file: ${logFile}`,
          ...runAs.privilege,
          "",
        ].join("\n"),
      );
      sender = await Agent.start(pair.b);
      await sender.do({ op: "injectOpen", device: SENDER_IF });
      const started = await startDaemonProcess(config, 20_000, [
        "ip",
        "netns",
        "exec",
        pair.a,
        ...runAs.wrapper,
      ]);
      daemon = started.child;
      url = started.url;
      stderr = started.stderr;
      // A fresh veth drops frames for a second or two after carrier: probe until the daemon
      // counts one, so the tests start on a link that delivers everything.
      const deadline = Date.now() + 15_000;
      let seen = 0;
      while (seen === 0 && Date.now() < deadline) {
        await inject({ udp4: 1 });
        await sleep(200);
        seen = (await get<Metrics>("/metrics")).total_packets;
      }
      assert.ok(seen > 0, "a probe frame crossed the veth pair within 15 s");
    });

    after(() => {
      if (daemon !== null && daemon.exitCode === null && daemon.signalCode === null) {
        daemon.kill("SIGKILL");
      }
      sender?.kill();
      if (pair !== null) destroyNetnsPair(pair);
      rmSync(dir, { recursive: true, force: true });
      if (pair !== null) assert.deepEqual(ownNamespaces(), [], "the namespaces are deleted");
    });

    identity({
      pid() {
        const pid = daemon?.pid;
        assert.ok(pid !== undefined);
        assert.match(readFileSync(`/proc/${pid}/cmdline`, "utf8"), /netnet\.js\0daemon/);
        return pid;
      },
      log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
      db,
    });

    test("counts exactly the packets sent after the drop", async () => {
      const start = await settle(0);
      const health0 = await get<Health>("/api/system-health");
      assert.equal(health0.capture_running, true);
      assert.deepEqual(health0.interfaces, [CAPTURE_IF]);
      await inject(BEFORE_STOP);
      const m = await settle(start.total_packets + mixPackets(BEFORE_STOP));
      assert.equal(m.total_packets - start.total_packets, mixPackets(BEFORE_STOP));
      assert.equal(m.total_bytes - start.total_bytes, mixBytes(BEFORE_STOP));
      const health = await get<Health>("/api/system-health");
      assert.equal(health.packets_received - health0.packets_received, mixPackets(BEFORE_STOP));
      assert.equal(health.packets_dropped, 0);
    });

    test("stop pauses capture: nothing sent meanwhile is counted, and start captures again", async () => {
      const base = await settle(0);
      const health0 = await get<Health>("/api/system-health");
      const stop = await nsRequest(ns(), "POST", `${url}/control/stop`);
      assert.deepEqual(stop, { status: 200, body: { status: "stopped" } });
      assert.equal((await get<Health>("/api/system-health")).capture_running, false);

      await inject(WHILE_STOPPED);
      const stopped = await settle(0);
      assert.equal(stopped.total_packets, base.total_packets, "nothing counted while stopped");
      const healthStopped = await get<Health>("/api/system-health");
      assert.equal(healthStopped.packets_received, health0.packets_received, "nor received");
      assert.equal(healthStopped.packets_dropped, 0, "nor dropped");

      // One control request per 2 s per client.
      await sleep(2100);
      const start = await nsRequest(ns(), "POST", `${url}/control/start`);
      assert.deepEqual(start, {
        status: 200,
        body: { status: "started", interface: CAPTURE_IF, interfaces: [CAPTURE_IF] },
      });
      assert.equal((await get<Health>("/api/system-health")).capture_running, true);
      await inject(AFTER_START);
      const m = await settle(base.total_packets + mixPackets(AFTER_START));
      assert.equal(m.total_packets - base.total_packets, mixPackets(AFTER_START));
      assert.equal(m.total_bytes - base.total_bytes, mixBytes(AFTER_START));
      const health = await get<Health>("/api/system-health");
      assert.equal(health.packets_received - health0.packets_received, mixPackets(AFTER_START));
      assert.equal(health.packets_dropped, 0, "no drop was counted while stopped");
      assert.doesNotMatch(stderr(), /capture ended/);
    });

    // Before stop paused, shutdown after a stop hung here (the worker closed the handles twice).
    test("SIGTERM ends the daemon cleanly after all that", { timeout: 15_000 }, async () => {
      const child = daemon;
      assert.ok(child !== null);
      const code = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      assert.equal(await code, 0, stderr());
    });
  });
}

liveDaemonSuite("netnet daemon, live, after the privilege drop", ROOT_DROPPING, (daemon) => {
  test("every thread of the daemon runs as nobody/nogroup, with no groups and no capabilities", () => {
    const pid = daemon.pid();
    const keys = ["Uid", "Gid", "Groups", "CapEff"];
    const want = { ...DROPPED_IDS, CapEff: NO_CAPS };
    assert.deepEqual(ids(`/proc/${pid}/status`, keys), want);
    const tasks = threads(pid, keys);
    // The main thread, the capture worker, V8's and libuv's helpers.
    assert.ok(tasks.size > 2, `threads: ${[...tasks.keys()].join(" ")}`);
    for (const [tid, got] of tasks) assert.deepEqual(got, want, `thread ${tid}`);
    assert.equal(statSync(daemon.db).uid, NOBODY, "the database was created after the drop");
  });

  test("H9: after the drop from root no thread keeps a capability, nor one to gain by exec (bounding set)", () => {
    const keys = ["CapEff", "CapPrm", "CapAmb", "CapInh", "CapBnd"];
    const tasks = threads(daemon.pid(), keys);
    assert.ok(tasks.size > 2, `threads: ${[...tasks.keys()].join(" ")}`);
    const want = { CapEff: NO_CAPS, CapPrm: NO_CAPS, CapAmb: NO_CAPS, CapInh: NO_CAPS };
    for (const [tid, got] of tasks) {
      assert.deepEqual(got, { ...want, CapBnd: NO_CAPS }, `thread ${tid}`);
    }
  });
});

liveDaemonSuite(
  "netnet daemon, live, as a service user with ambient CAP_NET_RAW and CAP_NET_ADMIN",
  SERVICE_USER,
  (daemon) => {
    test("H9: once the handles are open every thread clears CapEff, CapPrm and CapAmb before the API serves", () => {
      const pid = daemon.pid();
      const keys = ["Uid", "Gid", "Groups", "CapEff", "CapPrm", "CapAmb", "CapInh", "CapBnd"];
      const want = {
        ...DROPPED_IDS,
        CapEff: NO_CAPS,
        CapPrm: NO_CAPS,
        CapAmb: NO_CAPS,
        CapInh: NO_CAPS,
        // Only CAP_SETPCAP could narrow the bounding set further; NoNewPrivileges in the unit
        // (and the empty permitted set) keep it from being used.
        CapBnd: NET_CAPS,
      };
      const tasks = threads(pid, keys);
      // The main thread, the capture worker, V8's and libuv's helpers (Node's SIGUSR1
      // watchdog among them, which blocks every signal a program may block).
      assert.ok(tasks.size > 2, `threads: ${[...tasks.keys()].join(" ")}`);
      for (const [tid, got] of tasks) assert.deepEqual(got, want, `thread ${tid}`);
      const log = daemon.log();
      const cleared = log.indexOf('"capabilities cleared"');
      const serving = log.indexOf('"api listening"');
      assert.ok(cleared >= 0, `the clearing is logged: ${log}`);
      assert.ok(serving > cleared, "before the API listens");
      assert.equal(statSync(daemon.db).uid, NOBODY);
    });
  },
);
