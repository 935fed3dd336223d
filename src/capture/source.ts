/**
 * What every capture source offers the capture worker: the settings it is made from, and a
 * runner that starts, pauses, filters and reports on it. The file runner (file/file-runner.ts)
 * and the live runner (live/live-runner.ts) implement it; the worker (src/worker/) holds one.
 */

export interface LiveSourceSpec {
  kind: "live";
  interfaces: string[];
  snaplen: number;
  promiscuous: boolean;
  timeoutMs: number;
  bufferSize?: number;
  filter: string;
}

export interface FileSourceSpec {
  kind: "file";
  path: string;
  /** "recorded": packets arrive at the pace they were captured, shifted to the present;
   * "max": as fast as the file can be read, with the file's own timestamps. */
  speed: "recorded" | "max";
  /** Start again at the end of the file (with "recorded", a never-ending demo). */
  loop: boolean;
  filter: string;
}

export type SourceSpec = LiveSourceSpec | FileSourceSpec;

export interface StartResult {
  /** What is being captured: interface names, or the file. */
  interfaces: string[];
}

/** A source's counters, as the snapshot's capture status carries them. */
export interface SourceStatus {
  /** "live" or "file". */
  source: string;
  /** Interfaces (live) or the file name (file). */
  interfaces: string[];
  /** Packets the capture received (libpcap's count for live; packets read for files). */
  received: number;
  /** Dropped by the kernel (no room in the ring) and by the interface. */
  dropped: number;
  if_dropped: number;
  /** 0..100: how full the capture buffers were at the last look; null if not known. */
  buffer_usage_percent: number | null;
}

/** A source started, paused and filtered by the capture worker. */
export interface SourceRunner {
  readonly running: boolean;
  start(): Promise<StartResult> | StartResult;
  /** Stops delivering packets; a live source only pauses (its handles stay open). */
  stop(): void;
  /** Releases the source for good (shutdown); stop() alone may only pause it. */
  close?(): void;
  setFilter(expression: string): Promise<void> | void;
  status(): SourceStatus;
}

/** Called when a source stops by itself: end of file, an interface gone, an error. */
export type SourceEnded = (reason: string, error: string | null) => void;
