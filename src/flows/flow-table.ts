/**
 * The flow table: bidirectional flows in an open-addressing hash over typed arrays.
 *
 * A flow is keyed by (VLAN ids, IP protocol, address family, both addresses and ports) and
 * stored in its initiator's orientation: side 0 ("orig") is the endpoint that sent the first
 * packet, or the SYN sender when the first packet seen is a SYN-ACK. A packet matches a flow
 * in either orientation, so no key normalisation is needed; the hash is symmetric instead.
 *
 * Memory is fixed per flow (about 150 bytes, see BYTES_PER_FLOW). Every column is allocated
 * at the configured capacity up front: typed arrays are zero pages that the operating system
 * only backs with memory when first written, and slots are handed out from the lowest index,
 * so resident memory follows the flows actually held, with no copying to grow and no peak
 * while two generations of arrays coexist. Beyond capacity the least recently seen flow is
 * evicted and counted.
 * Flows are kept on intrusive LRU lists (least recently seen first), one per timeout class
 * (TCP, closing TCP, UDP, ICMP, other: each class has its own idle timeout), so that idle
 * expiry and eviction are O(1) per flow. Time is packet time: a replay gives the same flows
 * however fast it runs. Nothing here allocates per packet.
 */
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_SYN,
} from "../decode/protocols.js";
import { Arena } from "../util/arena.js";
import { mix32 } from "../util/hash.js";
import {
  nextTcpState,
  peerAfter,
  TCP_CLOSED,
  TCP_INACTIVE,
  TCP_RESET,
  tcpFinished,
} from "./tcp-state.js";

/** Why a flow left the table. */
export const END_IDLE = 0; // no packet for `idleTimeout` seconds of packet time
export const END_EVICTED = 1; // the table was full and this was the least recently seen flow
export const END_REUSED = 2; // a TCP flow had finished and a new SYN reused its 5-tuple
export const END_FLUSH = 3; // still active when the run ended (or on shutdown)
export const END_REASONS: readonly string[] = ["idle", "evicted", "reused", "flush"];

export interface FlowTableConfig {
  /** Most flows held at once; beyond it the least recently seen flow is evicted. */
  capacity: number;
  /** Seconds of packet time without a packet after which a flow ends (`tracking.idle_timeout`). */
  idleTimeout: number;
  /** Seconds of packet time between idle sweeps (`tracking.cleanup_interval`). */
  cleanupInterval: number;
  /** Idle timeouts of particular flows, in seconds; each defaults to `idleTimeout`:
   * TCP (`tracking.tcp_timeout`), TCP after a FIN or RST (`tcp_closing_timeout`), UDP
   * (`udp_timeout`), ICMP and ICMPv6 (`icmp_timeout`). */
  tcpTimeout?: number;
  tcpClosingTimeout?: number;
  udpTimeout?: number;
  icmpTimeout?: number;
  /** Whether the VLAN ids are part of a flow's key (`tracking.vlan_in_key`, default true).
   * Without, the two directions of a connection tagged differently (a router on a stick) are
   * one flow, which keeps the VLANs of its first packet. */
  vlanInKey?: boolean;
}

/** Timeout classes: each has its own LRU list and idle timeout. */
export const CLASS_OTHER = 0;
export const CLASS_TCP = 1;
export const CLASS_TCP_CLOSING = 2;
export const CLASS_UDP = 3;
export const CLASS_ICMP = 4;
const CLASSES = 5;

/** The timeout class of a new flow of protocol `proto`. */
function classOf(proto: number): number {
  if (proto === IPPROTO_TCP) return CLASS_TCP;
  if (proto === IPPROTO_UDP) return CLASS_UDP;
  if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) return CLASS_ICMP;
  return CLASS_OTHER;
}

export const DEFAULT_FLOW_TABLE_CONFIG: FlowTableConfig = {
  capacity: 1 << 20,
  idleTimeout: 300,
  cleanupInterval: 60,
};

