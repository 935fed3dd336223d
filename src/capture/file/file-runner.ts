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

/**
 * A step between two packets' file times longer than this, forward or back, is a
 * discontinuity rather than a pause to wait out: the replay is re-based there (as at the start
 * of a pass), so the packet after it comes at once. One damaged byte in a timestamp makes such
 * a step (days, years), and a capture that ran on across a quiet night holds one. Five minutes
 * is the default flow idle timeout: beyond it the wait would show nothing but every flow
 * expiring.
 */
export const PACE_MAX_STEP_SECONDS = 300;

/**
 * The longest delay ever given to a timer while pacing. Node refuses delays of 2^31 ms or more
 * (it warns and waits 1 ms instead, which made a long gap a busy loop); a wait longer than
 * this is taken in several timers.
 */
const PACE_MAX_TIMER_MS = 60_000;

/** Packets the pace queue holds at first; it doubles when one chunk holds more. */
const PACE_QUEUE_START = 4096;

const EMPTY = new Uint8Array(0);

/** A discontinuity in a paced replay's timestamps: where the replay was re-based. */
export interface TimeJump {
  /** File time (Unix seconds) of the packet before the jump, and of the packet after it. */
  from: number;
  to: number;
  /** Packets of the file before the jump. */
  packet: number;
}

/**
 * Passes packets on, in one of two ways. At full speed, straight through with the file's own
 * timestamps. At the recorded pace, each pass's first packet is moved to the wall clock (to
 * the nanosecond) and every packet is held until its moment comes, then a timer releases it.
 *
 * Pacing copies nothing: the queue holds where each packet lies in the reader's buffer (in
 * typed arrays, nothing allocated per packet), and the reader waits after each chunk until
 * every packet of it has been delivered (`backpressure`, its `afterChunk`), because it reuses
 * the buffer for the next chunk once that wait is over. A frame queued as a view of that
 * buffer was overwritten before it was decoded (13,684 of 15,200 TCP packets were counted on
 * a 20,000-packet capture).
 */
class PacedSink implements PacketSink {
  /** Where packets go: the engine, or a BPF filter in front of it. */
  inner: PacketSink;
  packets = 0;
  /** Shifted time of the last packet delivered, in seconds. */
  last = 0;
  /** Told of the first discontinuity of each run (see `startRun`). */
  onJump: ((jump: TimeJump) => void) | null = null;
  private jumpReported = false;
  private offSec = 0;
  private offNsec = 0;
  private shifted = false;
  /** File time of the previous packet of the pass. */
  private prevSec = 0;
  private prevNsec = 0;
  /** Shifted time of the newest packet queued. */
  private lastSec = 0;
  private lastNsec = 0;
  /** Packets of the pass so far. */
  private passPackets = 0;

  // The queue: packets [head, count) of the chunk buffer `buf`, as parallel arrays.
  private buf: Uint8Array = EMPTY;
  private qOff = new Uint32Array(PACE_QUEUE_START);
  private qCaplen = new Uint32Array(PACE_QUEUE_START);
  private qOrig = new Uint32Array(PACE_QUEUE_START);
  private qLink = new Uint32Array(PACE_QUEUE_START);
  private qSec = new Float64Array(PACE_QUEUE_START);
  private qNsec = new Float64Array(PACE_QUEUE_START);
  private head = 0;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly onTimer = () => this.release();
  private drained: (() => void) | null = null;

  constructor(
    inner: PacketSink,
    private readonly paced: boolean,
  ) {
    this.inner = inner;
  }

  /** Starts a run (capture started): its first discontinuity is reported again. */
  startRun(): void {
    this.jumpReported = false;
  }

