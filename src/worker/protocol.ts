/**
 * Messages between the main thread and the capture worker. The worker owns the packet path
 * (source, decoder, flow table, aggregator); the main thread only ever sees snapshots and
 * answers to its requests.
 */

import type { TimeJump } from "../capture/file/file-runner.js";
import type { SourceSpec, StartResult } from "../capture/source.js";
import type { ActiveFlowQuery, FlowPage } from "../engine/flow-pages.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { FlowTableConfig } from "../flows/flow-table.js";
import type { StatsConfig } from "../stats/aggregator.js";
import type { HostDetail, HostPage, HostQuery } from "../stats/host-query.js";

export interface CaptureWorkerConfig {
  source: SourceSpec;
  flows: FlowTableConfig;
  stats: StatsConfig;
  /** Milliseconds between snapshots. */
  tickMs: number;
  /** Start capturing as soon as the worker is up. */
  autoStart: boolean;
}

export type WorkerRequest =
  | { type: "start"; id: number }
  | { type: "stop"; id: number }
  | { type: "set-filter"; id: number; expression: string }
  | { type: "query-flows"; id: number; query: ActiveFlowQuery }
  | { type: "query-hosts"; id: number; query: HostQuery }
  | { type: "host-detail"; id: number; ip: string; limit: number }
  | { type: "shutdown"; id: number };

/** The main thread is done with a snapshot (it routed it): the worker may post another. */
export interface SnapshotTaken {
  type: "snapshot-taken";
}

export type WorkerMessage =
  /** `tid`: the worker's thread id (Linux), -1 if unknown. */
  | { type: "ready"; tid: number }
  | { type: "snapshot"; snapshot: Snapshot }
  | {
      type: "reply";
      id: number;
      ok: true;
      result: StartResult | FlowPage | HostPage | HostDetail | null;
    }
  | { type: "reply"; id: number; ok: false; error: { code: string; message: string } }
  /** Capture stopped by itself (end of file, interface gone, error). */
  | { type: "capture-ended"; reason: string; error: string | null }
  /** The first discontinuity in a paced replay's timestamps in this run (re-based, not
   * waited for). */
  | ({ type: "time-jump"; file: string } & TimeJump);

export type { StartResult } from "../capture/source.js";