/** Receives every flow that leaves the table, before its slot is reused. */
export interface FlowEndListener {
  flowEnded(table: FlowTable, idx: number, reason: number): void;
}

/**
 * The key of the packet being looked up, filled by the caller. Address words are int32
 * (`word | 0`): small integers stay unboxed in V8 where a uint32 above 2^31 would be a heap
 * number on every call, so the key and the table hold addresses as signed 32-bit words.
 */
export class FlowKey {
  proto = 0;
  family = 0;
  vlan = 0; // (outer << 12) | inner
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  aPort = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  bPort = 0;
}

/** Approximate bytes per flow of the typed arrays (for capacity planning and docs). */
export const BYTES_PER_FLOW =
  8 * 4 + // addresses
  2 * 2 + // ports
  4 + // vlan
  1 + // proto
  1 + // family
  4 + // hash
  2 * 8 + // packets per side
  2 * 8 + // bytes per side
  4 * 8 + // first/last per side
  8 + // last seen (either side)
  2 + // TCP flags per side
  2 + // TCP state per side
  2 + // payload seen per side
  2 * 4 + // host index per side
  2 * 4 + // LRU links
  1 + // timeout class
  4 + // free list (only indexes freed and not yet reused)
  2 * 4 + // index slots (load factor 1/2)
  // Tunnel type, family and outer addresses: written only for tunneled flows, so for other
  // traffic these pages are never touched (typed arrays are zero pages until written).
  1 +
  1 +
  8 * 4;

