/** New-flow batches for the rule tests, built from readable rows. */

import type { NewFlowBatch } from "../../src/engine/new-flow-log.js";
import { ipv4Bytes } from "./frames.js";

export interface Row {
  src: string;
  dst: string;
  port: number;
  /** Default 6 (TCP). */
  proto?: number;
  ts: number;
}

function word(ip: string): number {
  const b = ipv4Bytes(ip);
  return ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
}

/** IPv4 rows as the worker ships them (address in word 3). */
export function batch(rows: readonly Row[], skipped = 0): NewFlowBatch {
  const n = rows.length;
  const b: NewFlowBatch = {
    count: n,
    skipped,
    addr: new Int32Array(n * 8),
    family: new Uint8Array(n).fill(4),
    proto: new Uint8Array(n),
    port: new Uint16Array(n),
    ts: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    b.addr[i * 8 + 3] = word(r.src);
    b.addr[i * 8 + 7] = word(r.dst);
    b.proto[i] = r.proto ?? 6;
    b.port[i] = r.port;
    b.ts[i] = r.ts;
  });
  return b;
}

/** `count` rows from `src`: ports from `firstPort` up on one host, or one port on many hosts. */
export function sweep(
  src: string,
  opts: { ports?: number; hosts?: number; firstPort?: number; ts: number; step?: number },
): Row[] {
  const rows: Row[] = [];
  const ports = opts.ports ?? 1;
  const hosts = opts.hosts ?? 1;
  let t = opts.ts;
  for (let h = 0; h < hosts; h++) {
    for (let p = 0; p < ports; p++) {
      rows.push({
        src,
        dst: `10.0.${(h >> 8) & 0xff}.${h & 0xff}`,
        port: (opts.firstPort ?? 1) + p,
        ts: t,
      });
      t += opts.step ?? 0.001;
    }
  }
  return rows;
}
