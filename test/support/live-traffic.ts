/**
 * A known mix of frames for live-capture tests: each kind is one fixed frame, so a test that
 * sends N of a kind knows exactly which packets, protocols and bytes the engine must count.
 * Frames go to a MAC address no interface has (OTHER_MAC): the receiving kernel drops them
 * without answering, while a packet socket still sees every one.
 */
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_VLAN,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "../../src/decode/protocols.js";
import {
  arp,
  ethernet,
  ethernetTagged,
  icmpEcho,
  icmpv6Echo,
  ipv4,
  ipv6,
  TCP_SYN_OPTIONS,
  tcp,
  udp,
} from "./frames.js";

export const CAPTURE_MAC = "02:99:00:00:00:01";
export const SENDER_MAC = "02:99:00:00:00:02";
/** A MAC address no test interface has. */
export const OTHER_MAC = "02:99:00:00:00:ff";
export const CAPTURE_IP = "10.99.1.1";
export const SENDER_IP = "10.99.1.2";
const V4_SRC = "10.99.1.20";
const V4_DST = "10.99.1.30";
const V6_SRC = "fd00:99::20";
const V6_DST = "fd00:99::30";

/** UDP ports of the kinds, so a port filter can pick one kind. */
export const PORT_UDP4 = 5001;
export const PORT_UDP6 = 5002;
export const PORT_VLAN_UDP4 = 5003;

const payload = new Uint8Array(18).fill(0x61);

export const TRAFFIC_KINDS = {
  udp4: {
    protocol: "UDP",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_IPV4,
      ipv4(
        { src: V4_SRC, dst: V4_DST, proto: IPPROTO_UDP },
        udp({ sport: 40001, dport: PORT_UDP4 }, payload),
      ),
    ),
  },
  tcp4: {
    protocol: "TCP",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_IPV4,
      ipv4(
        { src: V4_SRC, dst: V4_DST, proto: IPPROTO_TCP },
        tcp({ sport: 40002, dport: 443, flags: "S", seq: 1000, options: TCP_SYN_OPTIONS }),
      ),
    ),
  },
  icmp4: {
    protocol: "ICMP",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_IPV4,
      ipv4(
        { src: V4_SRC, dst: V4_DST, proto: IPPROTO_ICMP },
        icmpEcho({ id: 77, seq: 1 }, payload),
      ),
    ),
  },
  udp6: {
    protocol: "UDP",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_IPV6,
      ipv6(
        { src: V6_SRC, dst: V6_DST, nextHeader: IPPROTO_UDP },
        udp({ sport: 40003, dport: PORT_UDP6 }, payload),
      ),
    ),
  },
  icmp6: {
    protocol: "ICMPv6",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_IPV6,
      ipv6(
        { src: V6_SRC, dst: V6_DST, nextHeader: IPPROTO_ICMPV6 },
        icmpv6Echo({ id: 78, seq: 1 }, payload),
      ),
    ),
  },
  arp: {
    protocol: "ARP",
    frame: ethernet(
      OTHER_MAC,
      SENDER_MAC,
      ETHERTYPE_ARP,
      arp({ op: 1, sha: SENDER_MAC, spa: "10.99.1.66", tpa: "10.99.1.77" }),
    ),
  },
  vlanUdp4: {
    protocol: "UDP",
    frame: ethernetTagged(
      OTHER_MAC,
      SENDER_MAC,
      [{ id: 99, tpid: ETHERTYPE_VLAN }],
      ETHERTYPE_IPV4,
      ipv4(
        { src: V4_SRC, dst: V4_DST, proto: IPPROTO_UDP },
        udp({ sport: 40004, dport: PORT_VLAN_UDP4 }, payload),
      ),
    ),
  },
} as const;

export type TrafficKind = keyof typeof TRAFFIC_KINDS;
export type TrafficMix = Partial<Record<TrafficKind, number>>;

function kindsOf(mix: TrafficMix): TrafficKind[] {
  return (Object.keys(TRAFFIC_KINDS) as TrafficKind[]).filter((k) => (mix[k] ?? 0) > 0);
}

/** The frames of a mix, interleaved (one of each kind in turn while any is left). */
export function mixFrames(mix: TrafficMix): Uint8Array[] {
  const left = new Map(kindsOf(mix).map((k) => [k, mix[k] ?? 0]));
  const out: Uint8Array[] = [];
  while (left.size > 0) {
    for (const [kind, n] of left) {
      out.push(TRAFFIC_KINDS[kind].frame);
      if (n === 1) left.delete(kind);
      else left.set(kind, n - 1);
    }
  }
  return out;
}

export function mixPackets(mix: TrafficMix): number {
  return kindsOf(mix).reduce((sum, k) => sum + (mix[k] ?? 0), 0);
}

export function mixBytes(mix: TrafficMix): number {
  return kindsOf(mix).reduce((sum, k) => sum + (mix[k] ?? 0) * TRAFFIC_KINDS[k].frame.length, 0);
}

/** Packets and bytes per protocol name, as the report's `protocols` has them (all names). */
export function mixProtocols(mix: TrafficMix): Record<string, { packets: number; bytes: number }> {
  const out: Record<string, { packets: number; bytes: number }> = {};
  for (const name of ["TCP", "UDP", "ICMP", "ICMPv6", "ARP", "OTHER"]) {
    out[name] = { packets: 0, bytes: 0 };
  }
  for (const k of kindsOf(mix)) {
    const n = mix[k] ?? 0;
    const p = out[TRAFFIC_KINDS[k].protocol];
    p.packets += n;
    p.bytes += n * TRAFFIC_KINDS[k].frame.length;
  }
  return out;
}
