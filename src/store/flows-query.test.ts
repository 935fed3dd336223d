import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { HOUR0, makeFlow, makeFlows, tempDir } from "../../test/support/store-fixtures.js";
import type { FlowRecord } from "../flows/flow-record.js";
import { protoNumber } from "./flows.js";
import { createStore, type Store } from "./store.js";

const T = HOUR0;

// Five flows with distinct sort keys (total bytes, total packets, first_ts, last_ts).
const F1 = makeFlow({
  src_ip: "10.0.0.1",
  src_port: 40000,
  dst_ip: "192.0.2.10",
  dst_port: 443,
  packets: 10,
  bytes: 500,
  packets_rev: 10,
  bytes_rev: 500,
  first_ts: T + 100,
  last_ts: T + 110,
});
const F2 = makeFlow({
  proto: 17,
  src_ip: "10.0.0.2",
  src_port: 5353,
  dst_ip: "10.0.0.1",
  dst_port: 53,
  packets: 1,
  bytes: 100,
  packets_rev: 0,
  bytes_rev: 0,
  first_ts: T + 105,
  last_ts: T + 106,
  conn_state: "S0",
  tcp_flags: "",
});
const F3 = makeFlow({
  src_ip: "2001:db8::1",
  src_port: 443,
  dst_ip: "2001:db8::2",
  dst_port: 50000,
  packets: 30,
  bytes: 3000,
  packets_rev: 2,
  bytes_rev: 200,
  first_ts: T + 10,
  last_ts: T + 20,
});
const F4 = makeFlow({
  proto: 1,
  src_ip: "10.0.0.4",
  src_port: 8,
  dst_ip: "10.0.0.5",
  dst_port: 0,
  packets: 100,
  bytes: 9800,
  packets_rev: 100,
  bytes_rev: 9800,
  first_ts: T + 200,
  last_ts: T + 300,
  conn_state: "OTH",
  tcp_flags: "",
  end_reason: "flush",
});
const F5 = makeFlow({
  src_ip: "10.0.0.6",
  src_port: 50001,
  dst_ip: "10.0.0.7",
  dst_port: 22,
  packets: 1,
  bytes: 60,
  packets_rev: 1,
  bytes_rev: 54,
  first_ts: T + 50,
  last_ts: T + 50.5,
  conn_state: "REJ",
  tcp_flags: "...A.RS.",
});

