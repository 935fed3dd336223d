/**
 * The live capture source: one libpcap handle per interface (several at once, or Linux `any`),
 * each woken by libuv and handing its packets to the sink a batch at a time. Per batch, one
 * call from the addon; per packet, one `sink.packet` call with a view into the batch buffer.
 *
 *   const source = createLiveSource({ interfaces: ["eth0"], filter: "tcp" }, engine);
 *   source.start();   // opens every handle (throws LiveCaptureError with the fix)
 *   source.stats();   // received / dropped by the kernel / dropped by the interface
 *   source.setFilter("udp");
 *   source.pause();   // handles stay open (root may be gone), nothing is counted
 *   source.resume();
 *   source.stop();    // closes every handle; the event loop is free again
 */
import type { PacketSink } from "../../packet/packet-sink.js";
import { BatchWalker } from "./batch.js";
import { LiveCaptureError, pcapCall, toLiveCaptureError } from "./live-errors.js";
import {
  loadPcapAddon,
  type NativeLiveHandle,
  type NativeOpenOptions,
  type NativeStats,
  type PcapAddon,
} from "./pcap-addon.js";

export interface LiveSourceConfig {
  /** Devices to capture on, at least one ("eth0", "any"). */
  interfaces: readonly string[];
  /** Bytes kept of each packet (default 262144). */
  snaplen?: number;
  /** Promiscuous mode (default true). */
  promiscuous?: boolean;
  /** Ring block timeout in milliseconds (default 100): the longest a packet waits in the ring. */
  timeoutMs?: number;
  /** Kernel ring size in bytes per interface (default 32 MiB). */
  bufferSize?: number;
  /** Batch buffer size in bytes per interface (default 1 MiB). */
  batchSize?: number;
  /** BPF expression for every interface; empty or absent for everything. */
  filter?: string;
}

export interface LiveSourceDeps {
  /** The addon (default: loadPcapAddon()). */
  addon?: PcapAddon;
  /**
   * Called when an interface stops delivering (it went away). Without it the error is thrown
   * from the event loop, as an uncaught exception.
   */
  onError?: (err: LiveCaptureError) => void;
}

/** One interface of a running source. */
export interface LiveInterface {
  name: string;
  linktype: number;
  snaplen: number;
  nanosecond: boolean;
  warning: string | null;
}

export interface LiveInterfaceStats extends NativeStats {
  name: string;
}

/** Totals over every interface, and each interface's own. */
export interface LiveStats extends NativeStats {
  /** Records the JavaScript side could not read (never expected; counted). */
  malformed: number;
  /** 0..100: the fullest any interface's ring was since the previous stats() (estimated). */
  bufferUsagePercent: number;
  interfaces: LiveInterfaceStats[];
}

export interface LiveSource {
  start(): void;
  /** Closes every handle (running or paused). */
  stop(): void;
  /**
   * Stops counting without closing anything: every handle gets a kernel filter that matches
   * no packet, so the kernel discards traffic before the ring (no CPU, no ring space, no
   * drops, `received` stands still) and a batch already read is thrown away. A process that
   * has dropped root can pause and resume, where it could not reopen a handle.
   */
  pause(): void;
  /** Puts the configured filter back and counts again. */
  resume(): void;
  /** Live totals while running; after stop, the totals at stop; zeros before start. */
  stats(): LiveStats;
  /** Sets the filter on every interface at once (validated for each first), or for the next start. */
  setFilter(expression: string): void;
  /** Open and counting (false while paused). */
  readonly running: boolean;
  /** Open but paused. */
  readonly paused: boolean;
  /** The interfaces of the open source, paused or not (empty when stopped). */
  readonly interfaces: readonly LiveInterface[];
}

interface Opened {
  handle: NativeLiveHandle;
  walker: BatchWalker;
}

/**
 * A filter no packet matches (`len <= 1`), valid on every link type. libpcap also applies a
 * new filter in user space to the ring blocks the kernel filled before it was set, so what
 * was queued at the pause is discarded too.
 */
export const DISCARD_FILTER = "less 1";

const STAT_KEYS = ["received", "dropped", "ifDropped", "packets", "batches", "truncated"] as const;

function zeroStats(): LiveStats {
  return {
    received: 0,
    dropped: 0,
    ifDropped: 0,
    packets: 0,
    batches: 0,
    truncated: 0,
    ringBytes: 0,
    ringPeakBytes: 0,
    malformed: 0,
    bufferUsagePercent: 0,
    interfaces: [],
  };
}

function checkConfig(config: LiveSourceConfig): void {
  if (config.interfaces.length === 0) {
    throw new LiveCaptureError("ERR_LIVE_CONFIG", "no interface to capture on");
  }
  const seen = new Set<string>();
  for (const name of config.interfaces) {
    if (name.length === 0) throw new LiveCaptureError("ERR_LIVE_CONFIG", "empty interface name");
    if (seen.has(name)) {
      throw new LiveCaptureError("ERR_LIVE_CONFIG", `interface ${name} is listed twice`);
    }
    seen.add(name);
  }
}

