import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CaptureMeta, CaptureSpec } from "./capture-gen.js";
import { ensureCapture, GENERATOR_VERSION } from "./capture-gen.js";
import { gnuTimeProblem, timedRun, warmPageCache } from "./measure.js";
import type { HeapCheck, MarginalRate, RunFigures, ToolResult } from "./report.js";
import {
  fmtCount,
  fmtPps,
  fmtRatio,
  kibToMb,
  marginalRate,
  median,
  ratios,
  resultsTable,
  table,
  targets,
} from "./report.js";
import type { Tool, ToolName } from "./tools.js";
import { allTools, isToolName, TOOL_NAMES } from "./tools.js";

/**
 * `npm run bench`: replays three generated captures (1M packets each, with 1k, 100k and 1M
 * flows) through `netnet replay --json`, the tcpdump read floor and the flow-aggregating
 * peers that are installed, and reports packets per second and peak RSS for each.
 * See docs/benchmarks.md.
 */

const USAGE = `usage: node dist/bench/replay-bench.js [--quick] [--only TOOLS] [--runs N] [--timeout SECONDS]

  --quick          100k-packet captures (1k, 10k, 100k flows), 1 run each
  --only TOOLS     comma-separated subset of: ${TOOL_NAMES.join(", ")}
  --runs N         runs per file and tool (default 3, or 1 with --quick); the median is reported
  --timeout S      kill a run after S seconds (default 600)
`;

/**
 * Allocation: young-generation collections per million packets once warm. A single 16-byte
 * object per packet is 16 MB per million packets, at least one scavenge of the 16 MiB young
 * generation, and real allocation sites make several objects; with nothing allocated per
 * packet only per-chunk bookkeeping remains, well under one collection.
 */
const ALLOC_MAX_SCAVENGES = 1;

interface AllocCheck {
  file: string;
  packets: number;
  scavenges: number;
  major_gcs: number;
  scavenges_per_million_packets: number;
  heap_used_growth_bytes: number;
}

/** Heap flatness: RSS over 10x the packets may grow by at most this factor. */
const HEAP_FLAT_MAX_RATIO = 1.1;

class UsageError extends Error {}
class BenchFailure extends Error {}

interface Options {
  quick: boolean;
  only: ToolName[] | undefined;
  runs: number;
  timeoutMs: number;
}

