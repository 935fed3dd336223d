import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CaptureMeta } from "./capture-gen.js";
import type { RunResult } from "./measure.js";
import { findExecutable } from "./measure.js";

/**
 * The tools the benchmark runs over each capture, with the exact offline invocation of
 * each and the checks that prove it read (and, for the flow tools, aggregated) every packet.
 *
 * No invocation opens a network socket: darkstat in `-r` mode starts neither its web
 * server nor its DNS child, softflowd without `-n` has no export destination (it still
 * builds the NetFlow v9 records, so the cost of encoding is measured), and nfpcapd writes
 * to a local directory (`-w`) instead of a collector (`-H`).
 */

/** netnet itself, the raw read floor, or a flow-aggregating peer. */
export type ToolKind = "netnet" | "floor" | "peer";

export const TOOL_NAMES = ["netnet", "tcpdump", "darkstat", "softflowd", "nfpcapd"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(s: string): s is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(s);
}

export interface Command {
  cmd: string;
  args: string[];
  cwd?: string;
}

/** What a run's output proved, and what it contradicted. */
export interface CheckOutcome {
  verified: string[];
  problems: string[];
  /** Figures the tool reported, kept in the results file (`packets`, `flows`, ...). */
  reported: Record<string, number>;
}

export interface Tool {
  name: ToolName;
  kind: ToolKind;
  /** One line on what the tool does in the comparison. */
  role: string;
  /** Why the tool cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  version(): string;
  /** The timed command. `scratch` is an empty directory the run may write to. */
  command(file: string, scratch: string): Command;
  /**
   * Checks one timed run against the capture. `deep` is set on the first run of each file
   * and allows slower, untimed checks (reading files the tool wrote, extra tool runs).
   */
  check(run: RunResult, meta: CaptureMeta, scratch: string, deep: boolean): CheckOutcome;
}

/** Length of the Ethernet header; darkstat, softflowd and nfpcapd count IP bytes. */
const ETH_HEADER = 14;

function outcome(): CheckOutcome {
  return { verified: [], problems: [], reported: {} };
}

/** Compares a reported figure with the expected one, recording either outcome. */
function expectEqual(o: CheckOutcome, what: string, got: number | undefined, want: number): void {
  if (got === undefined || Number.isNaN(got)) {
    o.problems.push(`${what}: not found in the output`);
  } else if (got !== want) {
    o.problems.push(`${what}: ${got}, expected ${want}`);
  } else {
    o.verified.push(`${what} = ${want}`);
  }
}

