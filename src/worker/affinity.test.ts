import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { tryLoadPcapAddon } from "../capture/live/pcap-addon.js";
import { AffinityError, currentThreadId, placeCaptureWorker, planAffinity } from "./affinity.js";

test("a plan gives the worker one CPU and the other threads the rest", () => {
  assert.deepEqual(planAffinity([0, 1, 2, 3], "auto"), { worker: [3], others: [0, 1, 2] });
  assert.deepEqual(planAffinity([2, 5, 7], 5), { worker: [5], others: [2, 7] });
  assert.equal(planAffinity([0, 1], "none"), null);
  assert.equal(planAffinity([4], "auto"), null, "one CPU: nothing to separate");
  assert.equal(planAffinity([4], 4), null);
  assert.throws(() => planAffinity([4], 5), AffinityError);
  assert.throws(
    () => planAffinity([0, 1], 3),
    (err: unknown) =>
      err instanceof AffinityError &&
      err.message === "performance.capture_cpu: CPU 3 is not one this process may use (0, 1)",
  );
});

function expandList(list: string): number[] {
  return list.split(",").flatMap((part) => {
    const [a, b] = part.split("-").map(Number);
    return Array.from({ length: (b ?? a ?? 0) - (a ?? 0) + 1 }, (_, i) => (a ?? 0) + i);
  });
}

function allowedList(tid: number): string {
  const status = readFileSync(`/proc/self/task/${tid}/status`, "utf8");
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] ?? "";
}

test("placing a real worker thread: it alone on its CPU, every other thread on the rest", async () => {
  const addon = tryLoadPcapAddon();
  assert.ok(addon, "the capture addon is built (CI builds it)");
  const allowed = addon.threadAffinity(0);
  // The addon reads what the kernel shows in /proc ("0-1,4" style lists).
  assert.deepEqual(allowed, expandList(allowedList(currentThreadId())));
  assert.ok(allowed.length >= 1 && allowed.length <= cpus().length);
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     const { readlinkSync } = require("node:fs");
     parentPort.postMessage(Number(readlinkSync("/proc/thread-self").split("/").pop()));
     setInterval(() => {}, 1000);`,
    { eval: true },
  );
  try {
    const tid = await new Promise<number>((resolve) => worker.once("message", resolve));
    assert.notEqual(tid, currentThreadId());
    const plan = placeCaptureWorker(addon, tid, "auto");
    if (allowed.length < 2) {
      assert.equal(plan, null);
      return;
    }
    assert.ok(plan);
    assert.deepEqual(addon.threadAffinity(tid), plan.worker);
    assert.deepEqual(addon.threadAffinity(0), plan.others);
    assert.equal(allowedList(tid), String(plan.worker[0]));
    for (const name of readdirSync("/proc/self/task")) {
      const other = Number(name);
      if (other === tid) continue;
      assert.deepEqual(addon.threadAffinity(other), plan.others, `thread ${other}`);
    }
    assert.throws(() => placeCaptureWorker(addon, -1, "auto"), /thread id is unknown/);
  } finally {
    await worker.terminate();
  }
});
