/**
 * Capture devices as libpcap sees them (pcap_findalldevs), with their flags decoded, and the
 * interface that carries the default route: the one net-net captures on when the config names
 * none.
 */
import { readFileSync } from "node:fs";
import { pcapCall } from "./live-errors.js";
import { loadPcapAddon, type NativePcapInterface, type PcapAddon } from "./pcap-addon.js";

// PCAP_IF_* flags (pcap/pcap.h).
export const PCAP_IF_LOOPBACK = 0x01;
export const PCAP_IF_UP = 0x02;
export const PCAP_IF_RUNNING = 0x04;
export const PCAP_IF_WIRELESS = 0x08;
export const PCAP_IF_CONNECTION_STATUS = 0x30;
export const PCAP_IF_CONNECTION_STATUS_UNKNOWN = 0x00;
export const PCAP_IF_CONNECTION_STATUS_CONNECTED = 0x10;
export const PCAP_IF_CONNECTION_STATUS_DISCONNECTED = 0x20;
export const PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE = 0x30;

export type ConnectionStatus = "unknown" | "connected" | "disconnected" | "not_applicable";

export interface InterfaceAddress {
  family: 4 | 6;
  address: string;
  netmask: string | null;
  /** Prefix length from the netmask, when it is a contiguous one. */
  prefix: number | null;
  broadcast: string | null;
  destination: string | null;
}

export interface CaptureInterface {
  name: string;
  description: string | null;
  addresses: InterfaceAddress[];
  up: boolean;
  running: boolean;
  loopback: boolean;
  wireless: boolean;
  connection: ConnectionStatus;
  /** True for the interface that carries the default route. */
  default: boolean;
}

const CONNECTION: Record<number, ConnectionStatus> = {
  [PCAP_IF_CONNECTION_STATUS_UNKNOWN]: "unknown",
  [PCAP_IF_CONNECTION_STATUS_CONNECTED]: "connected",
  [PCAP_IF_CONNECTION_STATUS_DISCONNECTED]: "disconnected",
  [PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE]: "not_applicable",
};

/** Prefix length of a netmask written as an address ("255.255.255.0" -> 24), or null. */
export function netmaskPrefix(netmask: string): number | null {
  let bits: number[];
  if (netmask.includes(":")) {
    const halves = netmask.split("::");
    if (halves.length > 2) return null;
    const head = halves[0] === "" ? [] : halves[0].split(":");
    const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
    const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
    const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill("0"), ...tail];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
    bits = groups.map((g) => Number.parseInt(g, 16)).flatMap((v) => [v >>> 8, v & 0xff]);
  } else {
    const parts = netmask.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
      return null;
    }
    bits = parts.map(Number);
  }
  let prefix = 0;
  let ended = false;
  for (const byte of bits) {
    for (let b = 7; b >= 0; b--) {
      const set = ((byte >>> b) & 1) === 1;
      if (set && ended) return null;
      if (set) prefix++;
      else ended = true;
    }
  }
  return prefix;
}

const RTF_UP = 0x0001;
const RTF_REJECT = 0x0200;

interface RouteCandidate {
  iface: string;
  metric: number;
}

/**
 * The interface of the lowest-metric default route in the text of /proc/net/route (IPv4):
 * destination and mask 00000000, flag RTF_UP. null when there is none.
 */
export function defaultRouteFromProcRoute(text: string): string | null {
  let best: RouteCandidate | null = null;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, destination, , flagsHex, , , metricText, mask] = f;
    const flags = Number.parseInt(flagsHex, 16);
    if (destination !== "00000000" || mask !== "00000000" || (flags & RTF_UP) === 0) continue;
    if ((flags & RTF_REJECT) !== 0) continue;
    const metric = Number.parseInt(metricText, 10);
    if (best === null || metric < best.metric) best = { iface, metric };
  }
  return best === null ? null : best.iface;
}

/**
 * The same from /proc/net/ipv6_route: destination ::/0, RTF_UP, not a reject route (the
 * kernel keeps an unreachable ::/0 on `lo`).
 */
export function defaultRouteFromProcIpv6Route(text: string): string | null {
  let best: RouteCandidate | null = null;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [destination, prefixHex, , , , metricHex, , , flagsHex, iface] = f;
    if (!/^0{32}$/.test(destination) || prefixHex !== "00") continue;
    const flags = Number.parseInt(flagsHex, 16);
    if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0 || iface === "lo") continue;
    const metric = Number.parseInt(metricHex, 16);
    if (best === null || metric < best.metric) best = { iface, metric };
  }
  return best === null ? null : best.iface;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * The interface that carries the default route (IPv4 first, then IPv6), read from /proc;
 * null when the machine has no default route (or no /proc: not Linux).
 */
export function defaultRouteInterface(procNet = "/proc/net"): string | null {
  return (
    defaultRouteFromProcRoute(readOrEmpty(`${procNet}/route`)) ??
    defaultRouteFromProcIpv6Route(readOrEmpty(`${procNet}/ipv6_route`))
  );
}

function decode(dev: NativePcapInterface, defaultName: string | null): CaptureInterface {
  const addresses: InterfaceAddress[] = [];
  for (const a of dev.addresses) {
    if (a.address === null) continue;
    addresses.push({
      family: a.family,
      address: a.address,
      netmask: a.netmask,
      prefix: a.netmask === null ? null : netmaskPrefix(a.netmask),
      broadcast: a.broadcast,
      destination: a.destination,
    });
  }
  return {
    name: dev.name,
    description: dev.description,
    addresses,
    up: (dev.flags & PCAP_IF_UP) !== 0,
    running: (dev.flags & PCAP_IF_RUNNING) !== 0,
    loopback: (dev.flags & PCAP_IF_LOOPBACK) !== 0,
    wireless: (dev.flags & PCAP_IF_WIRELESS) !== 0,
    connection: CONNECTION[dev.flags & PCAP_IF_CONNECTION_STATUS] ?? "unknown",
    default: dev.name === defaultName,
  };
}

/** The devices libpcap can capture on, in its order, the default-route one marked. */
export function listCaptureInterfaces(
  addon: PcapAddon = loadPcapAddon(),
  defaultName: string | null = defaultRouteInterface(),
): CaptureInterface[] {
  return pcapCall(() => addon.listInterfaces()).map((d) => decode(d, defaultName));
}

/**
 * The interface to capture on when the config names none: the one carrying the default route;
 * without a default route, the first device that is up, running and not a loopback (as
 * libpcap's own pcap_lookupdev chose); null when there is no such device.
 */
export function defaultCaptureInterface(interfaces: readonly CaptureInterface[]): string | null {
  const routed = interfaces.find((i) => i.default);
  if (routed !== undefined) return routed.name;
  const candidate = interfaces.find(
    (i) => i.up && i.running && !i.loopback && i.name !== "any" && i.addresses.length > 0,
  );
  return candidate === undefined ? null : candidate.name;
}
