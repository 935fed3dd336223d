/**
 * Traffic statistics: totals, protocols, packet sizes, ports and hosts, cumulative and in
 * time buckets. One-second buckets go into a ring (`secondsKept` of them); windows of
 * `windowSize` seconds (`stats.window_size`) are summarised when they close and the last
 * `historyDepth` (`stats.history_depth`) summaries are kept. Time is packet time.
 *
 * The per-packet calls (`tick`, `addPacket`, `addHosts`, `addPort`) only add numbers into
 * the current second's (and, for ports and hosts, the current window's) typed arrays; coarser
 * spans are rollups: a closing second is added into its window, a closing window into the
 * run's totals. Summaries (objects) are built once per window and at report time.
 */

import { SIZE_CLASSES } from "../contract/enums.js";
import { PROTOCOL_CLASSES } from "../contract/protocols.js";
import { HostTable } from "./host-table.js";
import { serviceName } from "./services.js";
import { topK } from "./top-k.js";

/** Protocol classes of the breakdown: indexes into the contract's PROTOCOL_CLASSES. */
export const PROTO_TCP = 0;
export const PROTO_UDP = 1;
export const PROTO_ICMP = 2;
export const PROTO_ICMPV6 = 3;
export const PROTO_ARP = 4;
export const PROTO_OTHER = 5;

/** Frame lengths on the wire of the original daemon's packet-size classes (SIZE_CLASSES). */
export const SIZE_CLASS_RANGES: readonly string[] = [
  "0-64",
  "65-128",
  "129-512",
  "513-1024",
  "1025+",
];

export function sizeClass(length: number): number {
  if (length <= 64) return 0;
  if (length <= 128) return 1;
  if (length <= 512) return 2;
  if (length <= 1024) return 3;
  return 4;
}

export interface StatsConfig {
  /** Seconds per window (`stats.window_size`). */
  windowSize: number;
  /** Windows kept (`stats.history_depth`). */
  historyDepth: number;
  /** One-second buckets kept. */
  secondsKept: number;
  /** Most hosts tracked for top talkers. */
  hostCapacity: number;
  /** Entries in each top-N list of a window summary. */
  windowTopN: number;
}

export const DEFAULT_STATS_CONFIG: StatsConfig = {
  windowSize: 60,
  historyDepth: 24,
  secondsKept: 300,
  hostCapacity: 1 << 20,
  windowTopN: 10,
};

export interface ProtocolCount {
  packets: number;
  bytes: number;
}
export interface TalkerEntry {
  /** Host index in the host table (formatted to an address at the edge). */
  host: number;
  bytes: number;
  packets: number;
}
export interface PortEntry {
  port: number;
  bytes: number;
  packets: number;
  connections: number;
  service: string;
}

/** One closed window. */
export interface WindowSummary {
  window_start: number;
  window_size: number;
  packets: number;
  bytes: number;
  bytes_per_second: number;
  protocols: Record<string, ProtocolCount>;
  packet_sizes: Record<string, number>;
  top_sources: TalkerEntry[];
  top_destinations: TalkerEntry[];
  ports: PortEntry[];
}

const NPROTO = PROTOCOL_CLASSES.length;
const NSIZE = SIZE_CLASSES.length;
const NPORT = 65536;

/** Counters of one span of time (the whole run, the current second, the current window). */
class Counters {
  packets = 0;
  bytes = 0;
  readonly protoPackets = new Float64Array(NPROTO);
  readonly protoBytes = new Float64Array(NPROTO);
  readonly sizes = new Float64Array(NSIZE);

  add(proto: number, length: number): void {
    this.packets += 1;
    this.bytes += length;
    this.protoPackets[proto] += 1;
    this.protoBytes[proto] += length;
    this.sizes[sizeClass(length)] += 1;
  }

  /** Adds another span's counters (a second into its window, a window into the total). */
  addAll(o: Counters): void {
    this.packets += o.packets;
    this.bytes += o.bytes;
    for (let i = 0; i < NPROTO; i++) {
      this.protoPackets[i] += o.protoPackets[i];
      this.protoBytes[i] += o.protoBytes[i];
    }
    for (let i = 0; i < NSIZE; i++) this.sizes[i] += o.sizes[i];
  }

  reset(): void {
    this.packets = 0;
    this.bytes = 0;
    this.protoPackets.fill(0);
    this.protoBytes.fill(0);
    this.sizes.fill(0);
  }

  protocols(): Record<string, ProtocolCount> {
    const out: Record<string, ProtocolCount> = {};
    for (let i = 0; i < NPROTO; i++) {
      out[PROTOCOL_CLASSES[i]] = { packets: this.protoPackets[i], bytes: this.protoBytes[i] };
    }
    return out;
  }

  packetSizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < NSIZE; i++) out[SIZE_CLASSES[i]] = this.sizes[i];
    return out;
  }
}

