import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, setPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { tryLoadPcapAddon } from "../src/capture/live/pcap-addon.js";
import { applyPlan, planAffinity } from "../src/worker/affinity.js";
import { exited, startDaemonProcess } from "../test/support/daemon-process.js";
import { REPO_ROOT } from "../test/support/paths.js";
import { ensureCapture } from "./capture-gen.js";
import { fmtPps, median, table } from "./report.js";

/**
 * `npm run bench:api`: the real daemon replays a generated capture (1M packets, 100k flows)
 * in a loop at full speed while autocannon drives `/metrics` and `/api/flows` with 50
 * concurrent clients. Reports requests per second, latency percentiles, and the capture rate
 * (packets per second read by the capture worker) with and without the API load, measured
 * in the same run: idle, loaded, idle again, so drift shows. See docs/benchmarks.md.
 *
 * Targets: p99 latency under 50 ms; capture rate under load at least 90% of the idle rate.
 */

/** A heavy but plausible load besides the flood: every client pages the flow table 20 times
 * a second (1,000 requests/s with 50 clients; a dashboard asks about once in 5 s). */
const PACED_ROUTE = "/api/flows?limit=100";
const PACED_DEFAULT = 20;
const DEFAULT_ROUTES = [
  "/metrics",
  "/api/flows?limit=100",
  "/api/flows?limit=100&sort=packets&proto=tcp",
];

const USAGE = `usage: node dist/bench/api-bench.js [--seconds N] [--connections N] [--quick] [--route PATH]...

  --seconds N       length of each measured phase (default 10; 3 with --quick)
  --connections N   concurrent clients (default 50)
  --quick           a 100k-packet capture with 10k flows
  --route PATH      a route to load (repeatable); default: ${DEFAULT_ROUTES.join(", ")}
  --capture-cpu C   the daemon's performance.capture_cpu: none (default), auto, or a CPU;
                    the clients then keep off that CPU too
  --paced R         then ${PACED_ROUTE} at R requests/s per client (default 20; 0: skip)
`;

const TOKEN = "bench-token-".padEnd(48, "x");
const P99_TARGET_MS = 50;
const LOAD_NICE = 19;
const RATE_TARGET = 0.9;

interface Phase {
  route: string;
  /** Requests per second each client sends; 0 = as fast as answered (throughput). */
  per_client_rate: number;
  requests_per_second: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  latency_max_ms: number;
  errors: number;
  non_2xx: number;
  rate_idle_before: number;
  rate_loaded: number;
  rate_idle_after: number;
  rate_ratio: number;
}

/**
 * With the capture worker on a CPU of its own, the clients keep off it too, as clients on other
 * machines would: every thread of this process goes to the CPUs the daemon gives its other
 * threads.
 */
function keepOffCaptureCpu(captureCpu: string): void {
  const addon = tryLoadPcapAddon();
  if (addon === null)
    throw new Error("--capture-cpu needs the capture addon (npm run build:native)");
  const plan = planAffinity(
    addon.threadAffinity(0),
    captureCpu === "auto" ? "auto" : Number(captureCpu),
  );
  if (plan !== null) applyPlan(addon, plan, null);
}

