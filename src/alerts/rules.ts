/**
 * The alert rules: each turns a snapshot (or its new flows) into observations, before any
 * deduplication. Pure functions for the stateless rules; a class for the two that need state
 * across ticks (drop rate accumulates packets, scan detection keeps a sliding window per
 * source). All of this runs on the main thread once per tick, never per packet.
 *
 * Time is packet time (Unix seconds): a replay raises the same alerts however fast it runs.
 */

import { protocolName } from "../contract/protocols.js";
import { formatAddress } from "../decode/address.js";
import { IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from "../decode/protocols.js";
import type { NewFlowBatch } from "../engine/new-flow-log.js";
import { formatBitRate } from "../util/units.js";
import type { AlertsConfig, Observation } from "./types.js";

/** When a snapshot happened, in packet time (wall clock before the first packet). */
export function snapshotTime(s: { packet_time: number | null; time_ms: number }): number {
  return s.packet_time ?? s.time_ms / 1000;
}

/**
 * Bandwidth: one observation per closed one-second bucket whose bytes are above the
 * threshold (bytes per second). Seconds, not ticks, so the count means "seconds above" at
 * any tick interval, and a finished replay (no new seconds) raises nothing more.
 */
export function bandwidthRule(
  seconds: { ts: readonly number[]; bytes: readonly number[] },
  cfg: AlertsConfig["bandwidth"],
): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < seconds.ts.length; i++) {
    const bytes = seconds.bytes[i] ?? 0;
    if (bytes <= cfg.threshold) continue;
    out.push({
      rule: "bandwidth",
      kind: "bandwidth",
      subject: "total traffic",
      value: bytes,
      threshold: cfg.threshold,
      ts: seconds.ts[i] ?? 0,
      message: `traffic at ${formatBitRate(bytes)}, above ${formatBitRate(cfg.threshold)}`,
    });
  }
  return out;
}

/** Active flows: one observation per tick while the flow table holds more than the threshold. */
export function activeFlowsRule(
  activeFlows: number,
  ts: number,
  cfg: AlertsConfig["active_flows"],
): Observation[] {
  if (activeFlows <= cfg.threshold) return [];
  return [
    {
      rule: "active_flows",
      kind: "active_flows",
      subject: "flow table",
      value: activeFlows,
      threshold: cfg.threshold,
      ts,
      message: `${activeFlows} active flows, above ${cfg.threshold}`,
    },
  ];
}

/**
 * Drop rate: the capture's counters are totals, so the rule keeps the previous ones and adds
 * up what changed until at least `min_packets` packets were seen (received plus dropped);
 * then the share dropped over those packets is compared with the threshold (percent) and the
 * sum starts again. A counter that went backwards (capture restarted) starts from zero.
 */
export class DropRateRule {
  private prevReceived = 0;
  private prevLost = 0;
  private received = 0;
  private lost = 0;

  observe(
    capture: { received: number; dropped: number; if_dropped: number; interfaces: string[] },
    ts: number,
    cfg: AlertsConfig["drop_rate"],
  ): Observation[] {
    const lostTotal = capture.dropped + capture.if_dropped;
    const dRec =
      capture.received >= this.prevReceived
        ? capture.received - this.prevReceived
        : capture.received;
    const dLost = lostTotal >= this.prevLost ? lostTotal - this.prevLost : lostTotal;
    this.prevReceived = capture.received;
    this.prevLost = lostTotal;
    this.received += dRec;
    this.lost += dLost;
    const seen = this.received + this.lost;
    if (seen < cfg.min_packets) return [];
    const percent = Math.round((this.lost / seen) * 10000) / 100;
    this.received = 0;
    this.lost = 0;
    if (percent <= cfg.threshold) return [];
    const subject = capture.interfaces.length > 0 ? capture.interfaces.join(",") : "capture";
    return [
      {
        rule: "drop_rate",
        kind: "drop_rate",
        subject,
        value: percent,
        threshold: cfg.threshold,
        ts,
        message: `capture on ${subject} dropped ${percent}% of ${seen} packets, above ${cfg.threshold}%`,
      },
    ];
  }
}

function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP;
}

function addressAt(addr: Int32Array, row: number, side: 0 | 1, family: number): string {
  const o = row * 8 + side * 4;
  return formatAddress(addr[o] ?? 0, addr[o + 1] ?? 0, addr[o + 2] ?? 0, addr[o + 3] ?? 0, family);
}

/** A 65536-entry table of the watched ports (1 = watched), built once per config. */
export function watchedPortTable(ports: readonly number[]): Uint8Array {
  const t = new Uint8Array(65536);
  for (const p of ports) t[p] = 1;
  return t;
}

/**
 * Watched ports: one observation per new flow (TCP, UDP, SCTP) whose responder port is
 * watched, its subject the initiator, the responder and the port. Per flow rather than per
 * tick, so an alert's count is the connections seen whatever the tick interval.
 */
export function watchedPortsRule(batch: NewFlowBatch, watched: Uint8Array): Observation[] {
  const out: Observation[] = [];
  for (let i = 0; i < batch.count; i++) {
    const proto = batch.proto[i] ?? 0;
    const port = batch.port[i] ?? 0;
    if (!hasPorts(proto) || watched[port] !== 1) continue;
    const family = batch.family[i] ?? 4;
    const src = addressAt(batch.addr, i, 0, family);
    const dst = addressAt(batch.addr, i, 1, family);
    const dstText = family === 6 ? `[${dst}]` : dst;
    out.push({
      rule: "watched_ports",
      kind: "watched_port",
      subject: `${src} -> ${dstText}:${port}/${protocolName(proto).toLowerCase()}`,
      value: 1,
      threshold: 0,
      ts: batch.ts[i] ?? 0,
      message: `${src} opened a connection to watched port ${port} on ${dst}`,
    });
  }
  return out;
}

