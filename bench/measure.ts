import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs one command under GNU time and reports its wall time and peak resident set size.
 *
 * The wall time is measured here with the monotonic clock around the child (GNU time's
 * `%e` has only 10 ms resolution, too coarse for sub-second runs); `%e` is kept alongside
 * as a cross-check. `%M` is the child's peak RSS in KiB, from wait4(2)'s rusage.
 */

export const GNU_TIME = "/usr/bin/time";

/** Why GNU time cannot be used, or undefined when it can. */
export function gnuTimeProblem(): string | undefined {
  if (!existsSync(GNU_TIME)) {
    return `${GNU_TIME} not found: install Debian's "time" package (apt-get install -y time)`;
  }
  // A functional probe: BusyBox and shell-builtin `time` lack `-f` or `%M`.
  const probe = spawnSync(GNU_TIME, ["-f", "%e %M", "true"], { encoding: "utf8", timeout: 10_000 });
  if (probe.status !== 0 || !/^\d+\.\d+ \d+\s*$/.test(probe.stderr ?? "")) {
    return `${GNU_TIME} does not support -f '%e %M': install Debian's "time" package (apt-get install -y time)`;
  }
  return undefined;
}

export interface RunResult {
  /** Wall seconds measured by the harness (monotonic clock, includes process start). */
  wallSeconds: number;
  /** GNU time's `%e`: elapsed seconds, 10 ms resolution. */
  timeSeconds: number;
  /** GNU time's `%M`: peak RSS in KiB. */
  peakRssKiB: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
}

/** Process groups of the runs in flight, killed if the harness itself is interrupted. */
const running = new Set<number>();
let signalsHooked = false;

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      for (const pgid of running) {
        try {
          process.kill(-pgid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      process.exit(130);
    });
  }
}

/** Keeps at most this much of each output stream (the head, where summaries may start). */
const OUTPUT_CAP = 4 << 20;

function collector(): { push(b: Buffer): void; text(): string } {
  const parts: Buffer[] = [];
  let size = 0;
  return {
    push(b: Buffer): void {
      if (size >= OUTPUT_CAP) return;
      parts.push(b);
      size += b.length;
    },
    text(): string {
      return Buffer.concat(parts).toString("utf8");
    },
  };
}

/**
 * Runs `cmd args` under `/usr/bin/time -f '%e %M'`. The child gets its own process group,
 * so on timeout the whole group (GNU time and the tool it started) is killed by its id.
 */
export function timedRun(
  cmd: string,
  args: readonly string[],
  opts: RunOptions,
): Promise<RunResult> {
  hookSignals();
  const dir = mkdtempSync(join(tmpdir(), "netnet-bench-"));
  const timeFile = join(dir, "time.txt");
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ["-f", "%e %M", "-o", timeFile, cmd, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    });
    const pgid = child.pid;
    if (pgid !== undefined) running.add(pgid);
    const out = collector();
    const err = collector();
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) {
        try {
          process.kill(-pgid, "SIGKILL");
        } catch {
          // The group is already gone.
        }
      }
    }, opts.timeoutMs);
    child.on("error", (e: Error) => {
      clearTimeout(timer);
      if (pgid !== undefined) running.delete(pgid);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code: number | null) => {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      if (pgid !== undefined) running.delete(pgid);
      let timeSeconds = Number.NaN;
      let peakRssKiB = Number.NaN;
      try {
        // GNU time writes "Command exited with non-zero status N" before the format line.
        const lines = readFileSync(timeFile, "utf8").trim().split("\n");
        const fields = (lines[lines.length - 1] ?? "").trim().split(/\s+/);
        timeSeconds = Number(fields[0]);
        peakRssKiB = Number(fields[1]);
      } catch {
        // No time file: the tool could not be started or was killed; reported below.
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        wallSeconds,
        timeSeconds,
        peakRssKiB,
        exitCode: code ?? -1,
        stdout: out.text(),
        stderr: err.text(),
        timedOut,
      });
    });
  });
}

/** Whether an executable is on PATH (or is an existing absolute path). */
export function findExecutable(name: string): string | undefined {
  if (name.startsWith("/")) return existsSync(name) ? name : undefined;
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"]);
  for (const d of dirs) {
    if (d === "") continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Reads a file once so that it sits in the page cache before anything is timed; otherwise
 * the first tool to run over a capture would also pay for the disk.
 */
export function warmPageCache(path: string): void {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    // Bounded: a read of 0 bytes is the end of the file.
    while (readSync(fd, buf, 0, buf.length, null) > 0) {}
  } finally {
    closeSync(fd);
  }
}