async function received(url: string): Promise<number> {
  const r = await fetch(`${url}/api/system-health`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const h = (await r.json()) as { packets_received: number };
  return h.packets_received;
}

/** Packets per second the capture read over `seconds`, from the daemon's own counter (the
 * snapshot of each tick, so ticks bound the precision: long phases keep it small). */
async function captureRate(url: string, seconds: number): Promise<number> {
  const a = await received(url);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = await received(url);
  return ((b - a) * 1000) / (performance.now() - t0);
}

async function load(
  url: string,
  path: string,
  seconds: number,
  connections: number,
  perClientRate: number,
): Promise<{ result: autocannon.Result; rate: number }> {
  const before = await received(url);
  const t0 = performance.now();
  const result = await autocannon({
    url: `${url}${path}`,
    connections,
    duration: seconds,
    // 0: every client sends its next request as soon as the last one is answered.
    ...(perClientRate > 0 ? { connectionRate: perClientRate } : {}),
    // As a browser asks: big JSON answers come gzipped.
    headers: { authorization: `Bearer ${TOKEN}`, "accept-encoding": "gzip" },
  });
  const after = await received(url);
  return { result, rate: ((after - before) * 1000) / (performance.now() - t0) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string" },
      connections: { type: "string" },
      quick: { type: "boolean" },
      route: { type: "string", multiple: true },
      paced: { type: "string" },
      "capture-cpu": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const quick = values.quick === true;
  const seconds = Number(values.seconds ?? (quick ? 3 : 10));
  const connections = Number(values.connections ?? 50);
  const outDir = join(REPO_ROOT, "bench", "out");
  mkdirSync(outDir, { recursive: true });
  const spec = quick ? { packets: 100_000, flows: 10_000 } : { packets: 1_000_000, flows: 100_000 };
  const capture = ensureCapture(outDir, spec, (l) => process.stderr.write(`${l}\n`));

  const captureCpu = values["capture-cpu"] ?? "none";
  if (!/^(none|auto|[0-9]+)$/.test(captureCpu))
    throw new Error("--capture-cpu: none, auto or a CPU number");
  const dir = mkdtempSync(join(tmpdir(), "netnet-api-bench-"));
  const config = join(dir, "netnet.yaml");
  writeFileSync(
    config,
    [
      "offline:",
      `  file: ${capture.file}`,
      "  speed: max",
      "  loop: true",
      "api:",
      "  host: 127.0.0.1",
      "  port: 0",
      `  token: ${TOKEN}`,
      // The clients stand for many machines but all come from 127.0.0.1: the per-address cap
      // would refuse most of them.
      `  max_connections_per_address: ${Math.max(32, connections + 16)}`,
      `  max_connections: ${Math.max(512, connections + 16)}`,
      "database:",
      `  path: ${join(dir, "netnet.db")}`,
      "  retention_days: 36500",
      "logging:",
      "  level: warn",
      "performance:",
      `  capture_cpu: ${captureCpu}`,
      "",
    ].join("\n"),
  );
  const daemon = await startDaemonProcess(config);
  // The clients stand for browsers and scripts on other machines: their own CPU is not load
  // on the daemon. On a machine this small they would otherwise take a core from it, so the
  // load generator runs at the lowest priority (nice 19; the daemon's threads are not
  // affected) and gets what the daemon leaves.
  setPriority(0, LOAD_NICE);
  if (captureCpu !== "none") keepOffCaptureCpu(captureCpu);
  const phases: Phase[] = [];
  try {
    // Let the worker reach its steady state (tables sized, code optimised).
    await captureRate(daemon.url, Math.min(seconds, 3));
    const paced = Number(values.paced ?? PACED_DEFAULT);
    const plan: { route: string; perClient: number }[] = (values.route ?? DEFAULT_ROUTES).map(
      (route) => ({ route, perClient: 0 }),
    );
    if (paced > 0) plan.push({ route: PACED_ROUTE, perClient: paced });
    for (const { route, perClient } of plan) {
      const idleBefore = await captureRate(daemon.url, seconds);
      const { result, rate } = await load(daemon.url, route, seconds, connections, perClient);
      const idleAfter = await captureRate(daemon.url, seconds);
      const idle = (idleBefore + idleAfter) / 2;
      phases.push({
        route,
        per_client_rate: perClient,
        requests_per_second: result.requests.average,
        latency_p50_ms: result.latency.p50,
        latency_p99_ms: result.latency.p99,
        latency_max_ms: result.latency.max,
        errors: result.errors + result.timeouts,
        non_2xx: result.non2xx,
        rate_idle_before: idleBefore,
        rate_loaded: rate,
        rate_idle_after: idleAfter,
        rate_ratio: idle > 0 ? rate / idle : 0,
      });
    }
  } finally {
    daemon.child.kill("SIGTERM");
    await exited(daemon.child);
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = phases.map((p) => [
    p.per_client_rate > 0 ? `${p.route} (${p.per_client_rate}/s per client)` : p.route,
    Math.round(p.requests_per_second).toString(),
    p.latency_p50_ms.toFixed(1),
    p.latency_p99_ms.toFixed(1),
    p.latency_max_ms.toFixed(0),
    String(p.errors + p.non_2xx),
    fmtPps((p.rate_idle_before + p.rate_idle_after) / 2),
    fmtPps(p.rate_loaded),
    `${(p.rate_ratio * 100).toFixed(0)}%`,
  ]);
  process.stdout.write(
    `\nnet-net API under load: ${connections} clients, ${seconds} s per phase, capture ${capture.packets} packets / ${capture.flows} flows in a loop, ${cpus().length} cores, clients at nice ${LOAD_NICE}, capture_cpu ${captureCpu}\n\n`,
  );
  process.stdout.write(
    `${table(
      [
        "route",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "capture idle",
        "under load",
        "ratio",
      ],
      rows,
      new Set([1, 2, 3, 4, 5, 6, 7, 8]),
    )}\n`,
  );
  // The targets are for throughput (clients as fast as they are answered); the paced phase is
  // reported beside them.
  const flat = phases.filter((p) => p.per_client_rate === 0);
  const worstP99 = Math.max(...flat.map((p) => p.latency_p99_ms));
  const worstRatio = Math.min(...flat.map((p) => p.rate_ratio));
  const failures = phases.reduce((n, p) => n + p.errors + p.non_2xx, 0);
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  process.stdout.write(
    `\ntargets: p99 < ${P99_TARGET_MS} ms: ${worstP99.toFixed(1)} ms ${verdict(worstP99 < P99_TARGET_MS)}; ` +
      `capture under load >= ${RATE_TARGET * 100}%: ${(worstRatio * 100).toFixed(0)}% ${verdict(worstRatio >= RATE_TARGET)}; ` +
      `errors: ${failures} ${verdict(failures === 0)}\n`,
  );
  const out = join(outDir, "api-bench.json");
  writeFileSync(
    out,
    `${JSON.stringify({ capture: { packets: capture.packets, flows: capture.flows }, capture_cpu: captureCpu, connections, seconds, phases, median_idle_rate: median(phases.map((p) => p.rate_idle_before)) }, null, 2)}\n`,
  );
  process.stdout.write(`results: ${out}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:api failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