function parseOptions(argv: string[]): Options {
  let values: { quick?: boolean; only?: string; runs?: string; timeout?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        runs: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e: unknown) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  let only: ToolName[] | undefined;
  if (values.only !== undefined) {
    only = [];
    for (const raw of values.only.split(",")) {
      const name = raw.trim();
      if (name === "") continue;
      if (!isToolName(name))
        throw new UsageError(`unknown tool "${name}" in --only (known: ${TOOL_NAMES.join(", ")})`);
      if (!only.includes(name)) only.push(name);
    }
    if (only.length === 0) throw new UsageError("--only names no tool");
  }
  const quick = values.quick === true;
  const runs = values.runs === undefined ? (quick ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100)
    throw new UsageError("--runs must be an integer from 1 to 100");
  const timeoutS = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!(timeoutS > 0 && timeoutS <= 86_400))
    throw new UsageError("--timeout must be between 0 and 86400 seconds");
  return { quick, only, runs, timeoutMs: timeoutS * 1000 };
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function shellQuote(arg: string): string {
  return /^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The runs of one tool over one capture so far. */
interface Runs {
  tool: Tool;
  figures: RunFigures[];
  verified: string[];
  problems: string[];
  reported: Record<string, number>;
  shown: string;
}

/** Runs one tool once over one capture and adds the run to `acc`. */
async function runOnce(
  acc: Runs,
  capture: CaptureMeta,
  opts: Options,
  repoRoot: string,
): Promise<void> {
  const { tool } = acc;
  const i = acc.figures.length;
  const scratch = mkdtempSync(join(tmpdir(), `netnet-bench-${tool.name}-`));
  try {
    const cmd = tool.command(capture.file, scratch);
    acc.shown = [cmd.cmd === process.execPath ? "node" : cmd.cmd, ...cmd.args]
      .map((a) => (a === capture.file ? relative(repoRoot, a) : a === scratch ? "$TMPDIR" : a))
      .map(shellQuote)
      .join(" ");
    const run = await timedRun(cmd.cmd, cmd.args, {
      timeoutMs: opts.timeoutMs,
      ...(cmd.cwd === undefined ? {} : { cwd: cmd.cwd }),
    });
    const o = tool.check(run, capture, scratch, i === 0);
    acc.figures.push({
      wall_seconds: run.wallSeconds,
      time_e_seconds: run.timeSeconds,
      peak_rss_kib: run.peakRssKiB,
      exit_code: run.exitCode,
    });
    if (i === 0) {
      acc.verified.push(...o.verified);
      Object.assign(acc.reported, o.reported);
    }
    for (const p of o.problems) if (!acc.problems.includes(p)) acc.problems.push(p);
    log(
      `  ${tool.name.padEnd(9)} run ${i + 1}/${opts.runs}: ${run.wallSeconds.toFixed(3)} s, ` +
        `${kibToMb(run.peakRssKiB).toFixed(1)} MB${o.problems.length > 0 ? `  !! ${o.problems.join("; ")}` : ""}`,
    );
    if (tool.kind === "netnet" && o.problems.length > 0) {
      const stderr = run.stderr.trim().split("\n").slice(-5).join("\n    ");
      throw new BenchFailure(
        `netnet replay failed on ${relative(repoRoot, capture.file)}: ${o.problems.join("; ")}` +
          (stderr === "" ? "" : `\n  stderr:\n    ${stderr}`),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Runs every tool `runs` times over one capture, interleaved: round i runs each tool once,
 * starting from a different tool each round. Drifts in the machine's speed (other guests of
 * a virtual machine, page reclaim) then hit every tool alike instead of whichever tool
 * happened to run during them, and no tool always runs right after another.
 */
async function measureTools(
  tools: readonly Tool[],
  capture: CaptureMeta,
  opts: Options,
  repoRoot: string,
): Promise<ToolResult[]> {
  const accs: Runs[] = tools.map((tool) => ({
    tool,
    figures: [],
    verified: [],
    problems: [],
    reported: {},
    shown: "",
  }));
  for (let i = 0; i < opts.runs; i++) {
    for (let k = 0; k < accs.length; k++) {
      const acc = accs[(i + k) % accs.length];
      if (acc !== undefined) await runOnce(acc, capture, opts, repoRoot);
    }
  }
  return accs.map((acc) => fold(acc, capture));
}

/** Folds the runs of one tool into its result (median and best wall time). */
function fold(acc: Runs, capture: CaptureMeta): ToolResult {
  const walls = acc.figures.map((f) => f.wall_seconds);
  const med = median(walls);
  const min = Math.min(...walls);
  return {
    file: capture.file,
    packets: capture.packets,
    flows: capture.flows,
    tool: acc.tool.name,
    kind: acc.tool.kind,
    command: acc.shown,
    runs: acc.figures,
    median_wall_seconds: med,
    min_wall_seconds: min,
    pps_median: capture.packets / med,
    pps_best: capture.packets / min,
    peak_rss_mb: kibToMb(Math.max(...acc.figures.map((f) => f.peak_rss_kib))),
    verified: acc.verified,
    problems: acc.problems,
    reported: acc.reported,
  };
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const timeProblem = gnuTimeProblem();
  if (timeProblem !== undefined) {
    log(`replay-bench: ${timeProblem}`);
    return 2;
  }

  const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
  const outDir = join(repoRoot, "bench", "out");
  mkdirSync(outDir, { recursive: true });

  const selected = allTools(repoRoot).filter(
    (t) => opts.only === undefined || opts.only.includes(t.name),
  );
  const tools: Tool[] = [];
  const skipped: { tool: string; reason: string }[] = [];
  for (const t of selected) {
    const why = t.unavailable();
    if (why === undefined) {
      tools.push(t);
    } else if (t.kind === "netnet" && opts.only !== undefined) {
      throw new BenchFailure(`netnet was asked for with --only but cannot run: ${why}`);
    } else {
      skipped.push({ tool: t.name, reason: why });
      log(`skipping ${t.name}: ${why}`);
    }
  }
  if (tools.length === 0) throw new BenchFailure("no tool to run");

  // Captures are generated (or found in the cache) before anything is timed.
  const packets = opts.quick ? 100_000 : 1_000_000;
  const specs: CaptureSpec[] = (
    opts.quick ? [1_000, 10_000, 100_000] : [1_000, 100_000, 1_000_000]
  ).map((flows) => ({ packets, flows }));
  const captures = specs.map((s) => ensureCapture(outDir, s, log));
  const netnet = tools.find((t) => t.kind === "netnet");
  const heapShort =
    netnet === undefined
      ? undefined
      : ensureCapture(outDir, { packets: packets / 10, flows: 1_000 }, log);

  const results: ToolResult[] = [];
  for (const capture of captures) {
    log(
      `${relative(repoRoot, capture.file)}: ${fmtCount(capture.packets)} packets, ${fmtCount(capture.flows)} flows`,
    );
    warmPageCache(capture.file);
    results.push(...(await measureTools(tools, capture, opts, repoRoot)));
  }

  let heap: HeapCheck | undefined;
  const marginal: MarginalRate[] = [];
  const longCapture = captures[0];
  if (netnet !== undefined && heapShort !== undefined && longCapture !== undefined) {
    // Every tool runs on the short 1k-flow capture too: netnet's RSS there is the heap check,
    // and every tool's two times give its speed once started and its fixed cost.
    log(`short capture (heap flatness, fixed costs): ${relative(repoRoot, heapShort.file)}`);
    warmPageCache(heapShort.file);
    const shorts = await measureTools(tools, heapShort, opts, repoRoot);
    for (const sr of shorts) {
      const lr = results.find((r) => r.tool === sr.tool && r.file === longCapture.file);
      if (lr !== undefined) marginal.push(marginalRate(sr, lr));
    }
    const short = shorts.find((r) => r.tool === "netnet");
    const long = results.find((r) => r.tool === "netnet" && r.file === longCapture.file);
    if (long !== undefined && short !== undefined) {
      const ratio = long.peak_rss_mb / short.peak_rss_mb;
      heap = {
        long_file: long.file,
        long_packets: long.packets,
        short_file: short.file,
        short_packets: short.packets,
        flows: longCapture.flows,
        long_rss_mb: long.peak_rss_mb,
        short_rss_mb: short.peak_rss_mb,
        ratio,
        status: ratio <= HEAP_FLAT_MAX_RATIO ? "PASS" : "FAIL",
      };
    }
  }

  // Allocation on the packet path, counted in-process (bench/alloc-check.ts).
  const allocation: AllocCheck[] = [];
  if (netnet !== undefined) {
    for (const capture of captures) {
      const r = spawnSync(
        process.execPath,
        ["--expose-gc", join(repoRoot, "dist/bench/alloc-check.js"), capture.file],
        { encoding: "utf8", timeout: opts.timeoutMs },
      );
      if (r.status !== 0) throw new BenchFailure(`alloc-check failed: ${r.stderr}`);
      const a = JSON.parse(r.stdout) as AllocCheck;
      allocation.push({ ...a, file: relative(repoRoot, capture.file) });
    }
  }

  const rs = ratios(results, captures);
  const ts = targets(results, rs, captures);

  const out: string[] = [];
  out.push("");
  out.push(
    `replay benchmark: ${opts.quick ? "quick, " : ""}${fmtCount(packets)} packets per file, ` +
      `${opts.runs} run${opts.runs === 1 ? "" : "s"} each (median wall time; pkt/s = packets / median wall)`,
  );
  out.push("");
  out.push(resultsTable(results, rs));
  out.push("");
  if (rs.length > 0) {
    out.push(
      table(
        ["flows", "netnet pkt/s", "best peer", "netnet/best peer", "netnet/tcpdump"],
        rs.map((r) => [
          fmtCount(r.flows),
          fmtPps(r.netnet_pps),
          r.best_peer ?? "-",
          fmtRatio(r.vs_best_peer),
          fmtRatio(r.vs_tcpdump),
        ]),
        new Set([0, 1, 3, 4]),
      ),
    );
    out.push("");
  }
  out.push("targets (reported, not enforced):");
  for (const t of ts) out.push(`  [${t.status.padEnd(4)}] ${t.name}: ${t.detail}`);
  for (const a of allocation) {
    const ok = a.scavenges_per_million_packets <= ALLOC_MAX_SCAVENGES;
    out.push(
      `allocation (${a.file}): ${a.scavenges} scavenges, ${a.major_gcs} major collections over ` +
        `${fmtCount(a.packets)} packets [${ok ? "PASS" : "FAIL"}: nothing per packet means <= ${ALLOC_MAX_SCAVENGES} per million]`,
    );
  }
  if (marginal.length > 0 && longCapture !== undefined && heapShort !== undefined) {
    out.push("");
    out.push(
      `speed once started (${fmtCount(longCapture.flows)} flows): ${fmtCount(heapShort.packets)} and ` +
        `${fmtCount(longCapture.packets)} packets; rate = extra packets / extra time, fixed = the rest (not a target)`,
    );
    out.push(
      table(
        ["tool", "pkt/s once started", "fixed s"],
        marginal.map((m) => [
          m.tool,
          m.marginal_pps === null ? "-" : fmtPps(m.marginal_pps),
          m.fixed_seconds === null ? "-" : m.fixed_seconds.toFixed(3),
        ]),
        new Set([1, 2]),
      ),
    );
  }
  if (heap !== undefined) {
    out.push("");
    out.push(
      `heap flatness (${fmtCount(heap.flows)} flows): ${fmtCount(heap.long_packets)} packets ${heap.long_rss_mb.toFixed(1)} MB, ` +
        `${fmtCount(heap.short_packets)} packets ${heap.short_rss_mb.toFixed(1)} MB, ratio ${heap.ratio.toFixed(2)} ` +
        `[${heap.status}: flat means <= ${HEAP_FLAT_MAX_RATIO}]`,
    );
  }
  const unverified = results.filter((r) => r.problems.length > 0);
  if (unverified.length > 0) {
    out.push("");
    out.push("not verified (figures kept, but the tool did not account for every packet):");
    for (const r of unverified)
      out.push(`  ${r.tool} on ${relative(repoRoot, r.file)}: ${r.problems.join("; ")}`);
  }
  for (const s of skipped) out.push(`skipped ${s.tool}: ${s.reason}`);
  process.stdout.write(`${out.join("\n")}\n`);

  const resultsPath = join(outDir, "results.json");
  const doc = {
    generated_at: new Date().toISOString(),
    mode: opts.quick ? "quick" : "full",
    runs: opts.runs,
    generator_version: GENERATOR_VERSION,
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cpus: cpus().length,
      memory_gb: Number((totalmem() / 1e9).toFixed(1)),
      kernel: release(),
      node: process.version,
    },
    tools: Object.fromEntries(
      tools.map((t) => [t.name, { kind: t.kind, role: t.role, version: t.version() }]),
    ),
    skipped,
    captures: captures.map((c) => ({ ...c, file: relative(repoRoot, c.file) })),
    results: results.map((r) => ({ ...r, file: relative(repoRoot, r.file) })),
    ratios: rs.map((r) => ({ ...r, file: relative(repoRoot, r.file) })),
    targets: ts,
    allocation,
    marginal,
    heap_check:
      heap === undefined
        ? null
        : {
            ...heap,
            long_file: relative(repoRoot, heap.long_file),
            short_file: relative(repoRoot, heap.short_file),
          },
  };
  writeFileSync(resultsPath, `${JSON.stringify(doc, null, 2)}\n`);
  log(`wrote ${relative(repoRoot, resultsPath)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      log(`replay-bench: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (e instanceof BenchFailure) {
      log(`replay-bench: FAILED: ${e.message}`);
      process.exitCode = 1;
    } else {
      log(`replay-bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 1;
    }
  },
);
