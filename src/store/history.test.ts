import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { HOUR0, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX, normalizeRange } from "./history.js";
import { createStore, type Store } from "./store.js";

const NOW_MS = (HOUR0 + 86400) * 1000;

function breakdown(k: number) {
  return { TCP: 600 * k, UDP: 300 * k, ICMP: 100 * k, ICMPv6: 0, ARP: 0, OTHER: 0 };
}

describe("history: resolution choice", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = createStore(
      { path: join(tmp.dir, "netnet.db"), retentionDays: 30 },
      { now: () => NOW_MS },
    );
  });
  afterEach(() => {
    store.stop();
    tmp.remove();
  });

  function writeWindows(count: number, size: number, k: (i: number) => number = () => 1): void {
    for (let i = 0; i < count; i++) {
      store.writeTick({ windows: [makeWindow(HOUR0 + i * size, size, k(i))] });
    }
  }
  const range = { start: HOUR0, end: HOUR0 + 7200 };

  test("raw 10 s windows are served when they fit the limit", () => {
    writeWindows(720, 10);
    const h = store.queryHistory({ ...range, limit: 720 });
    assert.equal(h.count, 720);
    assert.equal(h.resolution_seconds, 10);
    assert.deepEqual(h.windows[0], {
      timestamp: (HOUR0 + 10) * 1000,
      window_start: HOUR0,
      window_size: 10,
      total_bytes: 1000,
      total_packets: 10,
      bytes_per_second: 100,
      protocol_breakdown: breakdown(1),
    });
    assert.equal(h.windows[719]?.window_start, HOUR0 + 7190);
  });

  test("one row over the limit moves to the 1-minute rollup", () => {
    writeWindows(720, 10);
    const h = store.queryHistory({ ...range, limit: 719 });
    assert.equal(h.count, 120);
    assert.equal(h.resolution_seconds, 60);
    assert.deepEqual(h.windows[1], {
      timestamp: (HOUR0 + 120) * 1000,
      window_start: HOUR0 + 60,
      window_size: 60,
      total_bytes: 6000,
      total_packets: 60,
      bytes_per_second: 100,
      protocol_breakdown: breakdown(6),
    });
  });

  test("then to the hourly rollup", () => {
    writeWindows(720, 10);
    const h = store.queryHistory({ ...range, limit: 2 });
    assert.equal(h.resolution_seconds, 3600);
    assert.deepEqual(
      h.windows.map((w) => [w.window_start, w.window_size, w.total_bytes, w.bytes_per_second]),
      [
        [HOUR0, 3600, 360000, 100],
        [HOUR0 + 3600, 3600, 360000, 100],
      ],
    );
  });

  test("hourly rows over the limit are merged into evenly spaced buckets", () => {
    // 30 hours of 300 s windows; hour h carries k = h + 1.
    writeWindows(360, 300, (i) => 1 + Math.floor(i / 12));
    const h = store.queryHistory({ start: HOUR0, end: HOUR0 + 30 * 3600, limit: 7 });
    // 30 hours in at most 7 buckets: 5-hour buckets (whole hours), so 6 of them.
    assert.equal(h.resolution_seconds, 5 * 3600);
    assert.equal(h.count, 6);
    h.windows.forEach((w, j) => {
      const ks = 5 * (5 * j + 1) + 10; // sum of k over hours 5j .. 5j+4
      assert.deepEqual(w, {
        timestamp: (HOUR0 + (j + 1) * 18000) * 1000,
        window_start: HOUR0 + j * 18000,
        window_size: 18000,
        total_bytes: 12 * 1000 * ks,
        total_packets: 12 * 10 * ks,
        bytes_per_second: Math.round(((12 * 1000 * ks) / 18000) * 1000) / 1000,
        protocol_breakdown: breakdown(12 * ks),
      });
    });
  });

  test("host history merges into the same buckets as the history", () => {
    writeWindows(360, 300, (i) => 1 + Math.floor(i / 12));
    const h = store.hostHistory("10.0.0.1", { start: HOUR0, end: HOUR0 + 30 * 3600, limit: 7 });
    assert.equal(h.resolution_seconds, 18000);
    assert.deepEqual(
      h.points.map((p) => [p.window_start, p.window_size, p.bytes_sent, p.packets_sent]),
      [0, 1, 2, 3, 4, 5].map((j) => {
        const ks = 5 * (5 * j + 1) + 10;
        return [HOUR0 + j * 18000, 18000, 12 * 700 * ks, 12 * 7 * ks];
      }),
    );
  });

  test("one bucket for a limit of 1", () => {
    writeWindows(720, 10);
    const h = store.queryHistory({ ...range, limit: 1 });
    assert.equal(h.count, 1);
    assert.deepEqual(h.windows[0], {
      timestamp: (HOUR0 + 7200) * 1000,
      window_start: HOUR0,
      window_size: 7200,
      total_bytes: 720000,
      total_packets: 7200,
      bytes_per_second: 100,
      protocol_breakdown: breakdown(720),
    });
    const h2 = store.queryHistory({ start: HOUR0, end: HOUR0 + 7201, limit: 1 });
    assert.equal(h2.count, 1);
    assert.equal(h2.windows[0]?.window_size, 3 * 3600);
    assert.equal(h2.windows[0]?.total_bytes, 720000);
  });

  test("300 s windows skip the (empty) 1-minute rollup", () => {
    writeWindows(24, 300);
    const h = store.queryHistory({ ...range, limit: 20 });
    assert.equal(h.resolution_seconds, 3600);
    assert.deepEqual(
      h.windows.map((w) => w.total_bytes),
      [12000, 12000],
    );
  });

  test("60 s windows are served raw at their own size, never assumed", () => {
    writeWindows(90, 60);
    const h = store.queryHistory({ ...range, limit: 100 });
    assert.equal(h.resolution_seconds, 60);
    assert.equal(h.count, 90);
    assert.equal(h.windows[0]?.bytes_per_second, 16.667);
  });

  test("bytes_per_second divides by the seconds captured, not the bucket", () => {
    writeWindows(180, 10); // half an hour
    const h = store.queryHistory({ ...range, limit: 1 });
    assert.equal(h.windows[0]?.total_bytes, 180000);
    assert.equal(h.windows[0]?.bytes_per_second, 100);
  });

  test("windows of different sizes are served raw with their own sizes", () => {
    store.writeTick({ windows: [makeWindow(HOUR0, 10), makeWindow(HOUR0 + 60, 60)] });
    const h = store.queryHistory({ ...range });
    assert.equal(h.resolution_seconds, 60);
    assert.deepEqual(
      h.windows.map((w) => [w.window_start, w.window_size, w.bytes_per_second]),
      [
        [HOUR0, 10, 100],
        [HOUR0 + 60, 60, 16.667],
      ],
    );
  });

  test("defaults: the last 24 hours of the injected clock", () => {
    store.writeTick({
      windows: [makeWindow(HOUR0 - 60, 60), makeWindow(HOUR0, 60), makeWindow(HOUR0 + 86340, 60)],
    });
    const h = store.queryHistory();
    assert.equal(h.start, HOUR0);
    assert.equal(h.end, HOUR0 + 86400);
    assert.deepEqual(
      h.windows.map((w) => w.window_start),
      [HOUR0, HOUR0 + 86340],
    );
  });

  test("an empty range returns no rows", () => {
    assert.deepEqual(store.queryHistory(range), {
      start: HOUR0,
      end: HOUR0 + 7200,
      count: 0,
      resolution_seconds: 0,
      windows: [],
    });
  });

  test("start >= end, a non-numeric bound and a zero limit are bad_query", () => {
    assert.throws(() => store.queryHistory({ start: 10, end: 10 }), {
      code: "ERR_STORE_BAD_QUERY",
    });
    assert.throws(() => store.queryHistory({ start: Number.NaN, end: 10 }), {
      code: "ERR_STORE_BAD_QUERY",
    });
    assert.throws(() => store.queryHistory({ ...range, limit: 0 }), {
      code: "ERR_STORE_BAD_QUERY",
    });
  });

  test("host history sums the host's entries in the windows' top lists", () => {
    const w1 = makeWindow(HOUR0, 10, 1);
    const w2 = makeWindow(HOUR0 + 10, 10, 2);
    w2.top_destinations.push({ ip: "10.0.0.1", bytes: 50, packets: 1 });
    const w3 = makeWindow(HOUR0 + 20, 10, 1);
    w3.top_sources = [{ ip: "10.0.0.10", bytes: 5, packets: 1 }];
    store.writeTick({ windows: [w1, w2, w3] });
    const h = store.hostHistory("10.0.0.1", range);
    assert.equal(h.resolution_seconds, 10);
    assert.deepEqual(h.points, [
      {
        window_start: HOUR0,
        window_size: 10,
        bytes_sent: 700,
        packets_sent: 7,
        bytes_received: 0,
        packets_received: 0,
      },
      {
        window_start: HOUR0 + 10,
        window_size: 10,
        bytes_sent: 1400,
        packets_sent: 14,
        bytes_received: 50,
        packets_received: 1,
      },
    ]);
    // Three windows over a limit of 1: the minute's rollup, whose lists summed the windows'.
    const minute = store.hostHistory("10.0.0.1", { ...range, limit: 1 });
    assert.equal(minute.resolution_seconds, 60);
    assert.deepEqual(minute.points, [
      {
        window_start: HOUR0,
        window_size: 60,
        bytes_sent: 2100,
        packets_sent: 21,
        bytes_received: 50,
        packets_received: 1,
      },
    ]);
    assert.deepEqual(store.hostHistory("10.9.9.9", range).points, []);
  });
});

describe("history: argument normalisation", () => {
  test("defaults and the limit cap", () => {
    assert.deepEqual(normalizeRange({}, 1_000_000_500), {
      start: 1_000_000 - 86400,
      end: 1_000_000,
      limit: HISTORY_LIMIT_DEFAULT,
    });
    assert.equal(normalizeRange({ start: 0, end: 10, limit: 1e9 }, 0).limit, HISTORY_LIMIT_MAX);
    assert.deepEqual(normalizeRange({ start: 1.5, end: 9.2, limit: 3.7 }, 0), {
      start: 1,
      end: 10,
      limit: 3,
    });
  });
});
