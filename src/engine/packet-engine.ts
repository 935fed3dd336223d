/**
 * The packet engine: decode, flow tracking and statistics for one stream of packets. It is
 * the PacketSink that every source (capture file, live capture) feeds, and the one place
 * that wires the decoder to the flow table and the aggregator.
 *
 * Per packet: decode into the decoder's record, move the packet clock, update the flow, add
 * the statistics. Nothing here allocates per packet; the only per-packet branches are on
 * numbers the decoder produced.
 */

import { DECODE_OK, DECODE_REASONS, UNSUPPORTED_LINK_TYPE } from "../decode/decode-status.js";
import { Decoder, L3_ARP, L3_IPV4, L3_IPV6 } from "../decode/decoder.js";
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "../decode/protocols.js";
import {
  DEFAULT_FLOW_TABLE_CONFIG,
  END_FLUSH,
  type FlowEndListener,
  FlowKey,
  FlowTable,
  type FlowTableConfig,
} from "../flows/flow-table.js";
import type { PacketSink } from "../packet/packet-sink.js";
import {
  Aggregator,
  DEFAULT_STATS_CONFIG,
  PROTO_ARP,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_OTHER,
  PROTO_TCP,
  PROTO_UDP,
  type StatsConfig,
} from "../stats/aggregator.js";
import type { NewFlowLog } from "./new-flow-log.js";

export interface EngineConfig {
  flows: FlowTableConfig;
  stats: StatsConfig;
}

/** A per-protocol timeout of the config (null or absent: the idle timeout applies). */
function timeout<K extends string>(
  key: K,
  v: number | null | undefined,
): Partial<Record<K, number>> {
  return v === null || v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}

/** The engine's settings from the config file's `tracking.*` and `stats.*`. */
export function engineConfigFrom(c: {
  tracking: {
    max_flows: number;
    idle_timeout: number;
    cleanup_interval: number;
    tcp_timeout?: number | null;
    tcp_closing_timeout?: number | null;
    udp_timeout?: number | null;
    icmp_timeout?: number | null;
    vlan_in_key?: boolean;
    max_hosts: number;
  };
  stats: { window_size: number; history_depth: number };
}): EngineConfig {
  return {
    flows: {
      capacity: c.tracking.max_flows,
      idleTimeout: c.tracking.idle_timeout,
      cleanupInterval: c.tracking.cleanup_interval,
      ...timeout("tcpTimeout", c.tracking.tcp_timeout),
      ...timeout("tcpClosingTimeout", c.tracking.tcp_closing_timeout),
      ...timeout("udpTimeout", c.tracking.udp_timeout),
      ...timeout("icmpTimeout", c.tracking.icmp_timeout),
      vlanInKey: c.tracking.vlan_in_key ?? true,
    },
    stats: {
      windowSize: c.stats.window_size,
      historyDepth: c.stats.history_depth,
      secondsKept: 300,
      hostCapacity: c.tracking.max_hosts,
      windowTopN: 10,
    },
  };
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  flows: DEFAULT_FLOW_TABLE_CONFIG,
  stats: DEFAULT_STATS_CONFIG,
};

/** Highest link type number counted individually; larger ones share the last slot. */
const MAX_LINKTYPE = 1023;

export class PacketEngine implements PacketSink {
  readonly decoder = new Decoder();
  readonly flows: FlowTable;
  readonly stats: Aggregator;
  /** Packets per decode status (index = status code; 0 = decoded without error). */
  readonly statusCounts = new Float64Array(DECODE_REASONS.length);
  /** Packets per unsupported link type (index = link type). */
  readonly unsupportedLinkTypes = new Float64Array(MAX_LINKTYPE + 1);
  /** Packets seen (all of them; the statistics hold them only as seconds close). */
  packets = 0;
  /** Packets added to flows (a tunneled packet adds to its tunnel's flow and to its own). */
  flowPackets = 0;
  /** When set, every new flow is copied here for the alert rules (the capture worker). */
  newFlows: NewFlowLog | null = null;

  private readonly key = new FlowKey();
  /** Set by `endInput` until `resume` or `finish`. */
  private inputEnded = false;
  private readonly tunnelKey = new FlowKey();

