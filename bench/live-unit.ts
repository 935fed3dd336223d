/**
 * One capture unit of the live benchmark: what the daemon's capture worker runs for a live
 * source (LiveSource → PacketEngine with the daemon's default engine config, a snapshot built
 * every tick) plus a packet counter that notes the moment a target count is reached. It runs
 * in the runner's main thread or in a worker_thread of its own (live-worker.ts).
 */
import { createLiveSource, type LiveSource } from "../src/capture/live/live-source.js";
import { defaultConfig } from "../src/config/config.js";
import { engineConfigFrom, PacketEngine } from "../src/engine/packet-engine.js";
import { type Snapshot, SnapshotBuilder } from "../src/engine/snapshot.js";
import { CountingSink } from "../test/support/counting-sink.js";

export interface UnitOptions {
  interfaces: string[];
  bufferSize: number;
  batchSize: number;
  timeoutMs: number;
}

/** Wall clock in milliseconds with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class CaptureUnit {
  private readonly engine = new PacketEngine(engineConfigFrom(defaultConfig()));
  private readonly snapshots = new SnapshotBuilder(this.engine);
  private readonly sink = new CountingSink(this.engine);
  private readonly source: LiveSource;
  private readonly timer: NodeJS.Timeout;

  constructor(opts: UnitOptions, onSnapshot: (s: Snapshot) => void) {
    this.source = createLiveSource(
      {
        interfaces: opts.interfaces,
        bufferSize: opts.bufferSize,
        batchSize: opts.batchSize,
        timeoutMs: opts.timeoutMs,
      },
      this.sink,
    );
    this.source.start();
    // The capture worker's tick (1 s by default): time moves on and a snapshot is built.
    this.timer = setInterval(() => {
      this.engine.advanceTo(Date.now() / 1000 - 1);
      const s = this.source.stats();
      onSnapshot(
        this.snapshots.build({
          running: true,
          source: "live",
          interfaces: opts.interfaces,
          received: s.received,
          dropped: s.dropped,
          if_dropped: s.ifDropped,
          buffer_usage_percent: null,
          error: null,
        }),
      );
    }, 1000);
  }

  get packets(): number {
    return this.sink.packets;
  }

  /** Resolves with the wall time (nowMs) at which `more` further packets have arrived. */
  arm(more: number): Promise<number> {
    return new Promise((resolve) => {
      this.sink.onTarget = () => resolve(nowMs());
      this.sink.target = this.sink.packets + more;
    });
  }

  stats(): { received: number; dropped: number; packets: number } {
    const s = this.source.stats();
    return { received: s.received, dropped: s.dropped + s.ifDropped, packets: this.sink.packets };
  }

  close(): void {
    clearInterval(this.timer);
    this.source.stop();
  }
}
