/**
 * The packet decoder: link layer, network layer, transport layer, into one reusable record
 * (the decoder's own fields), with no allocation per packet and no exception for any input.
 *
 * IMPLEMENTATION PENDING (being written now): this file fixes the public fields and their
 * meaning, which the flow table and the aggregator read after each `decode` call.
 */
import { DECODE_OK } from "./decode-status.js";

/** What the network layer turned out to be. */
export const L3_NONE = 0; // nothing past the link layer (truncated, or link layer only)
export const L3_ARP = 1;
export const L3_OTHER = 2; // a non-IP, non-ARP payload (LLC, LLDP, ...), by `ethertype`
export const L3_IPV4 = 4;
export const L3_IPV6 = 6;

export class Decoder {
  /** Status of the last decode: DECODE_OK or a reason code from decode-status.ts. */
  status = DECODE_OK;
  l3 = L3_NONE;
  /** EtherType of the network layer (after VLAN tags); 0 when the link has none (raw IP). */
  ethertype = 0;
  /** Outermost VLAN id (802.1Q or 802.1ad), 0 when untagged. */
  vlan = 0;
  /** Second VLAN id of a QinQ stack, 0 when there is none. */
  innerVlan = 0;
  /** Number of VLAN tags walked. */
  vlanDepth = 0;

  // Network layer. Addresses are four big-endian 32-bit words; an IPv4 address is in word 3
  // with words 0..2 zero (the family is told by `l3`).
  src0 = 0;
  src1 = 0;
  src2 = 0;
  src3 = 0;
  dst0 = 0;
  dst1 = 0;
  dst2 = 0;
  dst3 = 0;
  /** IP protocol number of the transport layer (after IPv6 extension headers); -1 if no IP. */
  proto = -1;
  ttl = 0;
  /** IPv4 identification (16 bits) or the IPv6 fragment header's identification (32 bits). */
  ipId = 0;
  /** 1 when the datagram is a fragment (offset > 0 or more-fragments set). */
  isFragment = 0;
  /** Fragment offset in bytes. */
  fragOffset = 0;
  moreFragments = 0;
  /** Bytes of the IP payload after all IP headers, by the IP length fields (not by caplen). */
  ipPayloadLen = 0;

  // Transport layer.
  /** 1 when `sport`/`dport` are known: parsed from a first fragment or whole datagram, or
   * taken from the fragment table for a later fragment whose first fragment was seen. */
  hasPorts = 0;
  sport = 0;
  dport = 0;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE, CWR). */
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpWindow = 0;
  /** TCP header length in bytes (data offset * 4). */
  tcpHeaderLen = 0;
  /** ICMP / ICMPv6 type and code; -1 when not ICMP. */
  icmpType = -1;
  icmpCode = -1;
  /** Echo request/reply identifier; -1 for other ICMP messages. */
  icmpId = -1;
  /** Bytes of transport payload by the IP length fields (0 when unknown). */
  l4PayloadLen = 0;

  // ARP (Ethernet/IPv4 only).
  arpOp = 0;
  arpSpa = 0;
  arpTpa = 0;

  /**
   * Decodes one frame `buf[off .. off + caplen)` of link type `linktype` into this record
   * and returns its status. `tsSec` ages the fragment table.
   */
  decode(_buf: Uint8Array, _off: number, _caplen: number, _linktype: number, _tsSec: number): number {
    this.status = DECODE_OK;
    return this.status;
  }
}
