/**
 * `netnet replay <file>`: processes a capture file as fast as it can and prints a report.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { CaptureFileError, readCaptureFile } from "../capture/file/capture-file-reader.js";
import type { BpfFilterSink } from "../capture/live/bpf-filter-sink.js";
import { DEFAULTS, type StatsSettings, type TrackingConfig } from "../config/defaults.js";
import { engineConfigFrom, PacketEngine } from "../engine/packet-engine.js";
import { buildReport, FlowCollector, type ReplayReport } from "../engine/report.js";
import { warmUpPacketPath } from "../engine/warm-up.js";
import type { FlowRecord } from "../flows/flow-record.js";
import { ProgressBar } from "./progress.js";
import { formatReport } from "./report-text.js";

export interface ReplayOptions {
  json: boolean;
  top: number;
  flowsOut?: string;
  config?: string;
  progress: boolean;
  /** BPF expression: only matching packets are processed (as tcpdump -r FILE EXPR). */
  bpf?: string;
}

/** Exit codes: 0 success, 1 could not run, 2 the file is damaged (report still printed). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_DAMAGED = 2;

/** Buffers JSON lines and writes them in large synchronous chunks. */
class LineWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;
  constructor(path: string) {
    this.fd = openSync(path, "w");
  }
  write(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(""), "utf8");
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    this.parts = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

export interface ReplayResult {
  report: ReplayReport;
  exitCode: number;
  /** With --bpf: packets the filter passed and rejected. */
  filter: { expression: string; matched: number; rejected: number } | null;
}

/**
 * Runs a replay and returns its report; throws CaptureFileError / ConfigError on failure, and
 * LiveCaptureError when --bpf is given and the filter or the addon is not usable.
 */
export async function runReplay(file: string, opts: ReplayOptions): Promise<ReplayResult> {
  // The YAML parser and validator load only when a config file is given: a plain replay
  // starts faster without them.
  const config: { tracking: TrackingConfig; stats: StatsSettings } = opts.config
    ? (await import("../config/config.js")).loadConfigFile(opts.config)
    : DEFAULTS;
  let writer: LineWriter | null = null;
  try {
    if (opts.flowsOut !== undefined) writer = new LineWriter(opts.flowsOut);
    const out = writer;
    const collector = new FlowCollector(
      opts.top,
      out === null ? null : (r: FlowRecord) => out.write(`${JSON.stringify(r)}\n`),
    );
    const engine = new PacketEngine(engineConfigFrom(config), collector);
    // The filter compiles before the file is opened, so a bad expression fails at once with
    // libpcap's message. The addon loads only for --bpf: plain replay never needs it.
    let filter: BpfFilterSink | null = null;
    if (opts.bpf !== undefined) {
      const live = await import("../capture/live/bpf-filter-sink.js");
      const { loadPcapAddon } = await import("../capture/live/pcap-addon.js");
      filter = new live.BpfFilterSink(loadPcapAddon(), opts.bpf, engine);
    }
    const bar = opts.progress ? ProgressBar.forStderr(() => engine.packets) : null;
    const started = performance.now();
    // Teaches V8 every packet path before the file's packets take them (see warm-up.ts).
    warmUpPacketPath();
    const result = await readCaptureFile(file, filter ?? engine, {
      ...(bar ? { onProgress: (done: number, total: number) => bar.update(done, total) } : {}),
    });
    engine.finish();
    const elapsed = (performance.now() - started) / 1000;
    bar?.clear();
    const report = buildReport(engine, collector, {
      file,
      format: result.format,
      compressed: result.compressed,
      interfaces: result.interfaces.map((i) => ({
        linktype: i.linktype,
        snaplen: i.snaplen,
        name: i.name,
      })),
      damage: result.damage,
      elapsedSeconds: elapsed,
      topN: opts.top,
    });
    return {
      report,
      exitCode: result.damage === null ? EXIT_OK : EXIT_DAMAGED,
      filter:
        filter === null
          ? null
          : { expression: filter.expression, matched: filter.matched, rejected: filter.rejected },
    };
  } finally {
    writer?.close();
  }
}

/** The command's action: prints the report (JSON or text) and sets the exit code. */
export async function replayCommand(file: string, opts: ReplayOptions): Promise<number> {
  let result: ReplayResult;
  try {
    result = await runReplay(file, opts);
  } catch (err: unknown) {
    if (
      err instanceof CaptureFileError ||
      (err instanceof Error && (err.name === "ConfigError" || err.name === "LiveCaptureError"))
    ) {
      process.stderr.write(`netnet replay: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  const { report, filter } = result;
  if (filter !== null) {
    process.stderr.write(
      `netnet replay: filter "${filter.expression}" matched ${filter.matched} of ${filter.matched + filter.rejected} packets\n`,
    );
  }
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  if (report.damage !== null) {
    process.stderr.write(
      `netnet replay: ${file} is damaged at byte ${report.damage.offset}: ${report.damage.message} (${report.packets} packets before it were processed)\n`,
    );
  }
  return result.exitCode;
}
