/**
 * The snapshot: everything the control path (API, live stream, store) needs from the packet
 * path, built once per tick in the capture worker and posted to the main thread. Plain data
 * (structured-clone friendly); addresses formatted here, at the edge.
 */

import type { SourceStatus } from "../capture/source.js";
import type { PortStat, Talker } from "../contract/types.js";
import { topActiveFlows } from "../flows/flow-query.js";
import type { FlowRecord } from "../flows/flow-record.js";
import { flowRecord } from "../flows/flow-record.js";
import { END_FLUSH, type FlowEndListener, type FlowTable } from "../flows/flow-table.js";
import type { NewFlowBatch } from "./new-flow-log.js";
import type { PacketEngine } from "./packet-engine.js";
import { type ReportWindow, talkerList } from "./report.js";

/** The capture's state in a snapshot: the source's counters, whether it runs, its last error. */
export interface CaptureStatus extends SourceStatus {
  running: boolean;
  /** The last capture error, if capture stopped on one. */
  error: string | null;
}

export interface Snapshot {
  /** Increases by one per snapshot of a run; the live stream resumes from it. */
  seq: number;
  /** Wall-clock time the snapshot was built (Unix ms). */
  time_ms: number;
  /** Packet time of the last packet (Unix s), null before the first. */
  packet_time: number | null;
  /** Start of the open statistics window (Unix s), null before the first packet. */
  window_start: number | null;
  /** Totals since the start of the run. */
  packets: number;
  bytes: number;
  protocols: Record<string, { packets: number; bytes: number }>;
  packet_sizes: Record<string, number>;
  /** One-second buckets closed since the previous snapshot: columns, oldest first. */
  seconds: { ts: number[]; packets: number[]; bytes: number[] };
  /** Bytes and packets of the last closed second. */
  bytes_per_second: number;
  packets_per_second: number;
  active_flow_count: number;
  flows_created: number;
  flows_expired: number;
  flows_evicted: number;
  top_flows: FlowRecord[];
  top_sources: Talker[];
  top_destinations: Talker[];
  ports: PortStat[];
  decode_errors: Record<string, number>;
  capture: CaptureStatus;
  /** Windows closed since the previous snapshot (for the store). */
  windows: ReportWindow[];
  /** Flows that ended since the previous snapshot (for the store). */
  ended_flows: FlowRecord[];
  /** Ended flows not kept for a snapshot because too many waited (`maxEndedFlows`): the
   * running total since the start. */
  ended_flows_dropped: number;
  /** Flows created since the previous snapshot, as columns (for the alert rules); present
   * when the engine keeps a new-flow log (the capture worker does). */
  new_flows?: NewFlowBatch;
}

export interface SnapshotOptions {
  /** Entries in top_flows (default 20). */
  topFlows?: number;
  /** Entries in the talker lists (default 10) and ports (default 20). */
  topTalkers?: number;
  topPorts?: number;
  /**
   * Ended flows kept between two snapshots at most (default 1,048,576, the default flow
   * table): when the main thread is behind, snapshots wait and flows that end meanwhile
   * collect here; beyond this many they are counted (`ended_flows_dropped`), not kept.
   */
  maxEndedFlows?: number;
}

/**
 * Follows an engine between snapshots: it becomes the engine's flow-end listener and window
 * callback, collects the flows that end and the windows that close, and remembers which
 * one-second buckets were already sent.
 */
export class SnapshotBuilder implements FlowEndListener {
  private seq = 0;
  private lastSecond = -1;
  private endedFlows: FlowRecord[] = [];
  private endedFlowsDropped = 0;
  private readonly maxEndedFlows: number;
  private closedWindows: ReportWindow[] = [];

  constructor(
    private readonly engine: PacketEngine,
    private readonly opts: SnapshotOptions = {},
  ) {
    this.maxEndedFlows = opts.maxEndedFlows ?? 1 << 20;
    engine.flows.listener = this;
    const stats = engine.stats;
    stats.onWindow = (w) => {
      this.closedWindows.push({
        ...w,
        top_sources: talkerList(stats.hosts, w.top_sources),
        top_destinations: talkerList(stats.hosts, w.top_destinations),
      });
    };
  }

  flowEnded(t: FlowTable, idx: number, reason: number): void {
    if (this.endedFlows.length >= this.maxEndedFlows) this.endedFlowsDropped++;
    else this.endedFlows.push(flowRecord(t, idx, reason));
  }

  build(capture: CaptureStatus): Snapshot {
    const e = this.engine;
    const s = e.stats;
    const h = s.hosts;
    const live = s.liveTotals();
    const top = s.liveTop(Math.max(this.opts.topTalkers ?? 10, this.opts.topPorts ?? 20));
    const ring = s.seconds;
    const seconds = { ts: [] as number[], packets: [] as number[], bytes: [] as number[] };
    for (let k = 0; k < ring.size; k++) {
      const slot = ring.slot(k);
      if (ring.ts[slot] <= this.lastSecond) continue;
      seconds.ts.push(ring.ts[slot]);
      seconds.packets.push(ring.packets[slot]);
      seconds.bytes.push(ring.bytes[slot]);
    }
    const last = ring.size > 0 ? ring.slot(ring.size - 1) : -1;
    if (last >= 0) this.lastSecond = ring.ts[last];
    const talkers = (
      list: readonly { host: number; bytes: number; packets: number }[],
      n: number,
    ) => talkerList(h, list.slice(0, n));
    const snapshot: Snapshot = {
      seq: ++this.seq,
      time_ms: Date.now(),
      packet_time: e.packets > 0 ? s.lastTs : null,
      window_start: s.currentWindowStart >= 0 ? s.currentWindowStart : null,
      packets: live.packets,
      bytes: live.bytes,
      protocols: live.protocols,
      packet_sizes: live.packet_sizes,
      seconds,
      bytes_per_second: last >= 0 ? ring.bytes[last] : 0,
      packets_per_second: last >= 0 ? ring.packets[last] : 0,
      active_flow_count: e.flows.count,
      flows_created: e.flows.created,
      flows_expired: e.flows.expired,
      flows_evicted: e.flows.evicted,
      top_flows: topActiveFlows(e.flows, this.opts.topFlows ?? 20).map((idx) =>
        flowRecord(e.flows, idx, END_FLUSH),
      ),
      top_sources: talkers(top.sources, this.opts.topTalkers ?? 10),
      top_destinations: talkers(top.destinations, this.opts.topTalkers ?? 10),
      ports: top.ports.slice(0, this.opts.topPorts ?? 20),
      decode_errors: e.decodeErrors(),
      capture,
      windows: this.closedWindows,
      ended_flows: this.endedFlows,
      ended_flows_dropped: this.endedFlowsDropped,
    };
    if (e.newFlows !== null) snapshot.new_flows = e.newFlows.drain();
    this.closedWindows = [];
    this.endedFlows = [];
    return snapshot;
  }
}