  constructor(
    config: EngineConfig = DEFAULT_ENGINE_CONFIG,
    listener: FlowEndListener | null = null,
  ) {
    this.flows = new FlowTable(config.flows, listener);
    this.stats = new Aggregator(config.stats);
  }

  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    const d = this.decoder;
    this.packets += 1;
    const status = d.decode(buf, off, caplen, linktype, tsSec);
    this.statusCounts[status] += 1;
    if (status === UNSUPPORTED_LINK_TYPE) {
      this.unsupportedLinkTypes[Math.min(linktype, MAX_LINKTYPE)] += 1;
    }
    const ts = tsSec + tsNsec * 1e-9;
    const stats = this.stats;
    stats.now = ts;
    stats.tick();
    this.flows.now = ts;
    this.flows.advance();

    if (d.tunnelDepth > 0) this.countTunnel(origlen);
    const l3 = d.l3;
    if (l3 !== L3_IPV4 && l3 !== L3_IPV6) {
      stats.addPacket(l3 === L3_ARP ? PROTO_ARP : PROTO_OTHER, origlen);
      return;
    }
    const proto = d.proto;
    const cls =
      proto === IPPROTO_TCP
        ? PROTO_TCP
        : proto === IPPROTO_UDP
          ? PROTO_UDP
          : proto === IPPROTO_ICMP
            ? PROTO_ICMP
            : proto === IPPROTO_ICMPV6
              ? PROTO_ICMPV6
              : PROTO_OTHER;
    stats.addPacket(cls, origlen);
    const family = l3 === L3_IPV4 ? 4 : 6;

