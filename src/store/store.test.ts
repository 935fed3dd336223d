import assert from "node:assert/strict";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  HOUR0,
  makeFlow,
  makeFlows,
  makeWindow,
  tempDir,
} from "../../test/support/store-fixtures.js";
import type { ReportWindow } from "../engine/report.js";
import { createStore, type Store } from "./store.js";
import { StoreError } from "./store-error.js";
import { toWindowRecord } from "./window-record.js";

const T0 = HOUR0;

describe("store: writeTick round trip", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = tempDir();
    store = createStore(
      { path: join(tmp.dir, "netnet.db"), retentionDays: 7 },
      { now: () => T0 * 1000 },
    );
  });
  afterEach(() => {
    store.stop();
    tmp.remove();
  });

  test("a window is stored with every counter and its top lists as JSON", () => {
    const w = makeWindow(T0, 10, 2);
    assert.deepEqual(store.writeTick({ windows: [w] }), { windows: 1, flows: 0 });
    const row = store.db.prepare("SELECT * FROM windows").get();
    assert.deepEqual(row, {
      window_start: T0,
      window_size: 10,
      bytes_per_second: 200,
      packets: 20,
      bytes: 2000,
      tcp_packets: 12,
      tcp_bytes: 1200,
      udp_packets: 6,
      udp_bytes: 600,
      icmp_packets: 2,
      icmp_bytes: 200,
      icmpv6_packets: 0,
      icmpv6_bytes: 0,
      arp_packets: 0,
      arp_bytes: 0,
      other_packets: 0,
      other_bytes: 0,
      size_tiny: 8,
      size_small: 6,
      size_medium: 4,
      size_large: 2,
      size_jumbo: 0,
      drops: 2,
      top_sources: JSON.stringify(w.top_sources),
      top_destinations: JSON.stringify(w.top_destinations),
      top_ports: JSON.stringify(w.ports),
    });
  });

  test("a flow comes back from queryFlows with every field unchanged", () => {
    const f = makeFlow({ vlan: 100, inner_vlan: 200, end_reason: "reused" });
    store.writeTick({ flows: [f] });
    assert.deepEqual(store.queryFlows({}), { total: 1, flows: [f] });
  });

  test("windows and flows of one tick are written together and counted in metrics", () => {
    const r = store.writeTick({
      windows: [makeWindow(T0, 10), makeWindow(T0 + 10, 10)],
      flows: makeFlows(25, T0),
    });
    assert.deepEqual(r, { windows: 2, flows: 25 });
    store.writeTick({});
    const m = store.metrics();
    assert.equal(m.ticks_written, 2);
    assert.equal(m.windows_written, 2);
    assert.equal(m.flows_written, 25);
    assert.equal(m.write_errors, 0);
  });

  test("a tick with one invalid window keeps nothing of that tick", () => {
    store.writeTick({ windows: [makeWindow(T0, 10)], flows: makeFlows(3, T0) });
    const bad = { ...makeWindow(T0 + 20, 10), window_size: 0 };
    assert.throws(
      () => store.writeTick({ windows: [makeWindow(T0 + 10, 10), bad], flows: makeFlows(5, T0) }),
      (err: unknown) => err instanceof StoreError && err.code === "ERR_STORE_BAD_RECORD",
    );
    const n = (sql: string) => store.db.prepare(sql).pluck().get();
    assert.equal(n("SELECT count(*) FROM windows"), 1);
    assert.equal(n("SELECT count(*) FROM flows"), 3);
    assert.equal(n("SELECT sum(packets) FROM rollup_1m"), 10);
    assert.equal(store.metrics().write_errors, 1);
  });

  test("the same window written twice adds up, and its rollup counts its time once", () => {
    store.writeTick({ windows: [makeWindow(T0, 10, 1)] });
    store.writeTick({ windows: [makeWindow(T0, 10, 2)] });
    const row = store.db
      .prepare("SELECT packets, bytes, bytes_per_second, drops, top_sources FROM windows")
      .get();
    assert.deepEqual(row, {
      packets: 30,
      bytes: 3000,
      bytes_per_second: 300,
      drops: 3,
      top_sources: JSON.stringify([
        { ip: "10.0.0.1", bytes: 2100, packets: 21 },
        { ip: "10.0.0.2", bytes: 900, packets: 9 },
      ]),
    });
    const roll = store.db.prepare("SELECT seconds_covered, windows, bytes FROM rollup_1m").get();
    assert.deepEqual(roll, { seconds_covered: 10, windows: 1, bytes: 3000 });
  });

  test("stop is idempotent and later calls fail with code closed", () => {
    store.stop();
    store.stop();
    assert.throws(
      () => store.writeTick({ flows: [makeFlow()] }),
      (err: unknown) => err instanceof StoreError && err.code === "ERR_STORE_CLOSED",
    );
    assert.throws(() => store.queryFlows({}), { code: "ERR_STORE_CLOSED" });
    assert.equal(store.db.open, false);
  });

  test("flush checkpoints the WAL and the data stays readable", () => {
    store.writeTick({ flows: makeFlows(100, T0) });
    store.flush();
    assert.equal(store.queryFlows({}).total, 100);
  });
});

describe("store: config and types", () => {
  test("retentionDays must be positive", () => {
    assert.throws(() => createStore({ path: ":memory:", retentionDays: 0 }), {
      code: "ERR_STORE_BAD_CONFIG",
    });
  });

  test("toWindowRecord fills missing protocols and sizes with zero and adds drops", () => {
    const report: ReportWindow = {
      window_start: T0,
      window_size: 60,
      packets: 3,
      bytes: 300,
      bytes_per_second: 5,
      protocols: { TCP: { packets: 3, bytes: 300 } },
      packet_sizes: { medium: 3 },
      top_sources: [{ ip: "10.0.0.1", bytes: 300, packets: 3 }],
      top_destinations: [],
      ports: [],
    };
    const w = toWindowRecord(report, 7);
    assert.deepEqual(w.protocols, {
      TCP: { packets: 3, bytes: 300 },
      UDP: { packets: 0, bytes: 0 },
      ICMP: { packets: 0, bytes: 0 },
      ICMPv6: { packets: 0, bytes: 0 },
      ARP: { packets: 0, bytes: 0 },
      OTHER: { packets: 0, bytes: 0 },
    });
    assert.deepEqual(w.packet_sizes, { tiny: 0, small: 0, medium: 3, large: 0, jumbo: 0 });
    assert.equal(w.drops, 7);
  });

  test(":memory: databases work for tests", () => {
    const s = createStore({ path: ":memory:", retentionDays: 1 });
    s.writeTick({ windows: [makeWindow(T0, 60)] });
    assert.equal(s.queryHistory({ start: T0, end: T0 + 60 }).count, 1);
    s.stop();
  });
});