interface ScanSource {
  /** Destination port (or host) -> packet time it was last contacted. */
  ports: Map<number, number>;
  hosts: Map<string, number>;
  /** Packet time of the source's newest flow. */
  last: number;
  /** The tick in which its maps were last pruned (at most once per tick). */
  prunedTick: number;
}

export interface ScanMetrics {
  /** Sources tracked now. */
  sources: number;
  /** Sources dropped to make room (`scan.max_sources`), least recently active first. */
  sources_evicted: number;
}

/**
 * Scan detection: per initiating address, the distinct responder ports (TCP, UDP, SCTP) and
 * the distinct responder hosts (any protocol: a ping sweep is a host scan) it opened flows
 * to within the last `window_seconds` (a sliding window, by each flow's first packet time).
 * A source at or above `port_threshold` ports raises `port_scan`; at or above
 * `host_threshold` hosts, `host_scan`; each tick in which it opens more flows while above is
 * another occurrence.
 *
 * Memory is bounded: at most `max_sources` sources (the least recently active makes room,
 * counted), and each source keeps at most `port_threshold` ports and `host_threshold` hosts
 * (reaching the threshold is all a rule needs, so a source's count stops there: the alert's
 * value is "at least" the threshold).
 */
export class ScanDetector {
  private readonly sources = new Map<string, ScanSource>();
  private tickNo = 0;
  private evicted = 0;

  observe(batch: NewFlowBatch, cfg: AlertsConfig["scan"]): Observation[] {
    const tick = ++this.tickNo;
    const window = cfg.window_seconds;
    const touched = new Set<ScanSource>();
    const names = new Map<ScanSource, string>();
    for (let i = 0; i < batch.count; i++) {
      const family = batch.family[i] ?? 4;
      const ts = batch.ts[i] ?? 0;
      const src = addressAt(batch.addr, i, 0, family);
      let s = this.sources.get(src);
      if (s === undefined) {
        s = { ports: new Map(), hosts: new Map(), last: ts, prunedTick: 0 };
        if (this.sources.size >= cfg.max_sources) {
          const oldest = this.sources.keys().next();
          if (oldest.done !== true) {
            this.sources.delete(oldest.value);
            this.evicted++;
          }
        }
      } else {
        // Re-inserted so that the map's order is least recently active first.
        this.sources.delete(src);
      }
      this.sources.set(src, s);
      s.last = Math.max(s.last, ts);
      touched.add(s);
      names.set(s, src);
      const proto = batch.proto[i] ?? 0;
      if (hasPorts(proto)) {
        this.add(s, s.ports, batch.port[i] ?? 0, ts, cfg.port_threshold, window, tick);
      }
      this.add(
        s,
        s.hosts,
        addressAt(batch.addr, i, 1, family),
        ts,
        cfg.host_threshold,
        window,
        tick,
      );
    }

    const out: Observation[] = [];
    for (const s of touched) {
      const src = names.get(s) ?? "";
      const cutoff = s.last - window;
      prune(s.ports, cutoff);
      prune(s.hosts, cutoff);
      if (s.ports.size >= cfg.port_threshold) {
        out.push({
          rule: "scan",
          kind: "port_scan",
          subject: src,
          value: s.ports.size,
          threshold: cfg.port_threshold,
          ts: s.last,
          message: `${src} contacted ${s.ports.size} or more distinct ports within ${window} s`,
        });
      }
      if (s.hosts.size >= cfg.host_threshold) {
        out.push({
          rule: "scan",
          kind: "host_scan",
          subject: src,
          value: s.hosts.size,
          threshold: cfg.host_threshold,
          ts: s.last,
          message: `${src} contacted ${s.hosts.size} or more distinct hosts within ${window} s`,
        });
      }
    }

    // Sources quiet for a whole window hold nothing that could still count: drop them, from
    // the least recently active on.
    const now = batch.count > 0 ? (batch.ts[batch.count - 1] ?? 0) : -Infinity;
    for (const [key, s] of this.sources) {
      if (s.last >= now - window) break;
      this.sources.delete(key);
    }
    return out;
  }

  /** Counts `key` for source `s`, keeping at most `cap` keys seen within the window. */
  private add<K>(
    s: ScanSource,
    m: Map<K, number>,
    key: K,
    ts: number,
    cap: number,
    window: number,
    tick: number,
  ): void {
    const prev = m.get(key);
    if (prev !== undefined) {
      if (ts > prev) m.set(key, ts);
      return;
    }
    if (m.size >= cap && s.prunedTick !== tick) {
      s.prunedTick = tick;
      prune(s.ports, ts - window);
      prune(s.hosts, ts - window);
    }
    if (m.size < cap) m.set(key, ts);
  }

  metrics(): ScanMetrics {
    return { sources: this.sources.size, sources_evicted: this.evicted };
  }

  /** Forgets every source (the rule was switched off, or its window changed). */
  clear(): void {
    this.sources.clear();
  }
}

function prune<K>(m: Map<K, number>, cutoff: number): void {
  for (const [k, t] of m) if (t < cutoff) m.delete(k);
}
