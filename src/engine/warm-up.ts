/**
 * Type-feedback warm-up: a few hundred made-up frames through a throwaway engine before the
 * real packets arrive.
 *
 * V8 optimizes the packet path after some thousands of packets, using the types it has seen
 * at each operation. A path that no packet took before then (the first UDP or IPv6 packet,
 * the first second or window to close, the first idle sweep) has no feedback, and the first
 * packet that takes it throws the optimized code away: the engine falls back to the
 * interpreter, about 20 times slower, until it has been optimized again. Measured on a
 * 1M-packet capture, one such fallback about 100k packets in cost 15-20 ms. The warm-up takes
 * about 10 ms, most of it compiling code that the first real packets would compile anyway.
 * Feedback belongs to the code, not to the engine object, so what the throwaway engine
 * teaches V8 serves every engine in the thread. Nothing of the throwaway engine is kept.
 */
import { LINKTYPE_ETHERNET } from "../packet/link-types.js";
import { PacketEngine } from "./packet-engine.js";
import { FlowCollector } from "./report.js";

const ETH = 14;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

/** One frame: Ethernet (optionally 802.1Q), IPv4 or IPv6, then TCP, UDP or ICMP. */
function frame(
  family: 4 | 6,
  proto: number,
  client: number,
  toServer: boolean,
  flags: number,
  payload: number,
  vlan = 0,
): Uint8Array {
  const l4 = proto === 6 ? 20 : 8;
  const l3 = family === 4 ? 20 : 40;
  const tag = vlan > 0 ? 4 : 0;
  const buf = new Uint8Array(ETH + tag + l3 + l4 + payload);
  const dv = new DataView(buf.buffer);
  buf.set([2, 0, 0, 0, 0, toServer ? 2 : 1, 2, 0, 0, 0, 0, toServer ? 1 : 2], 0);
  let p = 12;
  if (vlan > 0) {
    dv.setUint16(p, 0x8100);
    dv.setUint16(p + 2, vlan);
    p += 4;
  }
  dv.setUint16(p, family === 4 ? 0x0800 : 0x86dd);
  p += 2;
  const src = toServer ? client : 200;
  const dst = toServer ? 200 : client;
  if (family === 4) {
    buf[p] = 0x45;
    dv.setUint16(p + 2, l3 + l4 + payload);
    buf[p + 8] = 64;
    buf[p + 9] = proto;
    buf.set([10, 0, 0, src, 10, 0, 0, dst], p + 12);
  } else {
    buf[p] = 0x60;
    dv.setUint16(p + 4, l4 + payload);
    buf[p + 6] = proto === 1 ? 58 : proto;
    buf[p + 7] = 64;
    buf.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, src], p + 8);
    buf.set([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dst], p + 24);
  }
  p += l3;
  const cport = 40000 + client;
  const sport = proto === 17 ? 53 : 443;
  if (proto === 1) {
    // Echo request from the client, reply from the server.
    buf[p] = family === 4 ? (toServer ? 8 : 0) : toServer ? 128 : 129;
    dv.setUint16(p + 4, client);
    return buf;
  }
  dv.setUint16(p, toServer ? cport : sport);
  dv.setUint16(p + 2, toServer ? sport : cport);
  if (proto === 6) {
    buf[p + 12] = 0x50;
    buf[p + 13] = flags;
    dv.setUint16(p + 14, 65535);
  } else {
    dv.setUint16(p + 4, l4 + payload);
  }
  return buf;
}

