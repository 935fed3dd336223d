/**
 * Capture from a file inside the daemon (`offline.file`): as fast as it reads, or at the pace
 * it was recorded, shifted so its first packet is "now", and optionally in a loop (the demo).
 */
import type { PacketSink } from "../../packet/packet-sink.js";
import { messageOf } from "../../util/errors.js";
import type {
  FileSourceSpec,
  SourceEnded,
  SourceRunner,
  SourceStatus,
  StartResult,
} from "../source.js";
import { readCaptureFile } from "./capture-file-reader.js";

/** Packets held back while pacing; reading waits when this many are queued. */
const PACE_QUEUE = 2048;

/**
 * Passes packets on, in one of two ways. At full speed, straight through with the file's own
 * timestamps. At the recorded pace, each pass's first packet is moved to the wall clock (to
 * the nanosecond) and every packet is held until its moment comes: packets are copied into a
 * bounded queue (reading pauses when it is full) and a timer releases them. That copy is the
 * price of pacing; the full-speed path copies nothing.
 */
class PacedSink implements PacketSink {
  /** Where packets go: the engine, or a BPF filter in front of it. */
  inner: PacketSink;
  packets = 0;
  /** Shifted time of the last packet delivered, in seconds. */
  last = 0;
  private offSec = 0;
  private offNsec = 0;
  private shifted = false;
  private readonly queue: {
    frame: Uint8Array;
    origlen: number;
    sec: number;
    nsec: number;
    linktype: number;
  }[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;

  constructor(
    inner: PacketSink,
    private readonly paced: boolean,
  ) {
    this.inner = inner;
  }

  /** Starts a pass: its first packet fixes a new offset. */
  reset(): void {
    this.shifted = false;
  }

  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    if (!this.paced) {
      this.packets++;
      this.last = tsSec + tsNsec * 1e-9;
      this.inner.packet(buf, off, caplen, origlen, tsSec, tsNsec, linktype);
      return;
    }
    if (!this.shifted) {
      const now = Date.now();
      const nowSec = Math.floor(now / 1000);
      const nowNsec = (now % 1000) * 1e6;
      this.offSec = nowSec - tsSec;
      this.offNsec = nowNsec - tsNsec;
      this.shifted = true;
    }
    let sec = tsSec + this.offSec;
    let nsec = tsNsec + this.offNsec;
    if (nsec < 0) {
      nsec += 1e9;
      sec -= 1;
    } else if (nsec >= 1e9) {
      nsec -= 1e9;
      sec += 1;
    }
    this.queue.push({ frame: buf.slice(off, off + caplen), origlen, sec, nsec, linktype });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null || this.head >= this.queue.length) return;
    const next = this.queue[this.head];
    const wait = next.sec * 1000 + next.nsec / 1e6 - Date.now();
    this.timer = setTimeout(() => this.release(), Math.max(0, wait));
  }

  private release(): void {
    this.timer = null;
    const now = Date.now();
    while (this.head < this.queue.length) {
      const p = this.queue[this.head];
      if (p.sec * 1000 + p.nsec / 1e6 > now) break;
      this.head++;
      this.packets++;
      this.last = p.sec + p.nsec * 1e-9;
      this.inner.packet(p.frame, 0, p.frame.length, p.origlen, p.sec, p.nsec, p.linktype);
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    if (this.queue.length - this.head <= PACE_QUEUE / 2 && this.drained !== null) {
      const d = this.drained;
      this.drained = null;
      d();
    }
    this.schedule();
  }

  /** After each chunk: wait while the queue is full. */
  backpressure(): Promise<void> | undefined {
    if (this.queue.length - this.head < PACE_QUEUE) return undefined;
    return new Promise((r) => {
      this.drained = r;
    });
  }

  /** Resolves when every queued packet has been delivered. */
  async flush(): Promise<void> {
    while (this.head < this.queue.length) {
      await new Promise<void>((r) => {
        this.drained = r;
      });
    }
  }

  /** Drops whatever is queued (capture stopped). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.head = 0;
    const d = this.drained;
    this.drained = null;
    d?.();
  }
}

export class FileRunner implements SourceRunner {
  private abort: AbortController | null = null;
  private readonly sink: PacedSink;
  private filter: string;
  private done: Promise<void> | null = null;

  constructor(
    private readonly spec: FileSourceSpec,
    private readonly engine: PacketSink,
    private readonly ended: SourceEnded,
  ) {
    this.sink = new PacedSink(engine, spec.speed === "recorded");
    this.filter = spec.filter;
  }

  get running(): boolean {
    return this.abort !== null;
  }

  async start(): Promise<StartResult> {
    if (this.abort !== null) return { interfaces: [this.spec.path] };
    await this.prepareFilter();
    const abort = new AbortController();
    this.abort = abort;
    this.done = this.run(abort.signal);
    return { interfaces: [this.spec.path] };
  }

  /** Compiles the filter (throws libpcap's message when it is invalid) and puts it in place. */
  private async prepareFilter(): Promise<void> {
    if (this.filter === "") {
      this.sink.inner = this.engine;
      return;
    }
    // A BPF filter on a file needs libpcap's compiler (the capture addon).
    const [{ loadPcapAddon }, { BpfFilterSink }] = await Promise.all([
      import("../live/pcap-addon.js"),
      import("../live/bpf-filter-sink.js"),
    ]);
    this.sink.inner = new BpfFilterSink(loadPcapAddon(), this.filter, this.engine);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const paced = this.spec.speed === "recorded";
    let error: string | null = null;
    try {
      do {
        this.sink.reset();
        const result = await readCaptureFile(this.spec.path, this.sink, {
          signal,
          ...(paced ? { afterChunk: () => this.sink.backpressure() } : {}),
        });
        if (paced && !signal.aborted) await this.sink.flush();
        if (result.damage !== null) {
          error = `${this.spec.path}: ${result.damage.message}`;
          break;
        }
        if (result.packets === 0) break; // an empty capture would loop without end
      } while (this.spec.loop && !signal.aborted);
    } catch (err: unknown) {
      error = messageOf(err);
    }
    const stopped = signal.aborted;
    this.abort = null;
    if (!stopped) this.ended(error === null ? "end_of_file" : "error", error);
  }

  stop(): void {
    this.abort?.abort();
    this.sink.clear();
  }

  /** Changes the filter; a running replay switches at the next packet. */
  async setFilter(expression: string): Promise<void> {
    const previous = this.filter;
    this.filter = expression;
    try {
      await this.prepareFilter();
    } catch (err: unknown) {
      this.filter = previous;
      throw err;
    }
  }

  status(): SourceStatus {
    return {
      source: "file",
      interfaces: [this.spec.path],
      received: this.sink.packets,
      dropped: 0,
      if_dropped: 0,
      buffer_usage_percent: null,
    };
  }

  /** Resolves when the current pass has stopped (for tests and shutdown). */
  async settled(): Promise<void> {
    await this.done;
  }
}
