import assert from "node:assert/strict";
import { test } from "node:test";
import { ethernet, ipv4, udp } from "../../test/support/frames.js";
import { memoryLogger } from "../../test/support/log.js";
import { PacketEngine } from "../engine/packet-engine.js";
import { type CaptureStatus, type Snapshot, SnapshotBuilder } from "../engine/snapshot.js";
import type { TickInput } from "../store/types.js";
import { SnapshotRouter } from "./snapshot-router.js";

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

/** Snapshots of a real engine: one UDP exchange per window of 10 s, then the end. */
function snapshots(): Snapshot[] {
  const engine = new PacketEngine({
    flows: { capacity: 64, idleTimeout: 5, cleanupInterval: 1 },
    stats: { windowSize: 10, historyDepth: 4, secondsKept: 30, hostCapacity: 64, windowTopN: 5 },
  });
  const builder = new SnapshotBuilder(engine);
  const out: Snapshot[] = [];
  for (let w = 0; w < 3; w++) {
    const f = ethernet(
      "02:00:00:00:00:0b",
      "02:00:00:00:00:0a",
      0x0800,
      ipv4({ src: "10.0.0.1", dst: "10.0.0.2", proto: 17 }, udp({ sport: 5000 + w, dport: 53 })),
    );
    engine.packet(f, 0, f.length, f.length, T0 + w * 10, 0, 1);
    out.push(builder.build(STATUS));
  }
  engine.finish();
  out.push(builder.build(STATUS));
  return out;
}

function router() {
  const published: number[] = [];
  const ticked: number[] = [];
  const r = new SnapshotRouter({
    alerts: {
      tick: (s) => {
        ticked.push(s.seq);
        return [];
      },
    },
    stream: { publish: (id) => published.push(id) },
    startedAt: Date.now(),
  });
  return { r, published, ticked };
}

test("snapshots before history is attached wait, then are written first and in order", () => {
  const all = snapshots();
  const { r, published, ticked } = router();
  const written: TickInput[] = [];
  r.route(all[0] as Snapshot);
  r.route(all[1] as Snapshot);
  assert.equal(r.waiting, 2);
  // The stream and the alert rules do not wait for history.
  assert.deepEqual(published, [1, 2]);
  assert.deepEqual(ticked, [1, 2]);
  r.attach({ write: (t) => written.push(t) });
  assert.equal(r.waiting, 0);
  r.route(all[2] as Snapshot);
  r.route(all[3] as Snapshot);
  // Every closed window and every ended flow reaches history exactly once, oldest first.
  const windows = written.flatMap((t) => t.windows ?? []).map((w) => w.window_start);
  const closed = all.flatMap((s) => s.windows.map((w) => w.window_start));
  assert.deepEqual(windows, closed);
  assert.equal(windows.length, 3);
  const flows = written.flatMap((t) => t.flows ?? []).map((f) => f.src_port);
  assert.deepEqual(
    flows.sort((a, b) => a - b),
    [5000, 5001, 5002],
  );
});

test("after detach, snapshots wait again instead of reaching a closed history", () => {
  const all = snapshots();
  const { r } = router();
  const written: TickInput[] = [];
  r.attach({ write: (t) => written.push(t) });
  r.detach();
  for (const s of all) r.route(s);
  assert.equal(written.length, 0);
  assert.equal(r.waiting, all.length);
});

test("H18: flows the worker could not keep while this thread was behind are logged once per window, with the count", () => {
  const { log, lines } = memoryLogger();
  const r = new SnapshotRouter({
    alerts: { tick: () => [] },
    stream: { publish: () => undefined },
    startedAt: Date.now(),
    log,
  });
  const [s] = snapshots();
  assert.ok(s !== undefined);
  for (const dropped of [0, 500, 800, 800, 2000]) r.route({ ...s, ended_flows_dropped: dropped });
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg, l.dropped, l.total_dropped]),
    [
      [
        "warn",
        "main thread cannot keep up: finished flows dropped in the capture worker",
        500,
        500,
      ],
    ],
  );
});
