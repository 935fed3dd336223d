/**
 * The real daemon as a child process, for integration tests and benchmarks: started on a
 * config file, ready once it prints the URL it listens on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { REPO_ROOT } from "./paths.js";

export interface DaemonProcess {
  child: ChildProcess;
  /** The API's base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Everything the daemon wrote to stderr so far. */
  stderr: () => string;
}

/**
 * Starts `netnet daemon --config FILE`; rejects if it exits or is not listening in time.
 * `prefix` runs it through another command that ends by executing it (`ip netns exec NS`),
 * so the child is still the daemon itself.
 */
export function startDaemonProcess(
  config: string,
  timeoutMs = 15_000,
  prefix: readonly string[] = [],
): Promise<DaemonProcess> {
  const argv = [process.execPath, `${REPO_ROOT}bin/netnet.js`, "daemon", "--config", config];
  const [cmd = process.execPath, ...args] = [...prefix, ...argv];
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`daemon did not start: ${err}`));
    }, timeoutMs);
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /API on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => err });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}: ${err}`));
    });
  });
}

/** Resolves with the exit code once the process has ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
    else child.once("exit", (code) => r(code));
  });
}

/** Polls `fn` every 100 ms until it returns a value; throws after `ms`. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
