/**
 * The alert rules' view of the packet path: every flow created since the last tick, copied
 * as numbers into fixed typed-array columns when the flow table creates it.
 *
 * Why copy instead of keeping flow indexes: a slot freed by eviction or expiry can be reused
 * for another flow within the same tick, so an index read at tick time may name a different
 * flow. Copying the initiator's address, the responder's address and port, the protocol and
 * the time costs a few stores per new flow and nothing per packet of an existing flow.
 *
 * Memory is fixed: `capacity` flows per tick (about 50 bytes each), allocated once. Flows
 * beyond it in one tick are counted in `skipped` and not recorded: a flood of new flows
 * costs no memory, and the rules see the first `capacity` of the tick (enough to cross any
 * scan threshold the config allows).
 *
 * At tick time `drain()` copies the used part into a compact `NewFlowBatch` (plain typed
 * arrays, structured-clone friendly) for the snapshot and starts the next tick empty. The
 * rules run on the main thread (src/alerts/alert-engine.ts), where the config they follow can
 * be reloaded without telling the worker.
 */
import type { FlowTable } from "../flows/flow-table.js";

/** New flows of one tick, as columns; row i is one flow in the initiator's orientation. */
export interface NewFlowBatch {
  /** Rows in the columns. */
  count: number;
  /** New flows of the tick that did not fit (not recorded). */
  skipped: number;
  /** 8 words per row: initiator a0..a3, responder b0..b3 (IPv4 in word 3). */
  addr: Int32Array;
  /** 4 or 6. */
  family: Uint8Array;
  /** IP protocol number. */
  proto: Uint8Array;
  /** Responder port (TCP, UDP, SCTP); for ICMP the engine's stand-in (id or code). */
  port: Uint16Array;
  /** Packet time of the flow's first packet (Unix seconds). */
  ts: Float64Array;
}

/** Default rows per tick. */
export const NEW_FLOW_LOG_CAPACITY = 32768;

export class NewFlowLog {
  readonly capacity: number;
  private readonly addr: Int32Array;
  private readonly family: Uint8Array;
  private readonly proto: Uint8Array;
  private readonly port: Uint16Array;
  private readonly ts: Float64Array;
  private count = 0;
  private skipped = 0;

  constructor(capacity = NEW_FLOW_LOG_CAPACITY) {
    if (!(capacity >= 1)) throw new RangeError("new-flow log capacity must be at least 1");
    this.capacity = capacity;
    this.addr = new Int32Array(capacity * 8);
    this.family = new Uint8Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.port = new Uint16Array(capacity);
    this.ts = new Float64Array(capacity);
  }

  /** Records flow `idx` of `t`, just created at packet time `t.now`. Numbers only. */
  record(t: FlowTable, idx: number): void {
    const n = this.count;
    if (n >= this.capacity) {
      this.skipped++;
      return;
    }
    const o = idx * 8;
    const r = n * 8;
    const src = t.addr;
    const dst = this.addr;
    for (let w = 0; w < 8; w++) dst[r + w] = src[o + w];
    this.family[n] = t.family[idx];
    this.proto[n] = t.proto[idx];
    this.port[n] = t.port[idx * 2 + 1];
    this.ts[n] = t.now;
    this.count = n + 1;
  }

  /** The flows recorded since the last drain, as a compact copy; the log starts empty. */
  drain(): NewFlowBatch {
    const n = this.count;
    const batch: NewFlowBatch = {
      count: n,
      skipped: this.skipped,
      addr: this.addr.slice(0, n * 8),
      family: this.family.slice(0, n),
      proto: this.proto.slice(0, n),
      port: this.port.slice(0, n),
      ts: this.ts.slice(0, n),
    };
    this.count = 0;
    this.skipped = 0;
    return batch;
  }
}