/** Per-port counters (bytes, packets, new connections), indexed by port number. */
class PortCounters {
  readonly bytes = new Float64Array(NPORT);
  readonly packets = new Float64Array(NPORT);
  readonly connections = new Float64Array(NPORT);

  top(n: number): PortEntry[] {
    return topK(this.bytes, NPORT, n).map((port) => ({
      port,
      bytes: this.bytes[port],
      packets: this.packets[port],
      connections: this.connections[port],
      service: serviceName(port),
    }));
  }

  addAll(o: PortCounters): void {
    for (let p = 0; p < NPORT; p++) {
      if (o.packets[p] === 0) continue;
      this.bytes[p] += o.bytes[p];
      this.packets[p] += o.packets[p];
      this.connections[p] += o.connections[p];
    }
  }

  reset(): void {
    this.bytes.fill(0);
    this.packets.fill(0);
    this.connections.fill(0);
  }
}

/** A ring of one-second buckets: columns of numbers, oldest first when read. */
export class SecondRing {
  readonly ts: Float64Array;
  readonly packets: Float64Array;
  readonly bytes: Float64Array;
  readonly protoBytes: Float64Array; // NPROTO per second
  private head = 0; // next slot to write
  size = 0;

  constructor(readonly capacity: number) {
    this.ts = new Float64Array(capacity);
    this.packets = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.protoBytes = new Float64Array(capacity * NPROTO);
  }