/** The frames of one client: a whole TCP connection, a refused one, UDP, ICMP and ARP. */
function clientFrames(client: number): Uint8Array[] {
  const family: 4 | 6 = client % 2 === 0 ? 4 : 6;
  const vlan = client % 3 === 0 ? 10 : 0;
  const arp = new Uint8Array(ETH + 28);
  arp.set([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
  ]);
  return [
    frame(family, 6, client, true, TCP_SYN, 0, vlan),
    frame(family, 6, client, false, TCP_SYN | TCP_ACK, 0, vlan),
    frame(family, 6, client, true, TCP_ACK, 0, vlan),
    frame(family, 6, client, true, TCP_PSH | TCP_ACK, 100, vlan),
    frame(family, 6, client, false, TCP_PSH | TCP_ACK, 1400, vlan),
    frame(family, 6, client, true, TCP_FIN | TCP_ACK, 0, vlan),
    frame(family, 6, client, false, TCP_FIN | TCP_ACK, 0, vlan),
    frame(family, 6, client, true, TCP_ACK, 0, vlan),
    frame(family, 6, client + 50, true, TCP_SYN, 0),
    frame(family, 6, client + 50, false, TCP_RST | TCP_ACK, 0),
    frame(family, 6, client + 60, true, TCP_ACK, 600),
    frame(family, 17, client, true, 0, 40, vlan),
    frame(family, 17, client, false, 0, 300),
    frame(family, 1, client, true, 0, 56),
    frame(family, 1, client, false, 0, 56),
    arp,
  ];
}

/**
 * An IPv4 frame between two tunnel endpoints carrying `inner` (an Ethernet frame): over GRE
 * (transparent bridging) or over UDP to VXLAN's port. Tunnels take their own branches of the
 * packet path, which a first tunneled packet would otherwise meet without type feedback.
 */
function tunneled(inner: Uint8Array, vxlan: boolean): Uint8Array {
  const shim = vxlan ? 8 + 8 : 4; // UDP and VXLAN headers, or the GRE header
  const buf = new Uint8Array(ETH + 20 + shim + inner.length);
  const dv = new DataView(buf.buffer);
  buf.set([2, 0, 0, 0, 0, 9, 2, 0, 0, 0, 0, 8, 0x08, 0x00], 0);
  buf[ETH] = 0x45;
  dv.setUint16(ETH + 2, 20 + shim + inner.length);
  buf[ETH + 8] = 64;
  buf[ETH + 9] = vxlan ? 17 : 47;
  buf.set([10, 0, 1, 1, 10, 0, 1, 2], ETH + 12);
  const p = ETH + 20;
  if (vxlan) {
    dv.setUint16(p, 50000);
    dv.setUint16(p + 2, 4789);
    dv.setUint16(p + 4, 8 + 8 + inner.length);
    buf[p + 8] = 0x08; // the I flag: the VNI is valid
  } else {
    dv.setUint16(p + 2, 0x6558); // transparent Ethernet bridging
  }
  buf.set(inner, p + shim);
  return buf;
}

/**
 * Runs the warm-up in this thread. Packet time goes from 1 s to 6 s, so seconds and (2 s)
 * windows close, idle flows expire (2 s timeout) and the small table (16 flows) evicts. Returns
 * the throwaway engine and the collector that saw its flows end (for tests: what the warm-up
 * went through).
 */
export function warmUpPacketPath(): { engine: PacketEngine; ended: FlowCollector } {
  const ended = new FlowCollector(3);
  const engine = new PacketEngine(
    {
      flows: { capacity: 16, idleTimeout: 2, cleanupInterval: 1 },
      stats: { windowSize: 2, historyDepth: 2, secondsKept: 4, hostCapacity: 64, windowTopN: 3 },
    },
    ended,
  );
  const frames: Uint8Array[] = [];
  for (let c = 1; c <= 4; c++) frames.push(...clientFrames(c));
  // In place of four plain frames, the same frames through a GRE and a VXLAN tunnel.
  for (let i = 0; i < 4; i++) {
    const at = i * 16 + 3;
    frames[at] = tunneled(frames[at] ?? new Uint8Array(0), i % 2 === 0);
  }
  let n = 0;
  for (let round = 0; round < 2; round++) {
    for (const f of frames) {
      const ts = 1 + round * 3 + (n++ % 64) / 32;
      const sec = Math.floor(ts);
      engine.packet(f, 0, f.length, f.length, sec, Math.round((ts - sec) * 1e9), LINKTYPE_ETHERNET);
    }
  }
  engine.finish();
  return { engine, ended };
}
