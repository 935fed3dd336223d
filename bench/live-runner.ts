/**
 * netnet's side of the live benchmark, a process of its own so that the benchmark can stop it
 * (SIGSTOP) while packets queue in its rings. Run inside the capture namespace
 * (`ip netns exec NS node dist/bench/live-runner.js`); it speaks the capture agent's protocol
 * (test/integration/live/agent-client.ts): one JSON command per stdin line, one reply per line.
 *
 * Modes: "worker", every interface in one worker_thread (what the daemon does); "workers",
 * one worker_thread per interface; "main", everything in this thread (no worker).
 */

import { Worker } from "node:worker_threads";
import { type Command, serveCommands } from "../test/integration/live/agent-protocol.js";
import { CaptureUnit, type UnitOptions } from "./live-unit.js";
import type { WorkerCommand, WorkerEvent } from "./live-worker.js";

interface UnitStats {
  received: number;
  dropped: number;
  packets: number;
}

/** A capture unit here or in a worker: stats, a target to reach, close. */
interface Unit {
  /** How many interfaces it captures (its target is that many times the per-interface count). */
  readonly width: number;
  stats(): Promise<UnitStats>;
  /** Arms the target; resolves once armed, with the promise of the time it is reached. */
  arm(packets: number): Promise<{ reached: Promise<number> }>;
  close(): Promise<void>;
}

function localUnit(opts: UnitOptions): Unit {
  const unit = new CaptureUnit(opts, () => {});
  return {
    width: opts.interfaces.length,
    stats: async () => unit.stats(),
    arm: async (packets) => ({ reached: unit.arm(packets) }),
    close: async () => unit.close(),
  };
}

async function workerUnit(opts: UnitOptions): Promise<Unit> {
  const worker = new Worker(new URL("./live-worker.js", import.meta.url), { workerData: opts });
  const waiting = new Map<string, ((e: WorkerEvent) => void)[]>();
  const next = (type: WorkerEvent["type"]): Promise<WorkerEvent> =>
    new Promise((resolve) => {
      const list = waiting.get(type) ?? [];
      list.push(resolve);
      waiting.set(type, list);
    });
  const failed = new Promise<never>((_, reject) => worker.once("error", reject));
  failed.catch(() => {});
  worker.on("message", (e: WorkerEvent) => waiting.get(e.type)?.shift()?.(e));
  const send = (c: WorkerCommand): void => worker.postMessage(c);
  await Promise.race([next("ready"), failed]);
  return {
    width: opts.interfaces.length,
    async stats() {
      const reply = next("stats");
      send({ op: "stats" });
      const e = await reply;
      if (e.type !== "stats") throw new Error("unexpected reply");
      return { received: e.received, dropped: e.dropped, packets: e.packets };
    },
    async arm(packets) {
      const armed = next("armed");
      const reached = next("reached").then((e) => (e.type === "reached" ? e.at : Number.NaN));
      send({ op: "arm", packets });
      await armed;
      return { reached };
    },
    async close() {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      send({ op: "close" });
      await exited;
    },
  };
}

let units: Unit[] = [];
let armed: { reached: Promise<number>[]; cpu: NodeJS.CpuUsage } | null = null;

function num(c: Command, key: string): number {
  const v = c[key];
  if (typeof v !== "number") throw new Error(`${c.op}: ${key} must be a number`);
  return v;
}

async function totals(): Promise<UnitStats> {
  const all = await Promise.all(units.map((u) => u.stats()));
  return all.reduce(
    (t, s) => ({
      received: t.received + s.received,
      dropped: t.dropped + s.dropped,
      packets: t.packets + s.packets,
    }),
    { received: 0, dropped: 0, packets: 0 },
  );
}

async function run(c: Command): Promise<Record<string, unknown>> {
  switch (c.op) {
    case "open": {
      if (units.length > 0) throw new Error("already open");
      const interfaces = c.interfaces;
      if (!Array.isArray(interfaces) || !interfaces.every((i) => typeof i === "string")) {
        throw new Error("open: interfaces must be a list of names");
      }
      const base = {
        bufferSize: num(c, "bufferSize"),
        batchSize: num(c, "batchSize"),
        timeoutMs: num(c, "timeoutMs"),
      };
      if (c.mode === "main") units = [localUnit({ interfaces, ...base })];
      else if (c.mode === "worker") units = [await workerUnit({ interfaces, ...base })];
      else if (c.mode === "workers") {
        units = await Promise.all(interfaces.map((i) => workerUnit({ interfaces: [i], ...base })));
      } else throw new Error(`open: unknown mode ${String(c.mode)}`);
      return {};
    }
    case "stats":
      return { ...(await totals()) };
    case "arm": {
      // Packets per interface; the CPU of the whole process (every thread) from here on.
      const packets = num(c, "packets");
      const reached = await Promise.all(units.map((u) => u.arm(packets * u.width)));
      armed = { reached: reached.map((r) => r.reached), cpu: process.cpuUsage() };
      return {};
    }
    case "result": {
      if (armed === null) throw new Error("result: not armed");
      const { reached, cpu } = armed;
      armed = null;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), num(c, "timeoutMs"));
      });
      const times = await Promise.race([Promise.all(reached), timeout]);
      clearTimeout(timer);
      const used = process.cpuUsage(cpu);
      return {
        reached: times !== null,
        at: times === null ? null : Math.max(...times),
        cpuSeconds: (used.user + used.system) / 1e6,
        ...(await totals()),
      };
    }
    case "exit": {
      for (const u of units) await u.close();
      units = [];
      input.close();
      process.stdin.destroy();
      return {};
    }
    default:
      throw new Error(`unknown command ${c.op}`);
  }
}

const input = serveCommands(run);
