/**
 * Placing the capture worker on a CPU of its own (`performance.capture_cpu`): the worker is
 * restricted to one CPU and every other thread of the process (HTTP, SQLite, the libuv pool
 * that reads capture files, V8's helpers) to the rest, so requests and disk never share the
 * packet path's core or its L2 cache. Threads started later inherit their creator's set.
 * Linux only; Node has no call for it, so the capture addon makes the system call.
 */
import { readdirSync, readlinkSync } from "node:fs";
import { NetnetError } from "../util/errors.js";

export type CaptureCpu = "none" | "auto" | number;

export interface AffinityPlan {
  /** The capture worker's CPU. */
  worker: number[];
  /** Every other thread's CPUs. */
  others: number[];
}

/** Codes of `AffinityError` (a failed system call is the addon's ERR_AFFINITY). */
export const AFFINITY_ERROR_CODES = [
  "ERR_AFFINITY_BAD_CPU", // performance.capture_cpu names a CPU this process may not use
  "ERR_AFFINITY_NO_THREAD", // the worker's thread id is unknown (no /proc/thread-self)
  "ERR_AFFINITY_NO_ADDON", // placing threads needs the capture addon, which is not built
] as const;
export type AffinityErrorCode = (typeof AFFINITY_ERROR_CODES)[number];

export class AffinityError extends NetnetError<AffinityErrorCode> {}

/**
 * Which CPUs the worker and the other threads get, from the CPUs the process may use; null
 * when there is nothing to do (`none`, or a single CPU to share).
 */
export function planAffinity(allowed: readonly number[], want: CaptureCpu): AffinityPlan | null {
  if (want === "none") return null;
  if (typeof want === "number" && !allowed.includes(want)) {
    throw new AffinityError(
      "ERR_AFFINITY_BAD_CPU",
      `performance.capture_cpu: CPU ${want} is not one this process may use (${allowed.join(", ")})`,
    );
  }
  const cpu = want === "auto" ? allowed[allowed.length - 1] : want;
  if (cpu === undefined || allowed.length < 2) return null;
  return { worker: [cpu], others: allowed.filter((c) => c !== cpu) };
}

/** The calling thread's id (Linux), or -1 where /proc/thread-self does not exist. */
export function currentThreadId(): number {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(tid) ? tid : -1;
  } catch {
    return -1;
  }
}

export interface AffinityCalls {
  threadAffinity(tid: number): number[];
  setThreadAffinity(tid: number, cpus: readonly number[]): void;
}

/** Applies a plan to every thread of this process; returns the plan, or null if none. */
export function placeCaptureWorker(
  sys: AffinityCalls,
  workerTid: number,
  want: CaptureCpu,
): AffinityPlan | null {
  if (want === "none") return null;
  if (workerTid < 0)
    throw new AffinityError(
      "ERR_AFFINITY_NO_THREAD",
      "performance.capture_cpu: the worker's thread id is unknown",
    );
  const plan = planAffinity(sys.threadAffinity(0), want);
  if (plan !== null) applyPlan(sys, plan, workerTid);
  return plan;
}

/** Puts thread `workerTid` (none: null) on the plan's worker CPU and every other thread of
 * this process on the rest. */
export function applyPlan(sys: AffinityCalls, plan: AffinityPlan, workerTid: number | null): void {
  for (const name of readdirSync("/proc/self/task")) {
    const tid = Number(name);
    try {
      sys.setThreadAffinity(tid, tid === workerTid ? plan.worker : plan.others);
    } catch (err: unknown) {
      // A thread that ended between the listing and the call is no longer there to place.
      if (!readdirSync("/proc/self/task").includes(name)) continue;
      throw err;
    }
  }
}
