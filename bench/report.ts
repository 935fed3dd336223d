import type { CaptureMeta } from "./capture-gen.js";
import type { ToolKind, ToolName } from "./tools.js";

/** Results of one tool over one capture, as printed and as written to results.json. */
export interface ToolResult {
  file: string;
  packets: number;
  flows: number;
  tool: ToolName;
  kind: ToolKind;
  command: string;
  runs: RunFigures[];
  median_wall_seconds: number;
  min_wall_seconds: number;
  /** Packets per second at the median and at the best (minimum) wall time. */
  pps_median: number;
  pps_best: number;
  /** Highest peak RSS over the runs, in MB (10^6 bytes). */
  peak_rss_mb: number;
  verified: string[];
  problems: string[];
  reported: Record<string, number>;
}

export interface RunFigures {
  wall_seconds: number;
  time_e_seconds: number;
  peak_rss_kib: number;
  exit_code: number;
}

export interface Ratio {
  file: string;
  flows: number;
  netnet_pps: number;
  best_peer: string | null;
  best_peer_pps: number | null;
  vs_best_peer: number | null;
  tcpdump_pps: number | null;
  vs_tcpdump: number | null;
}

export interface Target {
  name: string;
  /** "PASS", "FAIL", or "n/a" when the figures needed were not measured. */
  status: "PASS" | "FAIL" | "n/a";
  detail: string;
}

export interface HeapCheck {
  long_file: string;
  long_packets: number;
  short_file: string;
  short_packets: number;
  flows: number;
  long_rss_mb: number;
  short_rss_mb: number;
  ratio: number;
  status: "PASS" | "FAIL";
}

/**
 * A tool's speed once started, from two captures with the same flows and different lengths:
 * the extra packets over the extra time. What is left of the short run's time is its fixed
 * cost (process start, loading, a JIT's warm-up).
 */
export interface MarginalRate {
  tool: string;
  short_packets: number;
  long_packets: number;
  short_seconds: number;
  long_seconds: number;
  /** Packets per second beyond the short capture; null when the long run was not slower. */
  marginal_pps: number | null;
  /** Seconds of the short run not explained by the marginal rate. */
  fixed_seconds: number | null;
}

