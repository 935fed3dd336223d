/**
 * A flow as a plain JSON-ready record: the `--flows-out` line format and the entries of
 * `top_flows`. Built only when a flow ends or a report is made, never per packet.
 */
import { formatAddress } from "../decode/address.js";
import { TUNNEL_NAMES } from "../decode/decoder.js";
import { IPPROTO_TCP, IPPROTO_UDP } from "../decode/protocols.js";
import { END_REASONS, type FlowTable } from "./flow-table.js";
import { formatTcpFlags, tcpConnState, udpConnState } from "./tcp-state.js";

/** The outermost tunnel a flow's packets came through (Zeek's tunnel_parents, as addresses). */
export interface FlowTunnel {
  /** ip, gre, vxlan, geneve, gtpv1, teredo or ayiya. */
  type: string;
  /** The tunnel endpoint on the flow originator's side, and the other one. */
  src_ip: string;
  dst_ip: string;
}

export interface FlowRecord {
  proto: number;
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  /** Outermost VLAN id, 0 when untagged. */
  vlan: number;
  /** Second VLAN id of a QinQ stack, 0 when none. */
  inner_vlan: number;
  /** Initiator to responder. */
  packets: number;
  bytes: number;
  /** Responder to initiator. */
  packets_rev: number;
  bytes_rev: number;
  first_ts: number;
  last_ts: number;
  conn_state: string;
  /** TCP flags seen in either direction, nfdump style ("...AP.SF"); "" for other protocols. */
  tcp_flags: string;
  /** Why the flow ended: idle, evicted, reused, flush (still active at the end of the run). */
  end_reason: string;
  /** The tunnel the flow came through, or null when it was not tunneled. */
  tunnel: FlowTunnel | null;
}

/** Rounds a timestamp to microseconds so JSON shows no binary noise. */
function roundTs(ts: number): number {
  return Math.round(ts * 1e6) / 1e6;
}

/** Zeek's conn_state of a flow (a constant string: no allocation). */
export function connStateOf(t: FlowTable, idx: number): string {
  const p = idx * 2;
  const proto = t.proto[idx];
  if (proto === IPPROTO_TCP) {
    return tcpConnState(
      t.tcpState[p],
      t.tcpState[p + 1],
      t.tcpFlags[p],
      t.payloadSeen[p] + t.payloadSeen[p + 1] === 0,
    );
  }
  if (proto === IPPROTO_UDP) return udpConnState(t.packets[p], t.packets[p + 1]);
  return "OTH";
}

export function flowRecord(t: FlowTable, idx: number, reason: number): FlowRecord {
  const o = idx * 8;
  const p = idx * 2;
  const family = t.family[idx];
  const proto = t.proto[idx];
  const a = t.addr;
  const firstFwd = t.firstTs[p];
  const firstRev = t.firstTs[p + 1];
  const first = firstRev === 0 || (firstFwd !== 0 && firstFwd < firstRev) ? firstFwd : firstRev;
  const last = Math.max(t.lastTs[p], t.lastTs[p + 1]);
  return {
    proto,
    src_ip: formatAddress(a[o], a[o + 1], a[o + 2], a[o + 3], family),
    src_port: t.port[p],
    dst_ip: formatAddress(a[o + 4], a[o + 5], a[o + 6], a[o + 7], family),
    dst_port: t.port[p + 1],
    vlan: t.vlan[idx] >>> 12,
    inner_vlan: t.vlan[idx] & 0xfff,
    packets: t.packets[p],
    bytes: t.bytes[p],
    packets_rev: t.packets[p + 1],
    bytes_rev: t.bytes[p + 1],
    first_ts: roundTs(first),
    last_ts: roundTs(last),
    conn_state: connStateOf(t, idx),
    tcp_flags: proto === IPPROTO_TCP ? formatTcpFlags(t.tcpFlags[p] | t.tcpFlags[p + 1]) : "",
    end_reason: END_REASONS[reason] ?? "unknown",
    tunnel: tunnelOf(t, idx),
  };
}

function tunnelOf(t: FlowTable, idx: number): FlowTunnel | null {
  const type = t.tunnelType[idx];
  if (type === 0) return null;
  const o = idx * 8;
  const a = t.tunnelAddr;
  const family = t.tunnelFamily[idx];
  return {
    type: TUNNEL_NAMES[type] ?? "unknown",
    src_ip: formatAddress(a[o], a[o + 1], a[o + 2], a[o + 3], family),
    dst_ip: formatAddress(a[o + 4], a[o + 5], a[o + 6], a[o + 7], family),
  };
}
