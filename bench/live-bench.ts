/**
 * `npm run bench:live`: the capacity of the live path (libpcap ring → addon → LiveSource →
 * PacketEngine with full decode, flow tracking and statistics, in a worker_thread as the
 * daemon runs it), measured beside tcpdump on the same traffic in the same run.
 *
 * Everything happens in two network namespaces this benchmark creates (prefix `nnlive-PID`)
 * and deletes at the end, also on failure or Ctrl-C: two veth pairs, senders in one namespace
 * injecting UDP frames (pcap_inject, bounded in count and time), the capturers in the other.
 *
 * Before each measurement both get 200k frames of other flows, so netnet's code is optimised
 * as in a daemon that has been running (docs/benchmarks.md has figures without this too).
 *
 * 1. Rate: PACKETS frames injected as fast as one process can (about 0.3-0.4 Mpps here) into
 *    the default 32 MiB ring, the consumer running: drops must be 0.
 * 2. Drain: the consumer is stopped (SIGSTOP), PACKETS frames queue in a 256 MiB ring, then
 *    SIGCONT and the time until the last one is processed gives the capacity, with 1k and
 *    100k flows. CPU per packet from the consumer's own CPU time over the drain.
 * 3. Workers: two interfaces drained at once by one worker (the daemon's choice) or by one
 *    worker per interface.
 *
 * netnet's CPU is process.cpuUsage() in the runner (every thread); tcpdump's is its
 * /proc/PID/schedstat run time (nanoseconds; tcpdump has one thread). docs/benchmarks.md
 * has the method and figures.
 * Usage: node dist/bench/live-bench.js [--reps N] [--packets N] [--only rate,drain,workers]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Agent } from "../test/integration/live/agent-client.js";
import {
  addVethPair,
  CAPTURE_IF,
  createNetnsPair,
  destroyNetnsPair,
  type NetnsPair,
  SENDER_IF,
} from "../test/integration/live/netns.js";
import { TRAFFIC_KINDS } from "../test/support/live-traffic.js";
import { REPO_ROOT } from "../test/support/paths.js";
import { nowMs } from "./live-unit.js";
import { fmtRatio, median, table } from "./report.js";

const PREFIX = "nnlive";
const RUNNER = `${REPO_ROOT}dist/bench/live-runner.js`;
const CAPTURE_IF2 = "veth2";
const SENDER_IF2 = "veth3";
const DRAIN_RING = 256 * 1024 * 1024;
const RATE_RING = 32 * 1024 * 1024;
const BATCH = 1024 * 1024;
/** Longer than either consumer's ring block timeout (netnet 100 ms, tcpdump 1000 ms). */
const RETIRE_WAIT_MS = 1500;
const FRAME_LEN = TRAFFIC_KINDS.udp4.frame.length;
/**
 * Frames sent before each measurement, to other flows (another destination port), with the
 * consumer running: a daemon runs for days, so its code is optimised by then; a cold process
 * would spend the first 100k packets or so compiling. tcpdump gets the same traffic.
 */
const WARMUP = 200_000;
const WARMUP_PORT = 6001;

const RATE = "rate, 1k flows, 32 MiB ring";
const DRAIN_1K = "drain, 1k flows, 256 MiB ring";
const DRAIN_100K = "drain, 100k flows, 256 MiB ring";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Measure {
  tool: string;
  packets: number;
  seen: number;
  dropped: number;
  seconds: number;
  mpps: number;
  cpuNsPerPacket: number;
  /** The injection rate of the senders (rate runs). */
  generatedMpps?: number;
}

const PARTS = ["rate", "drain", "workers"] as const;
type Part = (typeof PARTS)[number];