  /** Starts a pass: its first packet fixes a new offset. */
  reset(): void {
    this.shifted = false;
    this.passPackets = 0;
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
      this.rebase(tsSec, tsNsec, Date.now());
      this.shifted = true;
    } else {
      const step = tsSec - this.prevSec + (tsNsec - this.prevNsec) * 1e-9;
      if (step > PACE_MAX_STEP_SECONDS || step < -PACE_MAX_STEP_SECONDS) this.jump(tsSec, tsNsec);
    }
    this.prevSec = tsSec;
    this.prevNsec = tsNsec;
    this.passPackets++;
    let sec = tsSec + this.offSec;
    let nsec = tsNsec + this.offNsec;
    if (nsec < 0) {
      nsec += 1e9;
      sec -= 1;
    } else if (nsec >= 1e9) {
      nsec -= 1e9;
      sec += 1;
    }
    this.lastSec = sec;
    this.lastNsec = nsec;
    if (this.count === this.qOff.length) this.grow();
    // Every packet queued lies in the one buffer of the chunk being parsed (the queue is
    // empty before the next chunk is parsed).
    this.buf = buf;
    const i = this.count++;
    this.qOff[i] = off;
    this.qCaplen[i] = caplen;
    this.qOrig[i] = origlen;
    this.qLink[i] = linktype;
    this.qSec[i] = sec;
    this.qNsec[i] = nsec;
    this.schedule();
  }

  /** Moves the offset so that file time (tsSec, tsNsec) falls on wall-clock ms `atMs`. */
  private rebase(tsSec: number, tsNsec: number, atMs: number): void {
    const atSec = Math.floor(atMs / 1000);
    this.offSec = atSec - tsSec;
    this.offNsec = Math.round((atMs - atSec * 1000) * 1e6) - tsNsec;
  }

  /**
   * A discontinuity: the packet at (tsSec, tsNsec) comes right after the one before it, or now
   * if that one is already past, and the packets after it keep their pace from there.
   */
  private jump(tsSec: number, tsNsec: number): void {
    const now = Date.now();
    const lastMs = this.lastSec * 1000 + this.lastNsec / 1e6;
    if (lastMs > now) {
      this.offSec = this.lastSec - tsSec;
      this.offNsec = this.lastNsec - tsNsec;
    } else {
      this.rebase(tsSec, tsNsec, now);
    }
    if (this.jumpReported || this.onJump === null) return;
    this.jumpReported = true;
    this.onJump({
      from: this.prevSec + this.prevNsec * 1e-9,
      to: tsSec + tsNsec * 1e-9,
      packet: this.passPackets,
    });
  }

  /** Doubles the queue: one chunk held more packets than it has room for (rare, small ones). */
  private grow(): void {
    const n = this.qOff.length * 2;
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.qOff = u32(this.qOff);
    this.qCaplen = u32(this.qCaplen);
    this.qOrig = u32(this.qOrig);
    this.qLink = u32(this.qLink);
    this.qSec = f64(this.qSec);
    this.qNsec = f64(this.qNsec);
  }

  private schedule(): void {
    if (this.timer !== null || this.head >= this.count) return;
    const h = this.head;
    const wait = this.qSec[h] * 1000 + this.qNsec[h] / 1e6 - Date.now();
    // Never out of a timer's range, whatever the clock or the file says; a timer that fires
    // early finds nothing due and sets the next.
    const delay = wait > 0 ? Math.min(wait, PACE_MAX_TIMER_MS) : 0;
    this.timer = setTimeout(this.onTimer, delay);
  }

  private release(): void {
    this.timer = null;
    const now = Date.now();
    const inner = this.inner;
    const buf = this.buf;
    while (this.head < this.count) {
      const h = this.head;
      const sec = this.qSec[h];
      const nsec = this.qNsec[h];
      if (sec * 1000 + nsec / 1e6 > now) break;
      this.head++;
      this.packets++;
      this.last = sec + nsec * 1e-9;
      inner.packet(buf, this.qOff[h], this.qCaplen[h], this.qOrig[h], sec, nsec, this.qLink[h]);
    }
    if (this.head >= this.count) {
      this.head = 0;
      this.count = 0;
      const d = this.drained;
      this.drained = null;
      d?.();
      return;
    }
    this.schedule();
  }

  /**
   * After each chunk: waits until every packet of it has been delivered, so that the reader
   * does not reuse its buffer under them.
   */
  backpressure(): Promise<void> | undefined {
    if (this.head >= this.count) return undefined;
    return new Promise((r) => {
      this.drained = r;
    });
  }

  /** Resolves when every queued packet has been delivered. */
  async flush(): Promise<void> {
    const wait = this.backpressure();
    if (wait !== undefined) await wait;
  }

  /** Drops whatever is queued (capture stopped). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.head = 0;
    this.count = 0;
    this.buf = EMPTY;
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

  /**
   * `onJump` hears of the first discontinuity in the file's timestamps of each run (from start
   * to stop or end) that a paced replay re-based instead of waiting it out.
   */
  constructor(
    private readonly spec: FileSourceSpec,
    private readonly engine: PacketSink,
    private readonly ended: SourceEnded,
    onJump: ((jump: TimeJump) => void) | null = null,
  ) {
    this.sink = new PacedSink(engine, spec.speed === "recorded");
    this.sink.onJump = onJump;
    this.filter = spec.filter;
  }

  get running(): boolean {
    return this.abort !== null;
  }

  async start(): Promise<StartResult> {
    if (this.abort !== null) return { interfaces: [this.spec.path] };
    await this.prepareFilter();
    this.sink.startRun();
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