    // Flow key. Port-based protocols need their ports: a packet whose transport header is
    // missing (truncated, or a later fragment of a datagram whose first fragment was not
    // seen) is counted, with its hosts, but joins no flow rather than a made-up one.
    const hasPortProto = proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP;
    if (hasPortProto && d.hasPorts === 0) {
      const h = stats.hosts;
      stats.addHosts(
        h.lookup(family, d.src0 | 0, d.src1 | 0, d.src2 | 0, d.src3 | 0),
        h.lookup(family, d.dst0 | 0, d.dst1 | 0, d.dst2 | 0, d.dst3 | 0),
        origlen,
      );
      return;
    }
    const k = this.key;
    k.proto = proto;
    k.family = family;
    k.vlan = (d.vlan << 12) | d.innerVlan;
    k.a0 = d.src0 | 0;
    k.a1 = d.src1 | 0;
    k.a2 = d.src2 | 0;
    k.a3 = d.src3 | 0;
    k.b0 = d.dst0 | 0;
    k.b1 = d.dst1 | 0;
    k.b2 = d.dst2 | 0;
    k.b3 = d.dst3 | 0;
    if (hasPortProto) {
      k.aPort = d.sport;
      k.bPort = d.dport;
    } else if (d.icmpId >= 0) {
      // Echo request and reply share their identifier: one flow per ping session.
      k.aPort = d.icmpId;
      k.bPort = d.icmpId;
    } else if (d.icmpType >= 0) {
      // Other ICMP messages: type and code stand in for ports, as Zeek and nfdump do.
      k.aPort = d.icmpType;
      k.bPort = d.icmpCode;
    } else {
      k.aPort = 0;
      k.bPort = 0;
    }
    this.countFlow(
      k,
      proto === IPPROTO_TCP ? d.tcpFlags : 0,
      origlen,
      d.l4PayloadLen,
      hasPortProto,
    );
    if (d.tunnelDepth > 0) {
      const flows = this.flows;
      flows.setTunnel(
        flows.lastIdx,
        flows.lastSide,
        d.tunnelType,
        d.tunnelFamily,
        d.tunnelSrc0 | 0,
        d.tunnelSrc1 | 0,
        d.tunnelSrc2 | 0,
        d.tunnelSrc3 | 0,
        d.tunnelDst0 | 0,
        d.tunnelDst1 | 0,
        d.tunnelDst2 | 0,
        d.tunnelDst3 | 0,
      );
    }
  }

  /** Adds the packet to the flow of key `k`, and its hosts and service port to the stats. */
  private countFlow(
    k: FlowKey,
    flags: number,
    origlen: number,
    payload: number,
    hasPortProto: boolean,
  ): void {
    const flows = this.flows;
    const stats = this.stats;
    flows.update(k, flags, origlen, payload);
    this.flowPackets += 1;
    const side = flows.lastIdx * 2 + flows.lastSide;
    const peer = side ^ 1;
    if (flows.lastNew === 1) {
      // Hosts are looked up once per flow; its later packets reuse the indexes.
      const h = stats.hosts;
      flows.host[side] = h.lookup(k.family, k.a0, k.a1, k.a2, k.a3);
      flows.host[peer] = h.lookup(k.family, k.b0, k.b1, k.b2, k.b3);
      this.newFlows?.record(flows, flows.lastIdx);
    }
    stats.addHosts(flows.host[side], flows.host[peer], origlen);
    if (hasPortProto) stats.addPort(flows.port[flows.lastIdx * 2 + 1], origlen, flows.lastNew);
  }

  /**
   * A tunneled packet also counts in the flow of its outermost tunnel (the GRE, IP-in-IP or
   * UDP packet between the tunnel's endpoints), as Zeek and tshark count the tunnel as a
   * connection of its own; the packet's own flow is the innermost one.
   */
  private countTunnel(origlen: number): void {
    const d = this.decoder;
    const k = this.tunnelKey;
    const proto = d.tunnelProto;
    k.proto = proto;
    k.family = d.tunnelFamily;
    k.vlan = (d.vlan << 12) | d.innerVlan;
    k.a0 = d.tunnelSrc0 | 0;
    k.a1 = d.tunnelSrc1 | 0;
    k.a2 = d.tunnelSrc2 | 0;
    k.a3 = d.tunnelSrc3 | 0;
    k.b0 = d.tunnelDst0 | 0;
    k.b1 = d.tunnelDst1 | 0;
    k.b2 = d.tunnelDst2 | 0;
    k.b3 = d.tunnelDst3 | 0;
    const udp = proto === IPPROTO_UDP;
    k.aPort = udp ? d.tunnelSport : 0;
    k.bPort = udp ? d.tunnelDport : 0;
    this.countFlow(k, 0, origlen, d.tunnelPayloadLen, udp);
  }

  /**
   * Moves packet time forward without a packet, so that on a quiet link seconds and windows
   * still close and idle flows still expire on time (live capture calls this every tick with
   * the wall clock). Never moves time backwards.
   */
  advanceTo(ts: number): void {
    if (this.packets === 0 || ts <= this.flows.now) return;
    this.stats.now = ts;
    this.stats.tick();
    this.flows.now = ts;
    this.flows.advance();
  }

  /** Ends the run: closes the open second and window, then ends every flow. */
  finish(): void {
    this.stats.finish();
    if (this.inputEnded) this.resume();
    else this.flows.flush();
  }

  /**
   * The input ended but the engine stays (a file read to its end while the daemon runs on):
   * closes the open second and window and reports every active flow to the flow listener as
   * ended (END_FLUSH), as `finish` does, but keeps the flows in the table, so that the last
   * state can still be looked at. They are reported once: `finish`, or `resume` before the
   * next packets, drops them without reporting them again.
   */
  endInput(): void {
    if (this.inputEnded) return;
    this.stats.finish();
    const flows = this.flows;
    const listener = flows.listener;
    if (listener !== null) {
      flows.forEach((idx) => {
        listener.flowEnded(flows, idx, END_FLUSH);
      });
    }
    this.inputEnded = true;
  }

  /** Before packets come again after `endInput`: the flows it reported leave the table. */
  resume(): void {
    if (!this.inputEnded) return;
    this.flows.clear();
    this.inputEnded = false;
  }

  /** Decode errors by reason name (reasons with a count only). */
  decodeErrors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < DECODE_REASONS.length; i++) {
      if (i === DECODE_OK || i === UNSUPPORTED_LINK_TYPE) continue;
      if (this.statusCounts[i] > 0) out[DECODE_REASONS[i]] = this.statusCounts[i];
    }
    return out;
  }
}
