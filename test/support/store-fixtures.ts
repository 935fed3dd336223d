/**
 * Builders and a temporary directory for the store's tests (and its benchmark).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import type { WindowRecord } from "../../src/store/types.js";

/** 2023-11-14T22:00:00Z: a multiple of 3600 (so of 60, 300 and 10) for aligned windows. */
export const HOUR0 = 1_699_999_200;

/** Ticks of the crash test's writer (testdata/crash-writer.ts). */
export const CRASH_FLOWS_PER_TICK = 2000;
export const CRASH_WINDOW_SIZE = 10;

/** A fresh directory under the OS temp dir, and a function that removes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "netnet-store-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A window whose counters are simple multiples of `k`, so sums are easy to state exactly:
 * packets 10k, bytes 1000k; TCP 6k packets / 600k bytes, UDP 3k / 300k, ICMP k / 100k;
 * sizes tiny 4k, small 3k, medium 2k, large k; drops k.
 */
export function makeWindow(windowStart: number, windowSize: number, k = 1): WindowRecord {
  return {
    window_start: windowStart,
    window_size: windowSize,
    packets: 10 * k,
    bytes: 1000 * k,
    bytes_per_second: (1000 * k) / windowSize,
    protocols: {
      TCP: { packets: 6 * k, bytes: 600 * k },
      UDP: { packets: 3 * k, bytes: 300 * k },
      ICMP: { packets: k, bytes: 100 * k },
      ICMPv6: { packets: 0, bytes: 0 },
      ARP: { packets: 0, bytes: 0 },
      OTHER: { packets: 0, bytes: 0 },
    },
    packet_sizes: { tiny: 4 * k, small: 3 * k, medium: 2 * k, large: k, jumbo: 0 },
    top_sources: [
      { ip: "10.0.0.1", bytes: 700 * k, packets: 7 * k },
      { ip: "10.0.0.2", bytes: 300 * k, packets: 3 * k },
    ],
    top_destinations: [{ ip: "192.0.2.10", bytes: 1000 * k, packets: 10 * k }],
    ports: [
      { port: 443, bytes: 600 * k, packets: 6 * k, connections: k, service: "https" },
      { port: 53, bytes: 300 * k, packets: 3 * k, connections: 2 * k, service: "domain" },
    ],
    drops: k,
  };
}

export function makeFlow(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    proto: 6,
    src_ip: "10.0.0.1",
    src_port: 40000,
    dst_ip: "192.0.2.10",
    dst_port: 443,
    vlan: 0,
    inner_vlan: 0,
    packets: 5,
    bytes: 530,
    packets_rev: 3,
    bytes_rev: 1246,
    first_ts: 1700000000.000001,
    last_ts: 1700000000.2,
    conn_state: "SF",
    tcp_flags: "...AP.SF",
    end_reason: "idle",
    tunnel: null,
    ...over,
  };
}

/** `n` distinct flows ending around `t` (deterministic; varied addresses and ports). */
export function makeFlows(n: number, t: number): FlowRecord[] {
  const out: FlowRecord[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = makeFlow({
      proto: i % 10 === 0 ? 17 : 6,
      src_ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      src_port: 32768 + (i % 28000),
      dst_ip: `198.51.100.${i % 200}`,
      dst_port: [443, 80, 53, 22][i % 4] ?? 443,
      packets: 1 + (i % 50),
      bytes: 60 * (1 + (i % 50)),
      packets_rev: i % 40,
      bytes_rev: 100 * (i % 40),
      first_ts: t + (i % 1000) / 1000,
      last_ts: t + 5 + (i % 1000) / 1000,
      conn_state: i % 10 === 0 ? "S0" : "SF",
      tcp_flags: i % 10 === 0 ? "" : "...AP.SF",
    });
  }
  return out;
}