describe("flow search", () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  before(() => {
    tmp = tempDir();
    store = createStore({ path: join(tmp.dir, "netnet.db"), retentionDays: 7 });
    store.writeTick({ flows: [F1, F2, F3, F4, F5] });
  });
  after(() => {
    store.stop();
    tmp.remove();
  });

  const find = (q: Parameters<Store["queryFlows"]>[0]): FlowRecord[] => store.queryFlows(q).flows;

  test("without filters: every flow, newest last_ts first", () => {
    assert.deepEqual(store.queryFlows({}), { total: 5, flows: [F4, F1, F2, F5, F3] });
  });

  test("from/to select flows whose time span overlaps the range", () => {
    assert.deepEqual(find({ from: T + 108, to: T + 150 }), [F1]);
    assert.deepEqual(find({ from: T + 250, to: T + 260 }), [F4]); // inside a long flow
    assert.deepEqual(find({ from: T + 106, to: T + 106 }), [F1, F2]); // touching last_ts
    assert.deepEqual(find({ to: T + 20 }), [F3]);
    assert.deepEqual(find({ from: T + 301 }), []);
  });

  test("ip matches either side", () => {
    assert.deepEqual(find({ ip: "10.0.0.1" }), [F1, F2]);
    assert.deepEqual(find({ ip: "2001:db8::2" }), [F3]);
    assert.deepEqual(find({ ip: "10.0.0.10" }), []);
  });

  test("port matches either side", () => {
    assert.deepEqual(find({ port: 443 }), [F1, F3]);
    assert.deepEqual(find({ port: 53 }), [F2]);
  });

  test("proto by number or name, state in any case", () => {
    assert.deepEqual(find({ proto: "udp" }), [F2]);
    assert.deepEqual(find({ proto: 1 }), [F4]);
    assert.deepEqual(find({ proto: "ICMP" }), [F4]);
    assert.deepEqual(find({ proto: "6" }), [F1, F5, F3]);
    assert.deepEqual(find({ state: "rej" }), [F5]);
    assert.deepEqual(find({ state: "SF" }), [F1, F3]);
  });

  test("filters combine", () => {
    assert.deepEqual(find({ ip: "10.0.0.1", proto: "tcp" }), [F1]);
    assert.deepEqual(find({ port: 443, from: T + 50, to: T + 400 }), [F1]);
    assert.deepEqual(find({ ip: "10.0.0.1", state: "S0", from: T, to: T + 1000 }), [F2]);
  });

  test("sort by total bytes, total packets, first_ts, last_ts in both orders", () => {
    assert.deepEqual(find({ sort: "bytes" }), [F4, F3, F1, F5, F2]);
    assert.deepEqual(find({ sort: "bytes", order: "asc" }), [F2, F5, F1, F3, F4]);
    assert.deepEqual(find({ sort: "packets" }), [F4, F3, F1, F5, F2]);
    assert.deepEqual(find({ sort: "first_ts", order: "asc" }), [F3, F5, F1, F2, F4]);
    assert.deepEqual(find({ sort: "last_ts", order: "asc" }), [F3, F5, F2, F1, F4]);
  });

  test("limit and offset page without repeats; total counts every match", () => {
    const pages = [0, 2, 4].map((offset) => store.queryFlows({ sort: "bytes", limit: 2, offset }));
    assert.deepEqual(
      pages.map((p) => p.total),
      [5, 5, 5],
    );
    assert.deepEqual(
      pages.flatMap((p) => p.flows),
      [F4, F3, F1, F5, F2],
    );
    assert.deepEqual(store.queryFlows({ limit: 0 }), { total: 5, flows: [] });
    assert.deepEqual(store.queryFlows({ offset: 5 }), { total: 5, flows: [] });
  });

  test("bad arguments are bad_query", () => {
    for (const q of [
      { proto: "foo" },
      { proto: "constructor" },
      { proto: 300 },
      { port: 70000 },
      { limit: -1 },
      { offset: 1.5 },
      { from: 10, to: 5 },
      { from: Number.NaN },
    ]) {
      assert.throws(() => store.queryFlows(q), { code: "ERR_STORE_BAD_QUERY" }, JSON.stringify(q));
    }
    for (const sort of ["src_ip", "toString"]) {
      assert.throws(() => store.queryFlows({ sort: sort as "bytes" }), {
        code: "ERR_STORE_BAD_QUERY",
      });
    }
    assert.throws(() => store.queryFlows({ order: "up" as "asc" }), {
      code: "ERR_STORE_BAD_QUERY",
    });
  });

  test("every filter is served by an index, never a full scan", () => {
    const plan = (where: string): string =>
      store.db
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM flows WHERE ${where}`)
        .all()
        .map((r) => String((r as { detail: string }).detail))
        .join(" | ");
    for (const [where, index] of [
      ["last_ts >= 1 AND first_ts <= 2", "flows_last_ts"],
      ["(src_ip = 'a' OR dst_ip = 'a')", "flows_dst_ip"],
      ["(src_port = 1 OR dst_port = 1)", "flows_src_port"],
      ["proto = 6 AND last_ts >= 1", "flows_proto"],
      ["conn_state = 'S0'", "flows_conn_state"],
    ] as const) {
      const p = plan(where);
      assert.match(p, new RegExp(index), p);
      assert.doesNotMatch(p, /SCAN flows/, p);
    }
  });
});

describe("flow search: limits", () => {
  test("limit is capped at 1000", () => {
    const store = createStore({ path: ":memory:", retentionDays: 7 });
    store.writeTick({ flows: makeFlows(1500, T) });
    const r = store.queryFlows({ limit: 5000 });
    assert.equal(r.total, 1500);
    assert.equal(r.flows.length, 1000);
    store.stop();
  });

  test("ties in the sort key keep a stable order across pages", () => {
    const store = createStore({ path: ":memory:", retentionDays: 7 });
    const same = Array.from({ length: 7 }, (_, i) => makeFlow({ src_port: 1000 + i }));
    store.writeTick({ flows: same });
    const ports = [0, 3, 6].flatMap((offset) =>
      store.queryFlows({ sort: "bytes", limit: 3, offset }).flows.map((f) => f.src_port),
    );
    assert.deepEqual(ports, [1006, 1005, 1004, 1003, 1002, 1001, 1000]);
    store.stop();
  });

  test("protoNumber knows the common names", () => {
    assert.deepEqual(
      ["tcp", "UDP", "icmp", "icmpv6", "sctp", "47"].map(protoNumber),
      [6, 17, 1, 58, 132, 47],
    );
  });
});