function firstNumber(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function commandVersion(cmd: string, args: string[], re: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  const text = `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
  return re.exec(text)?.[0]?.trim() ?? "unknown";
}

function exitedCleanly(o: CheckOutcome, run: RunResult): void {
  if (run.timedOut) o.problems.push("timed out and was killed");
  else if (run.exitCode !== 0) o.problems.push(`exit status ${run.exitCode}`);
}

function tail(text: string, lines: number): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** `node bin/netnet.js replay FILE --json`: one JSON object on stdout. */
export function netnetTool(repoRoot: string): Tool {
  const bin = join(repoRoot, "bin", "netnet.js");
  const main = join(repoRoot, "dist", "src", "cli", "main.js");
  return {
    name: "netnet",
    kind: "netnet",
    role: "decodes every frame, tracks bidirectional flows and aggregates; prints a JSON summary",
    unavailable: () =>
      !existsSync(bin)
        ? "bin/netnet.js not found"
        : !existsSync(main)
          ? "dist/src/cli/main.js not built yet (the replay command does not exist)"
          : undefined,
    version: () => {
      try {
        const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
        const v = (pkg as { version?: unknown }).version;
        return `net-net ${typeof v === "string" ? v : "?"} on node ${process.version}`;
      } catch {
        return `net-net on node ${process.version}`;
      }
    },
    command: (file) => ({
      cmd: process.execPath,
      args: ["bin/netnet.js", "replay", file, "--json"],
      cwd: repoRoot,
    }),
    check: (run, meta) => {
      const o = outcome();
      exitedCleanly(o, run);
      let parsed: unknown;
      try {
        parsed = JSON.parse(run.stdout);
      } catch {
        o.problems.push(`stdout is not one JSON object: ${tail(run.stdout || run.stderr, 3)}`);
        return o;
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        o.problems.push("stdout JSON is not an object");
        return o;
      }
      const obj = parsed as Record<string, unknown>;
      const num = (k: string): number | undefined => {
        const v = obj[k];
        if (typeof v !== "number") return undefined;
        o.reported[k] = v;
        return v;
      };
      expectEqual(o, "packets", num("packets"), meta.packets);
      expectEqual(o, "flow_count", num("flow_count"), meta.flows);
      const bytes = num("bytes");
      if (bytes === undefined) o.problems.push("bytes: missing");
      else if (bytes !== meta.bytes)
        o.verified.push(`bytes = ${bytes} (frame bytes ${meta.bytes})`);
      else o.verified.push(`bytes = ${bytes}`);
      if (num("elapsed_seconds") === undefined) o.problems.push("elapsed_seconds: missing");
      return o;
    },
  };
}

/** `tcpdump -r FILE -w /dev/null`: reads and copies records, decodes nothing. */
export function tcpdumpTool(): Tool {
  const exe = findExecutable("tcpdump");
  return {
    name: "tcpdump",
    kind: "floor",
    role: "the raw read floor: libpcap reads every record and writes it to /dev/null",
    unavailable: () =>
      exe === undefined ? "tcpdump not installed (Debian package tcpdump)" : undefined,
    version: () => commandVersion(exe ?? "tcpdump", ["--version"], /^tcpdump version \S+/m),
    command: (file) => ({ cmd: exe ?? "tcpdump", args: ["-r", file, "-w", "/dev/null"] }),
    check: (run, meta, _scratch, deep) => {
      const o = outcome();
      exitedCleanly(o, run);
      if (!/reading from file .*link-type EN10MB/.test(run.stderr)) {
        o.problems.push(`unexpected stderr: ${tail(run.stderr, 2)}`);
      }
      if (deep) {
        // `-w` prints no count; an untimed `--count` pass proves every record is readable.
        const r = spawnSync(exe ?? "tcpdump", ["-r", meta.file, "--count"], {
          encoding: "utf8",
          timeout: 300_000,
        });
        const n = firstNumber(`${r.stdout}\n${r.stderr}`, /^(\d+) packets?/m);
        if (n !== undefined) o.reported.packets = n;
        expectEqual(o, "packets (tcpdump --count)", n, meta.packets);
      }
      return o;
    },
  };
}

/**
 * darkstat's capture-file mode (`-r`) is meant for benchmarking: it reads the file into
 * its hosts and ports tables and exits, with no daemon, web server or DNS child. The host
 * and port limits are raised so that nothing is pruned (the defaults, 1000 hosts and 60
 * ports per host, would make it throw data away and re-sort its tables over and over).
 */
export function darkstatTool(): Tool {
  const exe = findExecutable("darkstat");
  const args = (file: string): string[] => [
    "-r",
    file,
    "--verbose",
    "--no-dns",
    "--hosts-max",
    "1000000",
    "--hosts-keep",
    "500000",
    "--ports-max",
    "65536",
    "--ports-keep",
    "32768",
  ];
  return {
    name: "darkstat",
    kind: "peer",
    role: "per-host and per-port byte/packet accounting (hosts table, not 5-tuple flows)",
    unavailable: () =>
      exe === undefined ? "darkstat not installed (Debian package darkstat)" : undefined,
    version: () => commandVersion(exe ?? "darkstat", ["--version"], /^darkstat \S+/m),
    command: (file) => ({ cmd: exe ?? "darkstat", args: args(file) }),
    check: (run, meta, scratch, deep) => {
      const o = outcome();
      exitedCleanly(o, run);
      const m = /Total packets: (\d+), bytes: (\d+)/.exec(run.stderr);
      const packets = m?.[1] === undefined ? undefined : Number(m[1]);
      const bytes = m?.[2] === undefined ? undefined : Number(m[2]);
      if (packets !== undefined) o.reported.packets = packets;
      if (bytes !== undefined) o.reported.bytes = bytes;
      expectEqual(o, "packets", packets, meta.packets);
      expectEqual(o, "IP bytes", bytes, meta.bytes - ETH_HEADER * meta.packets);
      if (deep) {
        // An untimed second run that exports its database: the header of the hosts
        // section (`DA 48 53 01`, then a big-endian count) says how many hosts it kept.
        const db = join(scratch, "darkstat.db");
        const r = spawnSync(exe ?? "darkstat", [...args(meta.file), "--export", db], {
          encoding: "utf8",
          timeout: 600_000,
        });
        let hosts: number | undefined;
        if (r.status === 0 && existsSync(db)) {
          const buf = readFileSync(db);
          if (
            buf.length >= 12 &&
            buf.readUInt32BE(0) === 0xda314159 &&
            buf.readUInt32BE(4) === 0xda485301
          ) {
            hosts = buf.readUInt32BE(8);
          }
        }
        if (hosts !== undefined) o.reported.hosts = hosts;
        expectEqual(o, "hosts (--export)", hosts, meta.hosts);
      }
      return o;
    },
  };
}

/**
 * softflowd reading a file tracks bidirectional flows, expires them all at the end of the
 * file and prints its statistics. `-m` is raised above the flow count so no flow is
 * expired early (the default is 8192); `-v 9` so IPv6 flows are tracked and encoded.
 * With no `-n` there is no destination, so nothing leaves the process.
 */
export function softflowdTool(): Tool {
  const exe = findExecutable("softflowd");
  return {
    name: "softflowd",
    kind: "peer",
    role: "bidirectional 5-tuple flow table, NetFlow v9 records built at expiry (not sent)",
    unavailable: () =>
      exe === undefined ? "softflowd not installed (Debian package softflowd)" : undefined,
    version: () => commandVersion(exe ?? "softflowd", ["-h"], /softflowd version [\d.]*\d/),
    command: (file) => ({
      cmd: exe ?? "softflowd",
      args: ["-r", file, "-m", "2000000", "-v", "9"],
    }),
    check: (run, meta) => {
      const o = outcome();
      exitedCleanly(o, run);
      const text = `${run.stdout}\n${run.stderr}`;
      const packets = firstNumber(text, /Packets processed: (\d+)/);
      const expired = firstNumber(text, /Flows expired: (\d+)/);
      const forced = firstNumber(text, /Flows expired: \d+ \((\d+) forced\)/);
      const records = firstNumber(text, /Flows exported: \d+ \((\d+) records\)/);
      if (packets !== undefined) o.reported.packets = packets;
      if (expired !== undefined) o.reported.flows = expired;
      if (records !== undefined) o.reported.records = records;
      expectEqual(o, "packets processed", packets, meta.packets);
      expectEqual(o, "flows expired", expired, meta.flows);
      expectEqual(o, "forced expiries", forced, 0);
      expectEqual(o, "v9 records (unidirectional flows)", records, meta.uni_flows);
      return o;
    },
  };
}

/**
 * nfpcapd reading a file builds unidirectional NetFlow-style records and writes them to
 * nfcapd files in a local directory, then exits at the end of the file.
 */
export function nfpcapdTool(): Tool {
  const exe = findExecutable("nfpcapd");
  const nfdump = findExecutable("nfdump");
  return {
    name: "nfpcapd",
    kind: "peer",
    role: "unidirectional flow cache (nfdump records) written to nfcapd files in a temp dir",
    unavailable: () =>
      exe === undefined ? "nfpcapd not installed (Debian package nfdump)" : undefined,
    version: () => commandVersion(exe ?? "nfpcapd", ["-V"], /Version: \S+/),
    command: (file, scratch) => ({ cmd: exe ?? "nfpcapd", args: ["-r", file, "-w", scratch] }),
    check: (run, meta, scratch, deep) => {
      const o = outcome();
      exitedCleanly(o, run);
      const text = `${run.stdout}\n${run.stderr}`;
      const processed = firstNumber(text, /Total: Processed: (\d+)/);
      const skipped = firstNumber(text, /Total: Processed: \d+, skipped: (\d+)/);
      if (processed !== undefined) o.reported.packets = processed;
      expectEqual(o, "packets processed", processed, meta.packets);
      expectEqual(o, "packets skipped", skipped, 0);
      if (deep) {
        if (nfdump === undefined) {
          o.problems.push("nfdump not installed, cannot read back the flow files");
        } else {
          // Read back what was written: the stat record of the nfcapd files.
          const r = spawnSync(nfdump, ["-R", scratch, "-I"], {
            encoding: "utf8",
            timeout: 300_000,
          });
          const stat = `${r.stdout}\n${r.stderr}`;
          const packets = firstNumber(stat, /^Packets: (\d+)/m);
          const bytes = firstNumber(stat, /^Bytes: (\d+)/m);
          const flows = firstNumber(stat, /^Flows: (\d+)/m);
          if (flows !== undefined) o.reported.flows = flows;
          expectEqual(o, "packets in flow files (nfdump -I)", packets, meta.packets);
          expectEqual(o, "IP bytes in flow files", bytes, meta.bytes - ETH_HEADER * meta.packets);
          // nfpcapd closes every DNS (port 53) packet as its own flow, so its count is
          // above the capture's unidirectional flow count; recorded, not compared.
          if (flows !== undefined) o.verified.push(`flow records = ${flows} (not compared)`);
        }
      }
      return o;
    },
  };
}

export function allTools(repoRoot: string): Tool[] {
  return [netnetTool(repoRoot), tcpdumpTool(), darkstatTool(), softflowdTool(), nfpcapdTool()];
}
