/**
 * Questions about the active flows, asked from outside the packet path: the top N by bytes
 * (snapshots), and which side of a flow an address is on (the flow and host queries of
 * src/engine/flow-pages.ts and src/stats/host-query.ts).
 */
import { parseAddress } from "../decode/address.js";
import type { FlowTable } from "./flow-table.js";

/** Flow indexes of the `n` active flows with the most bytes (both directions), most first. */
export function topActiveFlows(t: FlowTable, n: number): number[] {
  if (n <= 0) return [];
  const top: number[] = [];
  const bytes: number[] = [];
  t.forEach((idx) => {
    const b = t.bytes[idx * 2] + t.bytes[idx * 2 + 1];
    if (top.length === n && b <= bytes[n - 1]) return;
    let i = top.length;
    while (i > 0 && bytes[i - 1] < b) i--;
    top.splice(i, 0, idx);
    bytes.splice(i, 0, b);
    if (top.length > n) {
      top.pop();
      bytes.pop();
    }
  });
  return top;
}

/** An address as the tables hold it: its family and four int32 words (`word | 0`). */
export interface AddressKey {
  family: number;
  w: readonly number[];
}

/** The table form of an address given as text; undefined if it is not one. */
export function addressKey(text: string): AddressKey | undefined {
  const a = parseAddress(text);
  return a === undefined ? undefined : { family: a.family, w: a.words.map((x) => x | 0) };
}

export const SIDE_NONE = 0;
export const SIDE_INITIATOR = 1;
export const SIDE_RESPONDER = 2;

/** Which side of flow `idx` has the address: the initiator's (checked first), the
 * responder's, or neither. */
export function sideOf(t: FlowTable, idx: number, key: AddressKey): number {
  if (t.family[idx] !== key.family) return SIDE_NONE;
  const o = idx * 8;
  const a = t.addr;
  const w = key.w;
  if (a[o] === w[0] && a[o + 1] === w[1] && a[o + 2] === w[2] && a[o + 3] === w[3]) {
    return SIDE_INITIATOR;
  }
  if (a[o + 4] === w[0] && a[o + 5] === w[1] && a[o + 6] === w[2] && a[o + 7] === w[3]) {
    return SIDE_RESPONDER;
  }
  return SIDE_NONE;
}
