/**
 * The typed face of net-net's libpcap addon (native/, built by `npm run build:native`) and its
 * loader. The addon is optional at install time: when it is missing, `loadPcapAddon` throws a
 * LiveCaptureError that says what to install and how to rebuild, and replay keeps working.
 * docs/capture.md describes the batch format, buffer sizes and statistics.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { LiveCaptureError } from "./live-errors.js";

/** Options of `openLive`; every one but `device` has a default (see docs/capture.md). */
export interface NativeOpenOptions {
  /** Device name as libpcap knows it ("eth0", "any"). */
  device: string;
  /** Bytes kept of each packet (default 262144, the whole packet). */
  snaplen?: number;
  /** Promiscuous mode (default true; libpcap ignores it on "any"). */
  promiscuous?: boolean;
  /** Ring block timeout in ms: how long a partly filled block waits for more (default 100). */
  timeoutMs?: number;
  /** Kernel ring size in bytes (default 32 MiB; 0 = libpcap's default, 2 MiB). */
  bufferSize?: number;
  /** Batch buffer size in bytes (default 1 MiB; at least two snaplen records). */
  batchSize?: number;
}

/** Running totals of one handle, 64-bit safe (exact up to 2^53). */
export interface NativeStats {
  /** Frames that passed the kernel filter, including those dropped (pcap_stats ps_recv). */
  received: number;
  /** Frames dropped because the ring was full (ps_drop). */
  dropped: number;
  /** Frames the interface or its driver dropped (ps_ifdrop). */
  ifDropped: number;
  /** Packets handed to JavaScript. */
  packets: number;
  /** Batches handed to JavaScript. */
  batches: number;
  /** Packets cut to fit the batch buffer (never expected; counted to be sure). */
  truncated: number;
  /** The capture ring's size (the buffer size asked for). */
  ringBytes: number;
  /** Estimated bytes the ring held at its fullest since the previous stats() call: what
   * queued between two wake-ups (frame headers included). Reset by each call. */
  ringPeakBytes: number;
}

/**
 * Called once per batch with the handle's one batch buffer (always the same ArrayBuffer),
 * the bytes used and the record count. The buffer is reused for the next batch: finish with
 * it before returning.
 */
export type BatchCallback = (buffer: ArrayBuffer, byteLength: number, count: number) => void;

/** Called once if reading stops (the interface went away); the handle still needs close(). */
export type CaptureErrorCallback = (err: Error) => void;

export interface NativeLiveHandle {
  readonly isOpen: boolean;
  readonly device: string;
  /** The device's link type (pcap_datalink), a LINKTYPE_ value. */
  readonly linktype: number;
  /** The snaplen in force (pcap_snapshot). */
  readonly snaplen: number;
  /** True when timestamps are in nanoseconds (else microseconds times 1000). */
  readonly nanosecond: boolean;
  /** pcap_activate's warning (e.g. promiscuous mode not supported), or null. */
  readonly warning: string | null;
  /** The batch buffer's size in bytes. */
  readonly batchSize: number;
  close(): void;
  stats(): NativeStats;
  setFilter(expression: string): void;
  /** Sends one frame on the device (pcap_inject); returns the bytes sent. */
  inject(frame: Uint8Array): number;
}

export interface NativeBpfProgram {
  readonly linktype: number;
  readonly instructionCount: number;
  /** True when the packet `bytes[off .. off + caplen)` (wire length `origlen`) matches. */
  match(bytes: Uint8Array, off: number, caplen: number, origlen: number): boolean;
  /** Sets the buffer `matchAt` reads (kept alive until the next setBuffer). */
  setBuffer(bytes: Uint8Array): void;
  matchAt(off: number, caplen: number, origlen: number): boolean;
}

export interface NativePcapInterface {
  name: string;
  description: string | null;
  /** PCAP_IF_* bits. */
  flags: number;
  addresses: {
    family: 4 | 6;
    address: string | null;
    netmask: string | null;
    broadcast: string | null;
    destination: string | null;
  }[];
}

