/**
 * TCP endpoint states and the Zeek `conn_state` codes derived from them.
 *
 * Each side of a flow has its own state, as in Zeek's TCP analyzer; the pair (plus what each
 * side sent) gives the connection's `conn_state`. The codes and their meanings are Zeek's
 * (base/protocols/conn/main.zeek), so users can compare our flow records with a conn.log.
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from "../decode/protocols.js";

export const TCP_INACTIVE = 0; // nothing sent yet
export const TCP_SYN_SENT = 1; // sent a SYN without ACK
export const TCP_SYN_ACK_SENT = 2; // sent a SYN-ACK
export const TCP_PARTIAL = 3; // first seen midstream, without a SYN
export const TCP_ESTABLISHED = 4; // completed the three-way handshake
export const TCP_CLOSED = 5; // sent a FIN
export const TCP_RESET = 6; // sent a RST

/**
 * Advances the state of the endpoint that sent a segment with `flags`, given its peer's state.
 * Returns the sender's new state; when the handshake completes, `promotePeer` (the return of
 * `peerAfter`) tells the caller to mark the peer established too.
 */
export function nextTcpState(own: number, peer: number, flags: number): number {
  if (flags & TCP_RST) {
    // An RST after both sides' FINs does not reopen a connection that closed normally: Zeek
    // keeps it SF.
    return own === TCP_CLOSED && peer === TCP_CLOSED ? own : TCP_RESET;
  }
  if (flags & TCP_SYN) {
    if (own !== TCP_INACTIVE && own !== TCP_PARTIAL) return own;
    return flags & TCP_ACK ? TCP_SYN_ACK_SENT : TCP_SYN_SENT;
  }
  if (flags & TCP_FIN) return own === TCP_RESET ? own : TCP_CLOSED;
  if (own === TCP_INACTIVE) {
    // The originator's first packet acknowledges a SYN-ACK whose SYN was not seen: the
    // handshake completes, as Zeek decides (history ^hA..., state S1 once both sides talk).
    return peer === TCP_SYN_ACK_SENT && (flags & TCP_ACK) !== 0 ? TCP_ESTABLISHED : TCP_PARTIAL;
  }
  if (
    (own === TCP_SYN_SENT || own === TCP_SYN_ACK_SENT) &&
    (peer === TCP_SYN_SENT || peer === TCP_SYN_ACK_SENT || peer === TCP_ESTABLISHED)
  ) {
    return TCP_ESTABLISHED;
  }
  return own;
}

/** The peer's state after the sender moved to `ownAfter`: the final ACK of a handshake
 * establishes both sides. */
export function peerAfter(ownAfter: number, peer: number): number {
  if (ownAfter === TCP_ESTABLISHED && (peer === TCP_SYN_SENT || peer === TCP_SYN_ACK_SENT)) {
    return TCP_ESTABLISHED;
  }
  return peer;
}

/** True when a flow in these states is over, so a new SYN on its 5-tuple starts a new flow. */
export function tcpFinished(orig: number, resp: number): boolean {
  return orig === TCP_RESET || resp === TCP_RESET || (orig === TCP_CLOSED && resp === TCP_CLOSED);
}

function inactive(s: number): boolean {
  return s === TCP_INACTIVE || s === TCP_PARTIAL;
}

/**
 * Zeek's conn_state for a TCP connection, from the originator's and responder's states, the
 * flags the originator sent, and whether any payload-bearing bytes were seen (`bothEmpty`
 * means neither side sent a packet beyond the handshake, as Zeek's REJ test on sizes).
 */
export function tcpConnState(
  os: number,
  rs: number,
  origFlags: number,
  bothEmpty: boolean,
): string {
  if (rs === TCP_RESET) {
    if (os === TCP_SYN_SENT || os === TCP_SYN_ACK_SENT || (os === TCP_RESET && bothEmpty)) {
      return "REJ";
    }
    return inactive(os) ? "RSTRH" : "RSTR";
  }
  if (os === TCP_RESET) {
    if (inactive(rs)) return origFlags & TCP_SYN && !(origFlags & TCP_ACK) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs === TCP_CLOSED && os === TCP_CLOSED) return "SF";
  if (os === TCP_CLOSED) return inactive(rs) ? "SH" : "S2";
  if (rs === TCP_CLOSED) return inactive(os) ? "SHR" : "S3";
  if (os === TCP_SYN_SENT && rs === TCP_INACTIVE) return "S0";
  if (os === TCP_ESTABLISHED && rs === TCP_ESTABLISHED) return "S1";
  return "OTH";
}

/** Zeek's conn_state for UDP (and, by the same rule, any other protocol with two sides). */
export function udpConnState(origPackets: number, respPackets: number): string {
  if (origPackets > 0) return respPackets > 0 ? "SF" : "S0";
  return respPackets > 0 ? "SHR" : "OTH";
}

const FLAG_LETTERS = "CEUAPRSF";

/** TCP flags as nfdump prints them: CWR ECE URG ACK PSH RST SYN FIN, '.' when unset. */
export function formatTcpFlags(flags: number): string {
  let out = "";
  for (let bit = 7; bit >= 0; bit--) out += flags & (1 << bit) ? FLAG_LETTERS[7 - bit] : ".";
  return out;
}