export function marginalRate(short: ToolResult, long: ToolResult): MarginalRate {
  const dp = long.packets - short.packets;
  const dt = long.median_wall_seconds - short.median_wall_seconds;
  const pps = dp > 0 && dt > 0 ? dp / dt : null;
  return {
    tool: long.tool,
    short_packets: short.packets,
    long_packets: long.packets,
    short_seconds: short.median_wall_seconds,
    long_seconds: long.median_wall_seconds,
    marginal_pps: pps,
    fixed_seconds:
      pps === null ? null : Math.max(0, short.median_wall_seconds - short.packets / pps),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function kibToMb(kib: number): number {
  return (kib * 1024) / 1e6;
}

/** Netnet's throughput against the best flow-aggregating peer and the tcpdump floor. */
export function ratios(results: readonly ToolResult[], captures: readonly CaptureMeta[]): Ratio[] {
  const out: Ratio[] = [];
  for (const c of captures) {
    const here = results.filter((r) => r.file === c.file && r.problems.length === 0);
    const nn = here.find((r) => r.tool === "netnet");
    if (nn === undefined) continue;
    let best: ToolResult | undefined;
    for (const r of here) {
      if (r.kind === "peer" && (best === undefined || r.pps_median > best.pps_median)) best = r;
    }
    const td = here.find((r) => r.tool === "tcpdump");
    out.push({
      file: c.file,
      flows: c.flows,
      netnet_pps: nn.pps_median,
      best_peer: best?.tool ?? null,
      best_peer_pps: best?.pps_median ?? null,
      vs_best_peer: best === undefined ? null : nn.pps_median / best.pps_median,
      tcpdump_pps: td?.pps_median ?? null,
      vs_tcpdump: td === undefined ? null : nn.pps_median / td.pps_median,
    });
  }
  return out;
}

/** The three targets of the benchmark; they are reported, never fatal. */
export function targets(
  results: readonly ToolResult[],
  rs: readonly Ratio[],
  captures: readonly CaptureMeta[],
): Target[] {
  const out: Target[] = [];
  const peerRatios = rs.filter((r) => r.vs_best_peer !== null);
  if (peerRatios.length === 0) {
    out.push({
      name: "faster than every flow-aggregating peer on every file",
      status: "n/a",
      detail: "netnet or peers not measured",
    });
  } else {
    const worst = peerRatios.reduce((a, b) =>
      (a.vs_best_peer ?? 0) <= (b.vs_best_peer ?? 0) ? a : b,
    );
    const ok =
      peerRatios.every((r) => (r.vs_best_peer ?? 0) > 1) && peerRatios.length === captures.length;
    out.push({
      name: "faster than every flow-aggregating peer on every file",
      status: ok ? "PASS" : "FAIL",
      detail: `worst: ${fmtRatio(worst.vs_best_peer)} vs ${worst.best_peer ?? "?"} at ${fmtCount(worst.flows)} flows`,
    });
  }

  const fewest = captures.reduce<CaptureMeta | undefined>(
    (a, b) => (a === undefined || b.flows < a.flows ? b : a),
    undefined,
  );
  const floor = rs.find(
    (r) => fewest !== undefined && r.file === fewest.file && r.vs_tcpdump !== null,
  );
  out.push(
    floor === undefined || fewest === undefined
      ? {
          name: ">= 0.5x tcpdump with 1k flows",
          status: "n/a",
          detail: "netnet or tcpdump not measured",
        }
      : {
          name: ">= 0.5x tcpdump with 1k flows",
          status: (floor.vs_tcpdump ?? 0) >= 0.5 ? "PASS" : "FAIL",
          detail: `${fmtRatio(floor.vs_tcpdump)} at ${fmtCount(fewest.flows)} flows`,
        },
  );

  const most = captures.reduce<CaptureMeta | undefined>(
    (a, b) => (a === undefined || b.flows > a.flows ? b : a),
    undefined,
  );
  const nn = results.find(
    (r) =>
      most !== undefined && r.file === most.file && r.tool === "netnet" && r.problems.length === 0,
  );
  const scaled =
    most !== undefined && most.flows < 1_000_000
      ? ` (this run's largest file has ${fmtCount(most.flows)} flows)`
      : "";
  out.push(
    nn === undefined || most === undefined
      ? { name: "peak RSS < 300 MB with 1M flows", status: "n/a", detail: "netnet not measured" }
      : {
          name: "peak RSS < 300 MB with 1M flows",
          status: nn.peak_rss_mb < 300 ? "PASS" : "FAIL",
          detail: `${nn.peak_rss_mb.toFixed(0)} MB${scaled}`,
        },
  );
  return out;
}

export function fmtCount(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

export function fmtRatio(r: number | null): string {
  return r === null ? "-" : `${r.toFixed(2)}x`;
}

export function fmtPps(pps: number): string {
  if (!Number.isFinite(pps)) return "-";
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)} M`;
  return `${(pps / 1e3).toFixed(0)} k`;
}

/** A plain-text table with left-aligned text and right-aligned numbers. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The main results table: one row per file and tool. */
export function resultsTable(results: readonly ToolResult[], rs: readonly Ratio[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const name = r.file.split("/").pop() ?? r.file;
    let note = r.problems.length > 0 ? `UNVERIFIED: ${r.problems[0] ?? ""}` : "";
    if (r.tool === "netnet" && r.problems.length === 0) {
      const ratio = rs.find((x) => x.file === r.file);
      if (ratio !== undefined) {
        const parts: string[] = [];
        if (ratio.vs_best_peer !== null)
          parts.push(`netnet/${ratio.best_peer ?? "?"} ${fmtRatio(ratio.vs_best_peer)}`);
        if (ratio.vs_tcpdump !== null) parts.push(`netnet/tcpdump ${fmtRatio(ratio.vs_tcpdump)}`);
        note = parts.join(", ");
      }
    }
    rows.push([
      name,
      fmtCount(r.flows),
      r.tool,
      fmtPps(r.pps_median),
      r.median_wall_seconds.toFixed(3),
      r.min_wall_seconds.toFixed(3),
      r.peak_rss_mb.toFixed(1),
      note,
    ]);
  }
  return table(
    [
      "file",
      "flows",
      "tool",
      "pkt/s (median)",
      "wall s (median)",
      "wall s (min)",
      "peak RSS MB",
      "notes",
    ],
    rows,
    new Set([1, 3, 4, 5, 6]),
  );
}