  push(second: number, c: Counters | null): void {
    const i = this.head;
    this.ts[i] = second;
    this.packets[i] = c === null ? 0 : c.packets;
    this.bytes[i] = c === null ? 0 : c.bytes;
    for (let p = 0; p < NPROTO; p++)
      this.protoBytes[i * NPROTO + p] = c === null ? 0 : c.protoBytes[p];
    this.head = (i + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Slot of the k-th oldest bucket. */
  slot(k: number): number {
    return (this.head - this.size + k + this.capacity) % this.capacity;
  }
}

export class Aggregator {
  readonly config: StatsConfig;
  /** Totals of the closed windows; `finish` rolls the open ones in. */
  readonly total = new Counters();
  /** Ports of the closed windows. */
  readonly ports = new PortCounters();
  readonly hosts: HostTable;
  readonly seconds: SecondRing;
  /** Closed windows, oldest first, at most `historyDepth`. */
  readonly windows: WindowSummary[] = [];

  firstTs = 0;
  lastTs = 0;
  /** Highest bytes in any closed one-second bucket. */
  peakBytesPerSecond = 0;
  peakPacketsPerSecond = 0;

  private readonly second = new Counters();
  private secondStart = -1;
  private readonly window = new Counters();
  private readonly windowPorts = new PortCounters();
  /** Reused by `liveTop`, which runs every tick. */
  private readonly scratchPorts = new PortCounters();
  private windowStart = -1;

  constructor(config: StatsConfig) {
    this.config = config;
    this.hosts = new HostTable(config.hostCapacity);
    this.seconds = new SecondRing(config.secondsKept);
  }

  /**
   * Packet time in seconds, set by the caller before `tick`, `addPacket` and `addHosts`. A
   * field rather than an argument: a double passed to a call that V8 does not inline is
   * boxed, an allocation per packet (whether a call is inlined varies from run to run).
   */
  now = 0;

  /** Moves the clock to packet time `now`, closing seconds and windows that ended. */
  tick(): void {
    const ts = this.now;
    this.hosts.now = ts;
    const sec = Math.floor(ts);
    if (sec === this.secondStart) return;
    if (this.secondStart < 0) {
      this.firstTs = ts;
      this.secondStart = sec;
      this.windowStart = sec - (sec % this.config.windowSize);
      return;
    }
    // Packets slightly out of order stay in the current second rather than reopening one.
    if (sec < this.secondStart) return;
    this.closeSecond(sec);
    if (sec >= this.windowStart + this.config.windowSize) {
      this.closeWindow();
      this.windowStart = sec - (sec % this.config.windowSize);
    }
  }

  private closeSecond(next: number): void {
    const c = this.second;
    if (c.bytes > this.peakBytesPerSecond) this.peakBytesPerSecond = c.bytes;
    if (c.packets > this.peakPacketsPerSecond) this.peakPacketsPerSecond = c.packets;
    this.seconds.push(this.secondStart, c);
    this.window.addAll(c);
    // Empty seconds in between are buckets too, so the series has no holes (bounded by the
    // ring: a gap of days writes at most one ring's worth).
    const gap = Math.min(next - this.secondStart - 1, this.seconds.capacity);
    for (let k = gap; k >= 1; k--) this.seconds.push(next - k, null);
    c.reset();
    this.secondStart = next;
  }

  private closeWindow(): void {
    const w = this.window;
    const n = this.config.windowTopN;
    const h = this.hosts;
    const summary: WindowSummary = {
      window_start: this.windowStart,
      window_size: this.config.windowSize,
      packets: w.packets,
      bytes: w.bytes,
      bytes_per_second: w.bytes / this.config.windowSize,
      protocols: w.protocols(),
      packet_sizes: w.packetSizes(),
      top_sources: topK(h.windowOut, h.count, n).map((host) => ({
        host,
        bytes: h.windowOut[host],
        packets: h.windowPacketsOut[host],
      })),
      top_destinations: topK(h.windowIn, h.count, n).map((host) => ({
        host,
        bytes: h.windowIn[host],
        packets: h.windowPacketsIn[host],
      })),
      ports: this.windowPorts.top(n),
    };
    this.windows.push(summary);
    if (this.windows.length > this.config.historyDepth) this.windows.shift();
    this.total.addAll(w);
    this.ports.addAll(this.windowPorts);
    w.reset();
    this.windowPorts.reset();
    h.closeWindow();
    this.onWindow?.(summary);
  }

  /** Called with each window summary as it closes (the store writes them; tests read them). */
  onWindow: ((w: WindowSummary) => void) | null = null;

  /** Counts one packet of protocol class `proto` and `length` bytes on the wire. */
  addPacket(proto: number, length: number): void {
    this.second.add(proto, length);
    this.lastTs = this.now;
  }

  /** Counts a packet's bytes for its source and destination hosts (-1 = not tracked). */
  addHosts(src: number, dst: number, length: number): void {
    const h = this.hosts;
    const ts = this.now;
    if (src >= 0) {
      h.windowOut[src] += length;
      h.windowPacketsOut[src] += 1;
      h.lastSeen[src] = ts;
    }
    if (dst >= 0) {
      h.windowIn[dst] += length;
      h.windowPacketsIn[dst] += 1;
      h.lastSeen[dst] = ts;
    }
  }

  /** Counts a packet of a flow whose responder (server) port is `port`. */
  addPort(port: number, length: number, newConnection: number): void {
    this.windowPorts.bytes[port] += length;
    this.windowPorts.packets[port] += 1;
    this.windowPorts.connections[port] += newConnection;
  }

  /** Closes the open second and window (end of a replay, shutdown): the totals are then
   * complete. */
  finish(): void {
    if (this.secondStart < 0) return;
    this.closeSecond(this.secondStart + 1);
    if (this.window.packets > 0) this.closeWindow();
    this.secondStart = -1;
  }

  /**
   * Totals up to this moment: the closed windows plus the open window and second. For
   * snapshots while the run goes on (`total` alone holds only closed windows).
   */
  liveTotals(): {
    packets: number;
    bytes: number;
    protocols: Record<string, ProtocolCount>;
    packet_sizes: Record<string, number>;
  } {
    const c = new Counters();
    c.addAll(this.total);
    c.addAll(this.window);
    c.addAll(this.second);
    return {
      packets: c.packets,
      bytes: c.bytes,
      protocols: c.protocols(),
      packet_sizes: c.packetSizes(),
    };
  }

  /** Start of the open window (Unix seconds), or -1 before the first packet. */
  get currentWindowStart(): number {
    return this.windowStart;
  }

  /** Top sources and destinations and ports up to this moment (closed and open windows). */
  liveTop(n: number): { sources: TalkerEntry[]; destinations: TalkerEntry[]; ports: PortEntry[] } {
    const h = this.hosts;
    const out = new Float64Array(h.count);
    const inn = new Float64Array(h.count);
    for (let i = 0; i < h.count; i++) {
      out[i] = h.bytesOut[i] + h.windowOut[i];
      inn[i] = h.bytesIn[i] + h.windowIn[i];
    }
    const ports = this.scratchPorts;
    ports.reset();
    ports.addAll(this.ports);
    ports.addAll(this.windowPorts);
    return {
      sources: topK(out, h.count, n).map((host) => ({
        host,
        bytes: out[host],
        packets: h.packetsOut[host] + h.windowPacketsOut[host],
      })),
      destinations: topK(inn, h.count, n).map((host) => ({
        host,
        bytes: inn[host],
        packets: h.packetsIn[host] + h.windowPacketsIn[host],
      })),
      ports: ports.top(n),
    };
  }

  topSources(n: number): TalkerEntry[] {
    const h = this.hosts;
    return topK(h.bytesOut, h.count, n).map((host) => ({
      host,
      bytes: h.bytesOut[host],
      packets: h.packetsOut[host],
    }));
  }

  topDestinations(n: number): TalkerEntry[] {
    const h = this.hosts;
    return topK(h.bytesIn, h.count, n).map((host) => ({
      host,
      bytes: h.bytesIn[host],
      packets: h.packetsIn[host],
    }));
  }
}
