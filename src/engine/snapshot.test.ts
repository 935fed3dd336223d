import assert from "node:assert/strict";
import { test } from "node:test";
import { ethernet, ipv4, udp } from "../../test/support/frames.js";
import { PacketEngine } from "./packet-engine.js";
import { type CaptureStatus, SnapshotBuilder } from "./snapshot.js";

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
const T0 = 1_700_000_000;

test("H18: a snapshot carries at most maxEndedFlows ended flows; the rest are counted, not kept", () => {
  const engine = new PacketEngine({
    flows: { capacity: 64, idleTimeout: 5, cleanupInterval: 1 },
    stats: { windowSize: 10, historyDepth: 4, secondsKept: 30, hostCapacity: 64, windowTopN: 5 },
  });
  const builder = new SnapshotBuilder(engine, { maxEndedFlows: 3 });
  const flows = (n: number, t: number) => {
    for (let i = 0; i < n; i++) {
      const f = ethernet(
        "02:00:00:00:00:0b",
        "02:00:00:00:00:0a",
        0x0800,
        ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: 17 }, udp({ sport: 5000 + i, dport: 53 })),
      );
      engine.packet(f, 0, f.length, f.length, t, 0, 1);
    }
  };
  flows(10, T0);
  // Ten flows end while no snapshot is taken: three are kept.
  engine.finish();
  const first = builder.build(STATUS);
  assert.equal(first.ended_flows.length, 3);
  assert.equal(first.ended_flows_dropped, 7);
  flows(2, T0 + 100);
  engine.finish();
  const second = builder.build(STATUS);
  assert.equal(second.ended_flows.length, 2, "room again once a snapshot took them");
  assert.equal(second.ended_flows_dropped, 7, "a running total");
});
