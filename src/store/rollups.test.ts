import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { HOUR0, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { createStore, type Store } from "./store.js";

const COUNTERS =
  "packets, bytes, tcp_packets, tcp_bytes, udp_packets, udp_bytes, icmp_packets, icmp_bytes, " +
  "size_tiny, size_small, size_medium, size_large, size_jumbo, drops";

describe("rollups", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = createStore({ path: join(tmp.dir, "netnet.db"), retentionDays: 7 });
  });
  afterEach(() => {
    store.stop();
    tmp.remove();
  });

  const all = (sql: string): unknown[] => store.db.prepare(sql).all();

  test("10 s windows: six feed each minute and 360 each hour, with exact sums", () => {
    // Two hours; window i carries k = 1 + (i % 6), so every minute sums k = 1..6 = 21.
    for (let i = 0; i < 720; i++) {
      store.writeTick({ windows: [makeWindow(HOUR0 + i * 10, 10, 1 + (i % 6))] });
    }
    const minutes = all(
      `SELECT bucket_start, seconds_covered, windows, ${COUNTERS} FROM rollup_1m`,
    );
    assert.equal(minutes.length, 120);
    minutes.forEach((row, m) => {
      assert.deepEqual(row, {
        bucket_start: HOUR0 + m * 60,
        seconds_covered: 60,
        windows: 6,
        packets: 210,
        bytes: 21000,
        tcp_packets: 126,
        tcp_bytes: 12600,
        udp_packets: 63,
        udp_bytes: 6300,
        icmp_packets: 21,
        icmp_bytes: 2100,
        size_tiny: 84,
        size_small: 63,
        size_medium: 42,
        size_large: 21,
        size_jumbo: 0,
        drops: 21,
      });
    });
    const hours = all(
      `SELECT bucket_start, seconds_covered, windows, packets, bytes, drops FROM rollup_1h`,
    );
    assert.deepEqual(hours, [
      {
        bucket_start: HOUR0,
        seconds_covered: 3600,
        windows: 360,
        packets: 12600,
        bytes: 1260000,
        drops: 1260,
      },
      {
        bucket_start: HOUR0 + 3600,
        seconds_covered: 3600,
        windows: 360,
        packets: 12600,
        bytes: 1260000,
        drops: 1260,
      },
    ]);
  });

  test("10 s windows: a minute's top talkers and ports are the sums of its windows' lists", () => {
    for (let i = 0; i < 6; i++) store.writeTick({ windows: [makeWindow(HOUR0 + i * 10, 10, 1)] });
    const row = store.db
      .prepare("SELECT top_sources, top_destinations, top_ports FROM rollup_1m")
      .get() as { top_sources: string; top_destinations: string; top_ports: string };
    assert.deepEqual(JSON.parse(row.top_sources), [
      { ip: "10.0.0.1", bytes: 4200, packets: 42 },
      { ip: "10.0.0.2", bytes: 1800, packets: 18 },
    ]);
    assert.deepEqual(JSON.parse(row.top_destinations), [
      { ip: "192.0.2.10", bytes: 6000, packets: 60 },
    ]);
    assert.deepEqual(JSON.parse(row.top_ports), [
      { port: 443, bytes: 3600, packets: 36, connections: 6, service: "https" },
      { port: 53, bytes: 1800, packets: 18, connections: 12, service: "domain" },
    ]);
  });

  test("60 s windows: the 1-minute rollup equals the windows", () => {
    for (let i = 0; i < 90; i++)
      store.writeTick({ windows: [makeWindow(HOUR0 + i * 60, 60, 1 + (i % 7))] });
    const windows = all(
      `SELECT window_start AS t, window_size AS s, ${COUNTERS}, top_sources, top_ports FROM windows ORDER BY 1`,
    );
    const minutes = all(
      `SELECT bucket_start AS t, seconds_covered AS s, ${COUNTERS}, top_sources, top_ports FROM rollup_1m ORDER BY 1`,
    );
    assert.equal(windows.length, 90);
    assert.deepEqual(minutes, windows);
    const hours = all("SELECT bucket_start, seconds_covered, windows, packets FROM rollup_1h");
    // k over windows 0-59: eight cycles of 1..7 (224) and 1..4 (10) = 234; over windows
    // 60-89: 5..7 (18), three cycles (84) and 1..6 (21) = 123.
    assert.deepEqual(hours, [
      { bucket_start: HOUR0, seconds_covered: 3600, windows: 60, packets: 2340 },
      {
        bucket_start: HOUR0 + 3600,
        seconds_covered: 1800,
        windows: 30,
        packets: 1230,
      },
    ]);
  });

  test("300 s windows feed only the hourly rollup", () => {
    for (let i = 0; i < 24; i++)
      store.writeTick({ windows: [makeWindow(HOUR0 + i * 300, 300, 2)] });
    assert.deepEqual(all("SELECT count(*) AS n FROM rollup_1m"), [{ n: 0 }]);
    assert.deepEqual(
      all("SELECT bucket_start, seconds_covered, windows, packets, bytes FROM rollup_1h"),
      [
        { bucket_start: HOUR0, seconds_covered: 3600, windows: 12, packets: 240, bytes: 24000 },
        {
          bucket_start: HOUR0 + 3600,
          seconds_covered: 3600,
          windows: 12,
          packets: 240,
          bytes: 24000,
        },
      ],
    );
  });

  test("a window size that does not divide the minute counts in the bucket of its start", () => {
    store.writeTick({ windows: [makeWindow(HOUR0 + 45, 45), makeWindow(HOUR0 + 90, 45)] });
    assert.deepEqual(all("SELECT bucket_start, seconds_covered, windows FROM rollup_1m"), [
      { bucket_start: HOUR0, seconds_covered: 45, windows: 1 },
      { bucket_start: HOUR0 + 60, seconds_covered: 45, windows: 1 },
    ]);
  });

  test("windows longer than an hour feed no rollup", () => {
    store.writeTick({ windows: [makeWindow(HOUR0 - 3600, 7200)] });
    assert.deepEqual(all("SELECT count(*) AS n FROM rollup_1m"), [{ n: 0 }]);
    assert.deepEqual(all("SELECT count(*) AS n FROM rollup_1h"), [{ n: 0 }]);
  });
});
