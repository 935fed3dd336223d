import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Aggregator,
  DEFAULT_STATS_CONFIG,
  PROTO_TCP,
  PROTO_UDP,
  sizeClass,
  type WindowSummary,
} from "./aggregator.js";
import { topK } from "./top-k.js";

describe("aggregator", () => {
  test("packet sizes fall in the original's five classes by wire length", () => {
    assert.deepEqual(
      [0, 64, 65, 128, 129, 512, 513, 1024, 1025, 9000].map(sizeClass),
      [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
    );
  });

  test("one-second buckets, gaps filled with empty seconds, and the peak second", () => {
    const a = new Aggregator({ ...DEFAULT_STATS_CONFIG, secondsKept: 10 });
    for (const [ts, len] of [
      [100.1, 100],
      [100.9, 200],
      [101.5, 50],
      [104.2, 1000],
    ] as const) {
      a.now = ts;
      a.tick();
      a.addPacket(PROTO_TCP, len);
    }
    a.finish();
    const r = a.seconds;
    const rows = Array.from({ length: r.size }, (_, k) => [r.ts[r.slot(k)], r.bytes[r.slot(k)]]);
    assert.deepEqual(rows, [
      [100, 300],
      [101, 50],
      [102, 0],
      [103, 0],
      [104, 1000],
    ]);
    assert.equal(a.peakBytesPerSecond, 1000);
    assert.equal(a.total.bytes, 1350);
    assert.equal(a.total.packets, 4);
  });

  test("windows close on window_size boundaries and keep history_depth of them", () => {
    const a = new Aggregator({ ...DEFAULT_STATS_CONFIG, windowSize: 10, historyDepth: 2 });
    const seen: WindowSummary[] = [];
    a.onWindow = (w) => seen.push(w);
    const h = a.hosts;
    const src = h.lookup(4, 0, 0, 0, 0x0a000001);
    const dst = h.lookup(4, 0, 0, 0, 0x0a000002);
    for (let ts = 5; ts < 45; ts += 1) {
      a.now = ts;
      a.tick();
      a.addPacket(ts < 20 ? PROTO_TCP : PROTO_UDP, 100);
      a.addHosts(src, dst, 100);
      a.addPort(443, 100, ts === 5 ? 1 : 0);
    }
    a.finish();
    assert.deepEqual(
      seen.map((w) => [w.window_start, w.packets, w.bytes]),
      [
        [0, 5, 500],
        [10, 10, 1000],
        [20, 10, 1000],
        [30, 10, 1000],
        [40, 5, 500],
      ],
    );
    assert.equal(a.windows.length, 2);
    assert.equal(a.windows[0].window_start, 30);
    assert.equal(seen[1].protocols.TCP.bytes, 1000);
    assert.equal(seen[2].protocols.UDP.packets, 10);
    assert.equal(seen[1].bytes_per_second, 100);
    assert.deepEqual(seen[1].top_sources, [{ host: src, bytes: 1000, packets: 10 }]);
    assert.deepEqual(seen[0].ports, [
      { port: 443, bytes: 500, packets: 5, connections: 1, service: "https" },
    ]);
    assert.equal(h.bytesOut[src], 4000);
    assert.equal(h.bytesIn[dst], 4000);
  });

  test("hosts are found again by address and the table stops at capacity", () => {
    const a = new Aggregator({ ...DEFAULT_STATS_CONFIG, hostCapacity: 3 });
    const h = a.hosts;
    const ids = [1, 2, 3].map((n) => h.lookup(4, 0, 0, 0, n));
    assert.deepEqual(ids, [0, 1, 2]);
    assert.equal(h.lookup(4, 0, 0, 0, 2), 1);
    assert.equal(h.lookup(6, 0, 0, 0, 2), -1, "same words, other family, is another host");
    assert.equal(h.count, 3);
  });
});

describe("topK", () => {
  test("returns the k largest, largest first, ties by lower index, zeros skipped", () => {
    const v = new Float64Array([5, 0, 9, 5, 1, 9, 3]);
    assert.deepEqual(topK(v, v.length, 3), [2, 5, 0]);
    assert.deepEqual(topK(v, v.length, 0), []);
    assert.deepEqual(topK(v, v.length, 100), [2, 5, 0, 3, 6, 4]);
    assert.deepEqual(topK(v, 2, 5), [0]);
  });
});

describe("host table", () => {
  test("grows its index past the first size and finds every host again", () => {
    const a = new Aggregator({ ...DEFAULT_STATS_CONFIG, hostCapacity: 50_000 });
    const h = a.hosts;
    for (let i = 0; i < 10_000; i++) assert.equal(h.lookup(6, 0x20010db8, 0, i, 1), i);
    for (let i = 0; i < 10_000; i++) assert.equal(h.lookup(6, 0x20010db8, 0, i, 1), i);
    assert.equal(h.count, 10_000);
    assert.equal(h.untracked, 0);
  });
});
