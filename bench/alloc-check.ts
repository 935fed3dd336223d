/**
 * Allocation check for the packet path: replays a capture through the engine in-process,
 * twice to warm up, then a third time while counting garbage collections. With nothing
 * allocated per packet, the young generation (16 MiB by default) only fills from per-chunk
 * bookkeeping, so a million packets cause a handful of scavenges at most; one small object
 * per packet would cause dozens. Prints one JSON object; run by replay-bench.ts as
 * `node --expose-gc dist/bench/alloc-check.js FILE`.
 */
import { PerformanceObserver } from "node:perf_hooks";
import { readCaptureFile } from "../src/capture/file/capture-file-reader.js";
import { PacketEngine } from "../src/engine/packet-engine.js";

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: node --expose-gc dist/bench/alloc-check.js FILE\n");
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  process.stderr.write("run with node --expose-gc\n");
  process.exit(2);
}

let scavenges = 0;
let majors = 0;
// PerformanceGC kinds: 1 = minor (scavenge), 2 = major, 4 = incremental, 8 = weak callbacks.
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) scavenges++;
    else majors++;
  }
});

async function run(counting: boolean): Promise<number> {
  const engine = new PacketEngine();
  gc?.();
  if (counting) observer.observe({ entryTypes: ["gc"] });
  const before = process.memoryUsage().heapUsed;
  await readCaptureFile(file as string, engine);
  const after = process.memoryUsage().heapUsed;
  if (counting) {
    // Entries are delivered asynchronously: let them arrive before disconnecting.
    await new Promise((r) => setTimeout(r, 50));
    observer.disconnect();
    process.stdout.write(
      `${JSON.stringify({
        file,
        packets: engine.packets,
        scavenges,
        major_gcs: majors,
        scavenges_per_million_packets: (scavenges * 1e6) / engine.packets,
        heap_used_growth_bytes: after - before,
      })}\n`,
    );
  }
  return engine.packets;
}

await run(false);
await run(false);
await run(true);