function args(): { reps: number; packets: number; only: Set<Part> } {
  const out = { reps: 3, packets: 1_000_000, only: new Set<Part>(PARTS) };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] === "--only") {
      const names = (a[i + 1] ?? "").split(",");
      const bad = names.filter((n) => !(PARTS as readonly string[]).includes(n));
      if (bad.length > 0) throw new Error(`--only takes some of ${PARTS.join(",")}`);
      out.only = new Set(names as Part[]);
      continue;
    }
    const v = Number(a[i + 1]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${a[i]} needs a positive whole number`);
    if (a[i] === "--reps") out.reps = v;
    else if (a[i] === "--packets") out.packets = v;
    else throw new Error(`unknown option ${a[i]}`);
  }
  return out;
}

/** CPU seconds a single-threaded process has run (sum_exec_runtime, nanoseconds). */
function schedCpu(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

class Bench {
  private senders: Agent[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly agents = new Set<Agent>();

  constructor(
    private readonly pair: NetnsPair,
    private readonly packets: number,
  ) {}

  async setUp(): Promise<void> {
    for (const dev of [SENDER_IF, SENDER_IF2]) {
      const s = await this.agent(this.pair.b, undefined);
      await s.do({ op: "injectOpen", device: dev });
      this.senders.push(s);
    }
    // A fresh veth drops frames for a second or two after carrier: probe both links until
    // a capturer sees a frame on each.
    for (const [i, dev] of [CAPTURE_IF, CAPTURE_IF2].entries()) {
      const runner = await this.agent(this.pair.a, RUNNER);
      try {
        await runner.do({ op: "open", mode: "main", interfaces: [dev], ...this.ring(RATE_RING) });
        const deadline = Date.now() + 15_000;
        let seen = 0;
        while (seen === 0 && Date.now() < deadline) {
          await this.senders[i].do({ op: "injectFlows", flows: 1, count: 1 });
          await sleep(200);
          seen = Number((await runner.do({ op: "stats" })).packets);
        }
        if (seen === 0) throw new Error(`no probe frame crossed ${dev} within 15 s`);
        await runner.do({ op: "exit" });
      } finally {
        this.end(runner);
      }
    }
  }

  private ring(bufferSize: number) {
    return { bufferSize, batchSize: BATCH, timeoutMs: 100 };
  }

  private async agent(ns: string, script: string | undefined): Promise<Agent> {
    const a = await Agent.start(ns, script);
    this.agents.add(a);
    return a;
  }

  private end(a: Agent): void {
    a.kill();
    this.agents.delete(a);
  }

  private async inject(
    count: number,
    flows: number,
    links: number,
    dport?: number,
  ): Promise<number> {
    const op = { op: "injectFlows", flows, count, ...(dport !== undefined ? { dport } : {}) };
    const r = await Promise.all(this.senders.slice(0, links).map((s) => s.do(op, 120_000)));
    const seconds = Math.max(...r.map((x) => Number(x.seconds)));
    const frames = r.reduce((n, x) => n + Number(x.frames), 0);
    if (frames !== count * links) throw new Error(`injected ${frames} of ${count * links}`);
    return frames / seconds / 1e6;
  }

  /** netnet: the runner in `mode`, stopped while the frames queue (drain) or running (rate). */
  async netnet(
    mode: "worker" | "workers",
    links: number,
    flows: number,
    drain: boolean,
  ): Promise<Measure> {
    const runner = await this.agent(this.pair.a, RUNNER);
    try {
      const interfaces = [CAPTURE_IF, CAPTURE_IF2].slice(0, links);
      await runner.do({
        op: "open",
        mode,
        interfaces,
        ...this.ring(drain ? DRAIN_RING : RATE_RING),
      });
      await this.inject(WARMUP, flows, links, WARMUP_PORT);
      const warm = Date.now() + 10_000;
      while (Number((await runner.do({ op: "stats" })).packets) < WARMUP * links) {
        if (Date.now() > warm) throw new Error("the warm-up frames did not all arrive");
        await sleep(20);
      }
      await runner.do({ op: "arm", packets: this.packets });
      const pid = runner.pid;
      if (pid === undefined) throw new Error("runner has no pid");
      let t0 = 0;
      let generatedMpps: number | undefined;
      if (drain) {
        process.kill(pid, "SIGSTOP");
        await this.inject(this.packets, flows, links);
        await sleep(RETIRE_WAIT_MS);
        t0 = nowMs();
        process.kill(pid, "SIGCONT");
      } else {
        t0 = nowMs();
        generatedMpps = await this.inject(this.packets, flows, links);
      }
      const r = await runner.do({ op: "result", timeoutMs: 20_000 }, 30_000);
      await runner.do({ op: "exit" });
      const total = this.packets * links;
      const seconds = r.reached === true ? (Number(r.at) - t0) / 1000 : Number.NaN;
      return {
        tool:
          links > 1
            ? `netnet (${mode === "worker" ? "1 worker" : "1 worker per interface"})`
            : "netnet",
        packets: total,
        seen: Number(r.packets) - WARMUP * links,
        dropped: Number(r.dropped),
        seconds,
        // A rate run's last packets wait for the ring block timeout: no capacity figure.
        mpps: drain ? total / seconds / 1e6 : Number.NaN,
        cpuNsPerPacket: (Number(r.cpuSeconds) * 1e9) / total,
        ...(generatedMpps !== undefined ? { generatedMpps } : {}),
      };
    } finally {
      this.end(runner);
    }
  }

  /** tcpdump on CAPTURE_IF writing to a tmpfs file, the same way. */
  async tcpdump(flows: number, drain: boolean): Promise<Measure> {
    const file = `/dev/shm/${PREFIX}-${process.pid}-tcpdump.pcap`;
    const kib = (drain ? DRAIN_RING : RATE_RING) / 1024;
    const child = spawn(
      "ip",
      ["netns", "exec", this.pair.a, "tcpdump", "-i", CAPTURE_IF, "-nn", "-s", "262144"].concat([
        "-B",
        String(kib),
        "-w",
        file,
      ]),
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    this.children.add(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!stderr.includes("listening on")) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`tcpdump: ${stderr}`);
        await sleep(10);
      }
      const pid = child.pid;
      if (pid === undefined) throw new Error("tcpdump has no pid");
      // The file is complete once the last packet is written; stdio keeps at most one buffer
      // (4 KiB on tmpfs) unwritten, about 50 of these records: the end is within that.
      const complete = 24 + (WARMUP + this.packets) * (16 + FRAME_LEN) - 8192;
      await this.inject(WARMUP, flows, 1, WARMUP_PORT);
      const warm = Date.now() + 10_000;
      while (!existsSync(file) || statSync(file).size < 24 + WARMUP * (16 + FRAME_LEN) - 8192) {
        if (Date.now() > warm) throw new Error("the warm-up frames did not all arrive");
        await sleep(20);
      }
      let t0 = 0;
      let cpu0 = 0;
      let generatedMpps: number | undefined;
      if (drain) {
        process.kill(pid, "SIGSTOP");
        await this.inject(this.packets, flows, 1);
        await sleep(RETIRE_WAIT_MS);
        cpu0 = schedCpu(pid);
        t0 = nowMs();
        process.kill(pid, "SIGCONT");
      } else {
        cpu0 = schedCpu(pid);
        t0 = nowMs();
        generatedMpps = await this.inject(this.packets, flows, 1);
      }
      const until = Date.now() + 20_000;
      let t1 = Number.NaN;
      while (Date.now() < until) {
        if (existsSync(file) && statSync(file).size >= complete) {
          t1 = nowMs();
          break;
        }
        await sleep(1);
      }
      const cpu = schedCpu(pid) - cpu0;
      // Everything is in: the final statistics (tcpdump prints them on SIGINT).
      await sleep(drain ? 100 : RETIRE_WAIT_MS);
      process.kill(pid, "SIGINT");
      await exited;
      const count = (what: string) =>
        Number(new RegExp(`(\\d+) packets? ${what}`).exec(stderr)?.[1]);
      const seconds = (t1 - t0) / 1000;
      return {
        tool: "tcpdump",
        packets: this.packets,
        seen: count("captured") - WARMUP,
        dropped: count("dropped by kernel"),
        seconds,
        mpps: drain ? this.packets / seconds / 1e6 : Number.NaN,
        cpuNsPerPacket: (cpu * 1e9) / this.packets,
        ...(generatedMpps !== undefined ? { generatedMpps } : {}),
      };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      this.children.delete(child);
      rmSync(file, { force: true });
    }
  }

  /** Ends every process this benchmark started (by PID) that is still running. */
  killAll(): void {
    for (const c of this.children)
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const a of this.agents) a.kill();
    this.agents.clear();
  }
}

interface Row {
  what: string;
  runs: Measure[];
}

function summary(runs: readonly Measure[]) {
  const ok = runs.every((m) => m.seen === m.packets && m.dropped === 0);
  return {
    mpps: median(runs.map((m) => m.mpps)),
    mppsMin: Math.min(...runs.map((m) => m.mpps)),
    mppsMax: Math.max(...runs.map((m) => m.mpps)),
    cpu: median(runs.map((m) => m.cpuNsPerPacket)),
    dropped: Math.max(...runs.map((m) => m.dropped)),
    seen: Math.min(...runs.map((m) => m.seen)),
    generated: median(runs.map((m) => m.generatedMpps ?? Number.NaN)),
    ok,
  };
}

function render(rows: readonly Row[], reps: number, packets: number): string {
  const out: string[] = [];
  const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  out.push(
    `live capture, ${packets.toLocaleString("en-US")} frames of ${FRAME_LEN} bytes per run, median of ${reps}`,
  );
  const body = rows.map((r) => {
    const s = summary(r.runs);
    return [
      r.what,
      r.runs[0]?.tool ?? "",
      Number.isFinite(s.generated) ? fmt(s.generated, 3) : "",
      Number.isFinite(s.mpps) ? `${fmt(s.mpps)} (${fmt(s.mppsMin)}-${fmt(s.mppsMax)})` : "-",
      fmt(s.cpu, 0),
      s.seen.toLocaleString("en-US"),
      String(s.dropped),
      s.ok ? "ok" : "LOST",
    ];
  });
  out.push(
    table(
      [
        "measurement",
        "tool",
        "sent Mpps",
        "Mpps median (min-max)",
        "CPU ns/pkt",
        "seen (min)",
        "dropped (max)",
        "",
      ],
      body,
      new Set([2, 3, 4, 5, 6]),
    ),
  );
  out.push("");
  const byWhat = new Map<string, Row[]>();
  for (const r of rows) byWhat.set(r.what, [...(byWhat.get(r.what) ?? []), r]);
  for (const [what, rs] of byWhat) {
    if (rs.length !== 2) continue;
    const [a, b] = rs.map((r) => summary(r.runs));
    const rate = Number.isFinite(a.mpps) ? `drain rate ${fmtRatio(a.mpps / b.mpps)}, ` : "";
    out.push(
      `${what}: ${rs[0].runs[0]?.tool}/${rs[1].runs[0]?.tool} ${rate}CPU per packet ${fmtRatio(a.cpu / b.cpu)}`,
    );
  }
  const nn = (what: string) =>
    summary(rows.find((r) => r.what === what && r.runs[0]?.tool === "netnet")?.runs ?? []);
  if (!rows.some((r) => r.what === RATE) || !rows.some((r) => r.what === DRAIN_1K)) {
    return out.join("\n");
  }
  const rate = nn(RATE);
  const drains = [DRAIN_1K, DRAIN_100K].map((w) => nn(w).mpps);
  const pass = (ok: boolean) => (ok ? "[PASS]" : "[FAIL]");
  out.push(
    "",
    "targets:",
    `${pass(rate.ok && rate.dropped === 0)} no drops at the highest rate generated (${rate.generated.toFixed(3)} Mpps): netnet dropped ${rate.dropped}, saw ${rate.seen.toLocaleString("en-US")}`,
    `${pass(Math.min(...drains) >= 3)} drain with full decode and flow tracking at least 3 Mpps: ${drains.map((d) => d.toFixed(2)).join(" (1k flows), ")} Mpps (100k flows)`,
  );
  return out.join("\n");
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("bench:live needs root (network namespaces)");
  if (!existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: npm run build`);
  const { reps, packets, only } = args();
  const pair = await createNetnsPair(`${Date.now() % 100000}`, PREFIX);
  const bench = new Bench(pair, packets);
  const cleanUp = () => {
    bench.killAll();
    destroyNetnsPair(pair);
  };
  const onSignal = () => {
    cleanUp();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await addVethPair(pair, CAPTURE_IF2, SENDER_IF2);
    await bench.setUp();
    const rows: Row[] = [];
    const row = (what: string, tool: string): Row => {
      let r = rows.find((x) => x.what === what && x.runs[0]?.tool === tool);
      if (r === undefined) {
        r = { what, runs: [] };
        rows.push(r);
      }
      return r;
    };
    const record = (what: string, m: Measure) => {
      process.stderr.write(
        `${what} ${m.tool}: ${m.mpps.toFixed(2)} Mpps drained, ${(m.generatedMpps ?? Number.NaN).toFixed(3)} Mpps sent, ${m.cpuNsPerPacket.toFixed(0)} ns/pkt, seen ${m.seen}, dropped ${m.dropped}\n`,
      );
      const r = row(what, m.tool);
      r.runs.push(m);
    };
    for (let rep = 0; rep < reps; rep++) {
      // Alternate who goes first, so neither always meets the warmer machine.
      const pairRun = async (
        what: string,
        a: () => Promise<Measure>,
        b: () => Promise<Measure>,
      ) => {
        const [x, y] = rep % 2 === 0 ? [a, b] : [b, a];
        record(what, await x());
        record(what, await y());
      };
      if (only.has("rate"))
        await pairRun(
          RATE,
          () => bench.netnet("worker", 1, 1000, false),
          () => bench.tcpdump(1000, false),
        );
      for (const flows of only.has("drain") ? [1000, 100_000] : []) {
        await pairRun(
          flows === 1000 ? DRAIN_1K : DRAIN_100K,
          () => bench.netnet("worker", 1, flows, true),
          () => bench.tcpdump(flows, true),
        );
      }
      if (only.has("workers"))
        await pairRun(
          "drain, 2 interfaces, 1k flows each",
          () => bench.netnet("worker", 2, 1000, true),
          () => bench.netnet("workers", 2, 1000, true),
        );
    }
    const text = render(rows, reps, packets);
    process.stdout.write(`${text}\n`);
    const dir = join(REPO_ROOT, "bench", "out");
    mkdirSync(dir, { recursive: true });
    const name =
      only.size === PARTS.length ? "live-results" : `live-results-${[...only].join("-")}`;
    writeFileSync(
      join(dir, `${name}.json`),
      `${JSON.stringify({ date: new Date().toISOString(), reps, packets, rows }, null, 2)}\n`,
    );
    writeFileSync(join(dir, `${name}.txt`), `${text}\n`);
    process.stderr.write(`results in ${dir}/${name}.{json,txt}\n`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:live: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
