/**
 * The packet path to the alerts, end to end in one thread: real Ethernet frames through the
 * packet engine (decode, flow table) into the new-flow log, the snapshot, and the alert
 * engine, as the capture worker and the daemon wire them.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ethernet, ipv4, ipv6, tcp, udp } from "../../test/support/frames.js";
import { createAlertEngine } from "../alerts/alert-engine.js";
import { defaultConfig } from "../config/config.js";
import { IPPROTO_TCP, IPPROTO_UDP } from "../decode/protocols.js";
import { NewFlowLog } from "./new-flow-log.js";
import { PacketEngine } from "./packet-engine.js";
import { type CaptureStatus, SnapshotBuilder } from "./snapshot.js";

const LINKTYPE_ETHERNET = 1;
const MAC_A = "02:00:00:00:00:0a";
const MAC_B = "02:00:00:00:00:0b";
const T0 = 1_700_000_000;

const STATUS: CaptureStatus = {
  running: true,
  source: "file",
  interfaces: ["frames"],
  received: 0,
  dropped: 0,
  if_dropped: 0,
  buffer_usage_percent: null,
  error: null,
};

function tcp4(src: string, dst: string, sport: number, dport: number, flags: string): Uint8Array {
  return ethernet(MAC_B, MAC_A, 0x0800, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, flags })));
}

class Feed {
  readonly engine = new PacketEngine({
    flows: { capacity: 1024, idleTimeout: 300, cleanupInterval: 60 },
    stats: { windowSize: 10, historyDepth: 4, secondsKept: 30, hostCapacity: 1024, windowTopN: 5 },
  });
  readonly snapshots: SnapshotBuilder;
  constructor(log: NewFlowLog) {
    this.engine.newFlows = log;
    this.snapshots = new SnapshotBuilder(this.engine);
  }
  send(frame: Uint8Array, t: number): void {
    const sec = Math.floor(t);
    const nsec = Math.round((t - sec) * 1e9);
    this.engine.packet(frame, 0, frame.length, frame.length, sec, nsec, LINKTYPE_ETHERNET);
  }
}

describe("new flows from real frames", () => {
  test("each new flow is recorded once, in the initiator's orientation; replies are not new", () => {
    const feed = new Feed(new NewFlowLog(16));
    feed.send(tcp4("10.9.0.5", "10.9.0.10", 40000, 3389, "S"), T0);
    feed.send(tcp4("10.9.0.10", "10.9.0.5", 3389, 40000, "SA"), T0 + 0.001);
    feed.send(tcp4("10.9.0.5", "10.9.0.10", 40000, 3389, "A"), T0 + 0.002);
    // First seen as a SYN-ACK (the SYN was missed): the flow is still the client's.
    feed.send(tcp4("10.9.0.20", "10.9.0.6", 445, 50000, "SA"), T0 + 0.003);
    const v6 = ipv6(
      { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_UDP },
      udp({ sport: 5000, dport: 5900 }),
    );
    feed.send(ethernet(MAC_B, MAC_A, 0x86dd, v6), T0 + 0.004);
    const b = feed.snapshots.build(STATUS).new_flows;
    assert.ok(b !== undefined);
    assert.equal(b.count, 3);
    assert.equal(b.skipped, 0);
    assert.deepEqual([...b.port], [3389, 445, 5900]);
    assert.deepEqual([...b.proto], [IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP]);
    assert.deepEqual([...b.family], [4, 4, 6]);
    assert.deepEqual(
      [b.addr[3], b.addr[7], b.addr[11], b.addr[15]],
      [0x0a090005, 0x0a09000a, 0x0a090006, 0x0a090014],
    );
    assert.deepEqual([...b.ts], [T0, T0 + 0.003, T0 + 0.004]);
    assert.equal(feed.snapshots.build(STATUS).new_flows?.count, 0, "the next tick starts empty");
  });

  test("beyond its capacity the log counts new flows instead of keeping them", () => {
    const feed = new Feed(new NewFlowLog(4));
    for (let p = 1; p <= 10; p++) feed.send(tcp4("10.9.0.66", "10.9.0.10", 50000, p, "S"), T0);
    const b = feed.snapshots.build(STATUS).new_flows;
    assert.equal(b?.count, 4);
    assert.equal(b?.skipped, 6);
    assert.deepEqual([...(b?.port ?? [])], [1, 2, 3, 4]);
  });
});

describe("alerts from real frames (worker path to alert engine)", () => {
  test("a port scan and watched-port traffic raise exactly the expected alerts", () => {
    const feed = new Feed(new NewFlowLog());
    const cfg = structuredClone(defaultConfig().alerts);
    cfg.scan.port_threshold = 25;
    cfg.scan.host_threshold = 10;
    const alerts = createAlertEngine(cfg);

    // A client's RDP session and an HTTPS one: the RDP one is to a watched port.
    feed.send(tcp4("10.9.0.5", "10.9.0.10", 40000, 3389, "S"), T0);
    feed.send(tcp4("10.9.0.10", "10.9.0.5", 3389, 40000, "SA"), T0 + 0.001);
    feed.send(tcp4("10.9.0.5", "10.9.0.10", 40001, 443, "S"), T0 + 0.002);
    // The scanner: SYNs to ports 20..44 of one host, each answered with RST-ACK.
    let t = T0 + 0.1;
    for (let p = 20; p <= 44; p++) {
      feed.send(tcp4("10.9.0.66", "10.9.0.10", 61000, p, "S"), t);
      feed.send(tcp4("10.9.0.10", "10.9.0.66", p, 61000, "RA"), t + 0.0005);
      t += 0.01;
    }
    const first = alerts.tick(feed.snapshots.build(STATUS));
    assert.deepEqual(
      first.map((a) => [a.rule, a.kind, a.severity, a.subject, a.value, a.threshold, a.count]),
      [
        ["watched_ports", "watched_port", "warning", "10.9.0.5 -> 10.9.0.10:3389/tcp", 1, 0, 1],
        ["watched_ports", "watched_port", "warning", "10.9.0.66 -> 10.9.0.10:23/tcp", 1, 0, 1],
        ["scan", "port_scan", "critical", "10.9.0.66", 25, 25, 1],
      ],
    );
    // The 25th port's SYN (packet time has nanosecond resolution).
    assert.ok(Math.abs((first[2]?.first_ts ?? 0) - (T0 + 0.34)) < 1e-6);

    // The scanner goes on to the next 5 ports one tick later: the same alert, updated.
    for (let p = 45; p < 50; p++) feed.send(tcp4("10.9.0.66", "10.9.0.10", 61000, p, "S"), T0 + 1);
    const second = alerts.tick(feed.snapshots.build(STATUS));
    assert.deepEqual(
      second.map((a) => [a.kind, a.subject, a.count, a.last_ts]),
      [["port_scan", "10.9.0.66", 2, T0 + 1]],
    );
    assert.deepEqual(
      { raised: alerts.metrics().raised, updated: alerts.metrics().updated },
      { raised: 3, updated: 1 },
    );
  });
});
