/**
 * The top talkers and ports kept as JSON text in windows and rollups: parsing them back
 * defensively and merging two lists by key. A merged list is cut to a length, so a rollup's
 * lists are approximate (an entry below the cut in each window can be missing from the sum).
 */
import type { PortStat, Talker } from "../contract/types.js";

/** Entries kept in each list of a rollup row (the API's port-stats shows 20). */
export const ROLLUP_TOP_N = 20;

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function arrayOf(text: string | null | undefined): unknown[] {
  if (text === null || text === undefined || text === "") return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

function field(entry: unknown, key: string): unknown {
  return typeof entry === "object" && entry !== null ? Reflect.get(entry, key) : undefined;
}

export function parseTalkers(text: string | null | undefined): Talker[] {
  const out: Talker[] = [];
  for (const e of arrayOf(text)) {
    const ip = field(e, "ip");
    if (typeof ip !== "string") continue;
    out.push({ ip, bytes: num(field(e, "bytes")), packets: num(field(e, "packets")) });
  }
  return out;
}

export function parsePorts(text: string | null | undefined): PortStat[] {
  const out: PortStat[] = [];
  for (const e of arrayOf(text)) {
    const port = field(e, "port");
    if (typeof port !== "number") continue;
    const service = field(e, "service");
    out.push({
      port,
      bytes: num(field(e, "bytes")),
      packets: num(field(e, "packets")),
      connections: num(field(e, "connections")),
      service: typeof service === "string" ? service : "",
    });
  }
  return out;
}

/** Descending by bytes; ties by key so the order is stable across runs. */
function byBytes<T extends { bytes: number }>(key: (e: T) => string | number) {
  return (a: T, b: T): number => {
    if (b.bytes !== a.bytes) return b.bytes - a.bytes;
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

export function mergeTalkers(a: readonly Talker[], b: readonly Talker[], cap: number): Talker[] {
  const m = new Map<string, Talker>();
  for (const list of [a, b]) {
    for (const e of list) {
      const cur = m.get(e.ip);
      if (cur === undefined) m.set(e.ip, { ip: e.ip, bytes: e.bytes, packets: e.packets });
      else {
        cur.bytes += e.bytes;
        cur.packets += e.packets;
      }
    }
  }
  return [...m.values()].sort(byBytes((e: Talker) => e.ip)).slice(0, cap);
}

export function mergePorts(
  a: readonly PortStat[],
  b: readonly PortStat[],
  cap: number,
): PortStat[] {
  const m = new Map<number, PortStat>();
  for (const list of [a, b]) {
    for (const e of list) {
      const cur = m.get(e.port);
      if (cur === undefined) {
        m.set(e.port, {
          port: e.port,
          bytes: e.bytes,
          packets: e.packets,
          connections: e.connections,
          service: e.service,
        });
      } else {
        cur.bytes += e.bytes;
        cur.packets += e.packets;
        cur.connections += e.connections;
        if (cur.service === "") cur.service = e.service;
      }
    }
  }
  return [...m.values()].sort(byBytes((e: PortStat) => e.port)).slice(0, cap);
}