export function createLiveSource(
  config: LiveSourceConfig,
  sink: PacketSink,
  deps: LiveSourceDeps = {},
): LiveSource {
  checkConfig(config);
  let filter = config.filter ?? "";
  let opened: Opened[] = [];
  let final: LiveStats = zeroStats();
  let paused = false;

  const onError = (err: Error): void => {
    const error = toLiveCaptureError(err);
    const live =
      error instanceof LiveCaptureError
        ? error
        : new LiveCaptureError("ERR_PCAP_READ", err.message, { cause: err });
    if (deps.onError === undefined) throw live;
    deps.onError(live);
  };

  function openOne(addon: PcapAddon, device: string): Opened {
    const options: NativeOpenOptions = { device };
    if (config.snaplen !== undefined) options.snaplen = config.snaplen;
    if (config.promiscuous !== undefined) options.promiscuous = config.promiscuous;
    if (config.timeoutMs !== undefined) options.timeoutMs = config.timeoutMs;
    if (config.bufferSize !== undefined) options.bufferSize = config.bufferSize;
    if (config.batchSize !== undefined) options.batchSize = config.batchSize;
    // The walker needs the handle's link type, known only once it is open: the callback
    // reaches it through this slot, filled before the event loop can deliver a batch.
    const slot: { walker: BatchWalker | null } = { walker: null };
    const handle = pcapCall(() =>
      addon.openLive(
        options,
        (buffer, byteLength, count) => {
          if (!paused) slot.walker?.walk(buffer, byteLength, count);
        },
        onError,
      ),
    );
    const walker = new BatchWalker(sink, handle.linktype);
    slot.walker = walker;
    return { handle, walker };
  }

  function collect(): LiveStats {
    const total = zeroStats();
    for (const { handle, walker } of opened) {
      const s = pcapCall(() => handle.stats());
      for (const key of STAT_KEYS) total[key] += s[key];
      total.malformed += walker.malformed;
      total.ringBytes += s.ringBytes;
      total.ringPeakBytes += s.ringPeakBytes;
      if (s.ringBytes > 0) {
        const used = Math.min(100, (100 * s.ringPeakBytes) / s.ringBytes);
        total.bufferUsagePercent = Math.max(total.bufferUsagePercent, Math.round(used * 10) / 10);
      }
      total.interfaces.push({ name: handle.device, ...s });
    }
    return total;
  }

  function validate(expression: string): void {
    const addon = deps.addon ?? loadPcapAddon();
    for (const { handle } of opened) {
      const error = addon.validateFilter(expression, handle.linktype, handle.snaplen);
      if (error !== null) {
        throw new LiveCaptureError(
          "ERR_PCAP_FILTER",
          `invalid filter "${expression}" for ${handle.device}: ${error}`,
        );
      }
    }
  }

  function applyFilter(expression: string): void {
    // Check for every link type first, so a filter is set on all interfaces or on none.
    validate(expression);
    for (const { handle } of opened) pcapCall(() => handle.setFilter(expression));
  }

  const source: LiveSource = {
    start(): void {
      if (opened.length > 0) throw new LiveCaptureError("ERR_LIVE_STATE", "already running");
      const addon = deps.addon ?? loadPcapAddon();
      try {
        for (const device of config.interfaces) opened.push(openOne(addon, device));
        if (filter !== "") applyFilter(filter);
      } catch (err: unknown) {
        for (const { handle } of opened) handle.close();
        opened = [];
        throw err;
      }
      final = zeroStats();
      paused = false;
    },

    stop(): void {
      if (opened.length === 0) throw new LiveCaptureError("ERR_LIVE_STATE", "not running");
      const handles = opened;
      try {
        final = collect();
      } finally {
        opened = [];
        paused = false;
        for (const { handle } of handles) handle.close();
      }
    },

    pause(): void {
      if (opened.length === 0 || paused) {
        throw new LiveCaptureError("ERR_LIVE_STATE", "not running");
      }
      // The flag first: a batch the filter change lets through is not counted either.
      paused = true;
      for (const { handle } of opened) pcapCall(() => handle.setFilter(DISCARD_FILTER));
    },

    resume(): void {
      if (!paused) throw new LiveCaptureError("ERR_LIVE_STATE", "not paused");
      // An empty filter still replaces the discarding one: it passes everything.
      applyFilter(filter);
      paused = false;
    },

    stats(): LiveStats {
      return opened.length > 0 ? collect() : final;
    },

    setFilter(expression: string): void {
      // While paused the discarding filter stays; the new one is checked now, set at resume.
      if (paused) validate(expression);
      else if (opened.length > 0) applyFilter(expression);
      filter = expression;
    },

    get running(): boolean {
      return opened.length > 0 && !paused;
    },

    get paused(): boolean {
      return paused;
    },

    get interfaces(): readonly LiveInterface[] {
      return opened.map(({ handle }) => ({
        name: handle.device,
        linktype: handle.linktype,
        snaplen: handle.snaplen,
        nanosecond: handle.nanosecond,
        warning: handle.warning,
      }));
    },
  };
  return source;
}