export interface PcapAddon {
  openLive(
    options: NativeOpenOptions,
    onBatch: BatchCallback,
    onError: CaptureErrorCallback,
  ): NativeLiveHandle;
  /** Compiles for a link type (default Ethernet); throws libpcap's message as ERR_PCAP_FILTER. */
  compileFilter(expression: string, linktype?: number, snaplen?: number): NativeBpfProgram;
  /** null when the expression compiles for the link type, else libpcap's error message. */
  validateFilter(expression: string, linktype?: number, snaplen?: number): string | null;
  listInterfaces(): NativePcapInterface[];
  libVersion(): string;
  /** The CPUs a thread of this process may run on (tid 0: the caller). */
  threadAffinity(tid: number): number[];
  /** Restricts a thread of this process to these CPUs; throws ERR_AFFINITY. */
  setThreadAffinity(tid: number, cpus: readonly number[]): void;
  /**
   * Clears capability sets in every thread of this process ("bounding": the bounding set only,
   * which needs CAP_SETPCAP; "all": every set, the bounding set where CAP_SETPCAP allows);
   * returns the threads cleared; throws ERR_CAPABILITIES. native/src/capabilities.cc.
   */
  dropCapabilities(sets: "bounding" | "all"): number;
}

/** Where `npm run build:native` puts the addon (this file runs from dist/src/capture/live/). */
export const BUILT_ADDON_PATH = fileURLToPath(
  new URL("../../../../native/build/Release/netnet_pcap.node", import.meta.url),
);

/** The addon loaded by default: NETNET_PCAP_ADDON when set (another build), else the built one. */
export const DEFAULT_ADDON_PATH = process.env.NETNET_PCAP_ADDON || BUILT_ADDON_PATH;

/** What to do when the addon is missing: the one sentence every live-capture error repeats. */
export const ADDON_BUILD_HINT =
  "install the libpcap headers (apt-get install libpcap-dev) and a C++ toolchain " +
  "(apt-get install g++ make python3), then rebuild it: npm run build:native. " +
  "Replay mode (netnet replay FILE) works without it.";

const cache = new Map<string, PcapAddon>();

function isAddon(value: unknown): value is PcapAddon {
  return (
    typeof value === "object" &&
    value !== null &&
    "openLive" in value &&
    typeof value.openLive === "function" &&
    "compileFilter" in value &&
    "validateFilter" in value &&
    "listInterfaces" in value &&
    "libVersion" in value &&
    "setThreadAffinity" in value &&
    "dropCapabilities" in value
  );
}

/** Loads the addon (once per path); throws ERR_ADDON_MISSING / ERR_ADDON_LOAD with the fix. */
export function loadPcapAddon(path: string = DEFAULT_ADDON_PATH): PcapAddon {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  if (!existsSync(path)) {
    throw new LiveCaptureError(
      "ERR_ADDON_MISSING",
      `live capture needs net-net's libpcap addon, which is not built (${path} is missing): ${ADDON_BUILD_HINT}`,
    );
  }
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (err: unknown) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new LiveCaptureError(
      "ERR_ADDON_LOAD",
      `net-net's libpcap addon (${path}) does not load (${why}); it may be built for another Node.js, or libpcap is not installed: ${ADDON_BUILD_HINT}`,
      { cause: err },
    );
  }
  if (!isAddon(loaded)) {
    throw new LiveCaptureError(
      "ERR_ADDON_LOAD",
      `${path} is not net-net's libpcap addon: ${ADDON_BUILD_HINT}`,
    );
  }
  cache.set(path, loaded);
  return loaded;
}

/** The addon, or null when it is not built or does not load (for optional features). */
export function tryLoadPcapAddon(path: string = DEFAULT_ADDON_PATH): PcapAddon | null {
  try {
    return loadPcapAddon(path);
  } catch {
    return null;
  }
}