function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0xcc9e2d51);
  h = Math.imul(h ^ w1, 0x1b873593) + 0xe6546b64;
  h = Math.imul(h ^ w2, 0xcc9e2d51);
  h = Math.imul(h ^ w3, 0x1b873593) + port;
  return mix32(h);
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class FlowTable {
  readonly config: FlowTableConfig;

  // Per-flow columns, indexed by flow index (or 2 * index + side for per-side columns).
  readonly addr: Int32Array; // 8 words (int32): orig a0..a3, resp b0..b3
  readonly port: Uint16Array; // 2: orig port, resp port
  readonly vlan: Uint32Array;
  readonly proto: Uint8Array;
  readonly family: Uint8Array;
  readonly hash: Int32Array; // int32 like the address words, so it is never boxed
  readonly packets: Float64Array; // 2 per flow
  readonly bytes: Float64Array; // 2 per flow
  readonly firstTs: Float64Array; // 2 per flow; 0 when that side sent nothing
  readonly lastTs: Float64Array; // 2 per flow
  readonly lastSeen: Float64Array;
  readonly tcpFlags: Uint8Array; // 2 per flow, OR of the flags each side sent
  readonly tcpState: Uint8Array; // 2 per flow, TCP_* endpoint states
  readonly payloadSeen: Uint8Array; // 2 per flow, 1 once that side sent transport payload
  /** 2 per flow: the host-table index of each side, set by the engine when the flow is
   * created, so later packets need no host lookup. */
  readonly host: Int32Array;
  /** The outermost tunnel the flow's packets came through (TUNNEL_* of the decoder; 0 when
   * not tunneled), its family and its outer addresses, the originator's side first. */
  readonly tunnelType: Uint8Array;
  readonly tunnelFamily: Uint8Array;
  readonly tunnelAddr: Int32Array;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private readonly lruClass: Uint8Array;
  private readonly free: Int32Array; // stack of freed indexes
  private index: Int32Array; // flow index + 1; 0 = empty slot
  private mask: number;

  /** Flows in the table now. */
  count = 0;
  /** Indexes below this have been used at least once; above it the columns are untouched. */
  private used = 0;
  private freeTop = 0;
  /** Per timeout class: the least and the most recently seen flow (-1 when empty). */
  private readonly lruHeads = new Int32Array(CLASSES).fill(-1);
  private readonly lruTails = new Int32Array(CLASSES).fill(-1);
  /** Per timeout class: seconds of packet time without a packet after which a flow ends. */
  private readonly timeouts: Float64Array;
  /** Bits of the flow key's VLAN that take part in lookups: all of them, or none. */
  private readonly vlanMask: number;
  private nextCleanup = 0;

  // Counters.
  created = 0;
  evicted = 0;
  expired = 0;
  reused = 0;

  /**
   * Packet time in seconds, set by the caller before `update` and `advance`. A field rather
   * than an argument: a double passed to a call that is not inlined is boxed, which would be
   * an allocation per packet.
   */
  now = 0;

  // Results of the last `update`, read by the aggregator (scratch fields, no tuple).
  /** Flow index of the last packet. */
  lastIdx = -1;
  /** Side that sent the last packet: 0 = originator, 1 = responder. */
  lastSide = 0;
  /** 1 when the last packet created its flow. */
  lastNew = 0;

  /** Told of every flow that leaves the table (settable after construction). */
  listener: FlowEndListener | null;

  constructor(config: FlowTableConfig, listener: FlowEndListener | null = null) {
    if (!(config.capacity >= 1)) throw new RangeError("flow table capacity must be at least 1");
    this.config = config;
    this.listener = listener;
    const n = config.capacity;
    const arena = new Arena(
      Arena.size([
        n * 32, // addr
        n * 4, // port
        n * 4, // vlan
        n, // proto
        n, // family
        n * 4, // hash
        n * 16, // packets
        n * 16, // bytes
        n * 16, // firstTs
        n * 16, // lastTs
        n * 8, // lastSeen
        n * 2, // tcpFlags
        n * 2, // tcpState
        n * 2, // payloadSeen
        n * 8, // host
        n, // tunnelType
        n, // tunnelFamily
        n * 32, // tunnelAddr
        n * 4, // lruPrev
        n * 4, // lruNext
        n, // lruClass
        n * 4, // free
      ]),
    );
    this.addr = arena.i32(n * 8);
    this.port = arena.u16(n * 2);
    this.vlan = arena.u32(n);
    this.proto = arena.u8(n);
    this.family = arena.u8(n);
    this.hash = arena.i32(n);
    this.packets = arena.f64(n * 2);
    this.bytes = arena.f64(n * 2);
    this.firstTs = arena.f64(n * 2);
    this.lastTs = arena.f64(n * 2);
    this.lastSeen = arena.f64(n);
    this.tcpFlags = arena.u8(n * 2);
    this.tcpState = arena.u8(n * 2);
    this.payloadSeen = arena.u8(n * 2);
    this.host = arena.i32(n * 2);
    this.tunnelType = arena.u8(n);
    this.tunnelFamily = arena.u8(n);
    this.tunnelAddr = arena.i32(n * 8);
    this.lruPrev = arena.i32(n);
    this.lruNext = arena.i32(n);
    this.lruClass = arena.u8(n);
    this.free = arena.i32(n);
    const idle = config.idleTimeout;
    this.timeouts = new Float64Array(CLASSES);
    this.timeouts[CLASS_OTHER] = idle;
    this.timeouts[CLASS_TCP] = config.tcpTimeout ?? idle;
    this.timeouts[CLASS_TCP_CLOSING] = config.tcpClosingTimeout ?? idle;
    this.timeouts[CLASS_UDP] = config.udpTimeout ?? idle;
    this.timeouts[CLASS_ICMP] = config.icmpTimeout ?? idle;
    this.vlanMask = config.vlanInKey === false ? 0 : 0xffffffff;
    // The hash index is the one structure that grows: it starts small so that a few thousand
    // flows probe a cache-sized array, and doubles to keep the load factor at most 1/2.
    this.index = new Int32Array(Math.min(nextPow2(n * 2), 4096));
    this.mask = this.index.length - 1;
  }

  /** Doubles the hash index and re-inserts every flow. */
  private growIndex(): void {
    const index = new Int32Array(this.index.length * 2);
    const mask = index.length - 1;
    this.forEach((i) => {
      let s = this.hash[i] & mask;
      while (index[s] !== 0) s = (s + 1) & mask;
      index[s] = i + 1;
    });
    this.index = index;
    this.mask = mask;
  }

  /**
   * Finds or creates the flow of a packet and counts it. `flags` are the TCP flags (0 for
   * other protocols); `length` is the frame length on the wire, `payload` the transport
   * payload bytes; the time is `now`. Sets lastIdx, lastSide and lastNew.
   */
  update(k: FlowKey, flags: number, length: number, payload: number): void {
    const ts = this.now;
    const hA = endpointHash(k.a0, k.a1, k.a2, k.a3, k.aPort);
    const hB = endpointHash(k.b0, k.b1, k.b2, k.b3, k.bPort);
    // Symmetric in the two endpoints, so both directions of a flow hash alike.
    const vlanMask = this.vlanMask;
    const vlan = k.vlan & vlanMask;
    const h = mix32((hA + hB) ^ Math.imul(k.proto | (k.family << 8), 0x9e3779b1) ^ vlan) | 0;
    const mask = this.mask;
    const index = this.index;
    const addr = this.addr;
    const port = this.port;
    let s = h & mask;
    let idx = -1;
    let side = 0;
    for (;;) {
      const e = index[s];
      if (e === 0) break;
      const i = e - 1;
      if (
        this.hash[i] === h &&
        this.proto[i] === k.proto &&
        (this.vlan[i] & vlanMask) === vlan &&
        this.family[i] === k.family
      ) {
        const o = i * 8;
        const p = i * 2;
        if (
          addr[o + 3] === k.a3 &&
          addr[o + 7] === k.b3 &&
          port[p] === k.aPort &&
          port[p + 1] === k.bPort &&
          addr[o] === k.a0 &&
          addr[o + 1] === k.a1 &&
          addr[o + 2] === k.a2 &&
          addr[o + 4] === k.b0 &&
          addr[o + 5] === k.b1 &&
          addr[o + 6] === k.b2
        ) {
          idx = i;
          side = 0;
          break;
        }
        if (
          addr[o + 3] === k.b3 &&
          addr[o + 7] === k.a3 &&
          port[p] === k.bPort &&
          port[p + 1] === k.aPort &&
          addr[o] === k.b0 &&
          addr[o + 1] === k.b1 &&
          addr[o + 2] === k.b2 &&
          addr[o + 4] === k.a0 &&
          addr[o + 5] === k.a1 &&
          addr[o + 6] === k.a2
        ) {
          idx = i;
          side = 1;
          break;
        }
      }
      s = (s + 1) & mask;
    }

    let isNew = 0;
    if (
      idx >= 0 &&
      k.proto === IPPROTO_TCP &&
      (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN &&
      tcpFinished(this.tcpState[idx * 2], this.tcpState[idx * 2 + 1])
    ) {
      // A fresh SYN on the 5-tuple of a finished connection: the port was reused, so the old
      // flow ends here and a new one begins (as Zeek does).
      this.reused++;
      this.remove(idx, END_REUSED);
      idx = -1;
    }
    if (idx < 0) {
      idx = this.insert(k, h, flags);
      // A first packet that is a SYN-ACK comes from the responder.
      side =
        k.proto === IPPROTO_TCP && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) ? 1 : 0;
      isNew = 1;
    } else {
      const c = this.lruClass[idx];
      if (idx !== this.lruTails[c]) {
        this.lruUnlink(idx);
        this.lruAppend(idx, c);
      }
    }

    const d = idx * 2 + side;
    this.packets[d] += 1;
    this.bytes[d] += length;
    if (this.firstTs[d] === 0) this.firstTs[d] = ts;
    this.lastTs[d] = ts;
    this.lastSeen[idx] = ts;
    if (payload > 0) this.payloadSeen[d] = 1;
    if (k.proto === IPPROTO_TCP) {
      this.tcpFlags[d] |= flags;
      const peer = idx * 2 + (side ^ 1);
      const own = nextTcpState(this.tcpState[d], this.tcpState[peer], flags);
      this.tcpState[d] = own;
      this.tcpState[peer] = peerAfter(own, this.tcpState[peer]);
      // A FIN or RST moves the connection to the closing timeout.
      if ((own === TCP_CLOSED || own === TCP_RESET) && this.lruClass[idx] === CLASS_TCP) {
        this.lruUnlink(idx);
        this.lruAppend(idx, CLASS_TCP_CLOSING);
      }
    }
    this.lastIdx = idx;
    this.lastSide = side;
    this.lastNew = isNew;
  }

  private insert(k: FlowKey, h: number, flags: number): number {
    if (this.count >= this.config.capacity) {
      // Full: the least recently seen flow makes room.
      this.evicted++;
      this.remove(this.leastRecentlySeen(), END_EVICTED);
    }
    if (this.count * 2 >= this.index.length) this.growIndex();
    // Reuse a freed slot, else take the next never-used one.
    const idx = this.freeTop > 0 ? this.free[--this.freeTop] : this.used++;
    const synAck = k.proto === IPPROTO_TCP && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    const o = idx * 8;
    const p = idx * 2;
    // Stored in the initiator's orientation: a SYN-ACK's receiver is the originator.
    if (synAck) {
      this.addr[o] = k.b0;
      this.addr[o + 1] = k.b1;
      this.addr[o + 2] = k.b2;
      this.addr[o + 3] = k.b3;
      this.addr[o + 4] = k.a0;
      this.addr[o + 5] = k.a1;
      this.addr[o + 6] = k.a2;
      this.addr[o + 7] = k.a3;
      this.port[p] = k.bPort;
      this.port[p + 1] = k.aPort;
    } else {
      this.addr[o] = k.a0;
      this.addr[o + 1] = k.a1;
      this.addr[o + 2] = k.a2;
      this.addr[o + 3] = k.a3;
      this.addr[o + 4] = k.b0;
      this.addr[o + 5] = k.b1;
      this.addr[o + 6] = k.b2;
      this.addr[o + 7] = k.b3;
      this.port[p] = k.aPort;
      this.port[p + 1] = k.bPort;
    }
    this.vlan[idx] = k.vlan;
    this.proto[idx] = k.proto;
    this.family[idx] = k.family;
    this.hash[idx] = h;
    this.packets[p] = 0;
    this.packets[p + 1] = 0;
    this.bytes[p] = 0;
    this.bytes[p + 1] = 0;
    this.firstTs[p] = 0;
    this.firstTs[p + 1] = 0;
    this.lastTs[p] = 0;
    this.lastTs[p + 1] = 0;
    this.tcpFlags[p] = 0;
    this.tcpFlags[p + 1] = 0;
    this.tcpState[p] = TCP_INACTIVE;
    this.tcpState[p + 1] = TCP_INACTIVE;
    this.payloadSeen[p] = 0;
    this.payloadSeen[p + 1] = 0;
    this.tunnelType[idx] = 0;
    let s = h & this.mask;
    while (this.index[s] !== 0) s = (s + 1) & this.mask;
    this.index[s] = idx + 1;
    this.lruAppend(idx, classOf(k.proto));
    this.count++;
    this.created++;
    return idx;
  }

  /** Ends a flow: tells the listener, then frees its slot (backward-shift deletion). */
  private remove(idx: number, reason: number): void {
    this.listener?.flowEnded(this, idx, reason);
    const mask = this.mask;
    const index = this.index;
    let s = this.hash[idx] & mask;
    while (index[s] !== idx + 1) s = (s + 1) & mask;
    // Shift later members of the probe run back so lookups never meet a hole too early.
    let hole = s;
    let j = (s + 1) & mask;
    while (index[j] !== 0) {
      const home = this.hash[index[j] - 1] & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if ((j > hole && (home <= hole || home > j)) || (j < hole && home <= hole && home > j)) {
        index[hole] = index[j];
        hole = j;
      }
      j = (j + 1) & mask;
    }
    index[hole] = 0;
    this.lruUnlink(idx);
    this.free[this.freeTop++] = idx;
    this.count--;
  }

  private lruAppend(idx: number, c: number): void {
    const tail = this.lruTails[c];
    this.lruClass[idx] = c;
    this.lruPrev[idx] = tail;
    this.lruNext[idx] = -1;
    if (tail >= 0) this.lruNext[tail] = idx;
    else this.lruHeads[c] = idx;
    this.lruTails[c] = idx;
  }

  private lruUnlink(idx: number): void {
    const c = this.lruClass[idx];
    const p = this.lruPrev[idx];
    const n = this.lruNext[idx];
    if (p >= 0) this.lruNext[p] = n;
    else this.lruHeads[c] = n;
    if (n >= 0) this.lruPrev[n] = p;
    else this.lruTails[c] = p;
  }

  /** The flow seen least recently of all (the oldest head among the classes); -1 if none. */
  private leastRecentlySeen(): number {
    let best = -1;
    for (let c = 0; c < CLASSES; c++) {
      const h = this.lruHeads[c];
      if (h >= 0 && (best < 0 || this.lastSeen[h] < this.lastSeen[best])) best = h;
    }
    return best;
  }

  /**
   * Records the tunnel a packet of flow `idx` came through, oriented so that the outer
   * address of the flow's originator comes first (`side` is the packet's sender).
   */
  setTunnel(
    idx: number,
    side: number,
    type: number,
    family: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
  ): void {
    const o = idx * 8;
    const a = this.tunnelAddr;
    const f = side === 0 ? 0 : 4;
    const r = side === 0 ? 4 : 0;
    this.tunnelType[idx] = type;
    this.tunnelFamily[idx] = family;
    a[o + f] = s0;
    a[o + f + 1] = s1;
    a[o + f + 2] = s2;
    a[o + f + 3] = s3;
    a[o + r] = d0;
    a[o + r + 1] = d1;
    a[o + r + 2] = d2;
    a[o + r + 3] = d3;
  }

  /**
   * Runs the idle sweep when `cleanupInterval` of packet time (`now`) has passed since the
   * last one: every flow idle for its class's timeout ends. Called once per packet; costs one
   * compare when no sweep is due.
   */
  advance(): void {
    const ts = this.now;
    if (ts < this.nextCleanup) return;
    if (this.nextCleanup === 0) {
      this.nextCleanup = ts + this.config.cleanupInterval;
      return;
    }
    this.nextCleanup = ts + this.config.cleanupInterval;
    for (let c = 0; c < CLASSES; c++) this.expireClass(c, ts - this.timeouts[c]);
  }

  /** Ends every flow whose last packet is older than `before`, whatever its class. */
  expireIdle(before: number): void {
    for (let c = 0; c < CLASSES; c++) this.expireClass(c, before);
  }

  private expireClass(c: number, before: number): void {
    // A list is ordered by arrival, which is packet time except for reordered captures; a
    // flow seen out of order only delays the sweep of those behind it until the next one.
    const heads = this.lruHeads;
    while (heads[c] >= 0 && this.lastSeen[heads[c]] < before) {
      this.expired++;
      this.remove(heads[c], END_IDLE);
    }
  }

  /** Ends every flow (end of a replay, shutdown), least recently seen first. */
  flush(): void {
    for (let i = this.leastRecentlySeen(); i >= 0; i = this.leastRecentlySeen()) {
      this.remove(i, END_FLUSH);
    }
    // Whatever comes next is a new run, whose clock may start before this one's ended (a
    // file replayed again at full speed): its first packet schedules the idle sweeps anew.
    this.nextCleanup = 0;
  }

  /** Forgets every flow without telling the listener: for flows already reported ended. */
  clear(): void {
    const listener = this.listener;
    this.listener = null;
    try {
      this.flush();
    } finally {
      this.listener = listener;
    }
  }

  /** Calls `fn` for every active flow: class by class, least recently seen first in each. */
  forEach(fn: (idx: number) => void): void {
    for (let c = 0; c < CLASSES; c++) {
      for (let i = this.lruHeads[c]; i !== -1; i = this.lruNext[i]) fn(i);
    }
  }
}
