import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { TCP_ACK, TCP_SYN } from "../decode/protocols.js";
import { topActiveFlows } from "../flows/flow-query.js";
import { FlowKey, FlowTable } from "../flows/flow-table.js";
import { ActiveFlowQueries, queryActiveFlows, sortedActiveFlows } from "./flow-pages.js";

function table(): FlowTable {
  const t = new FlowTable({ capacity: 100, idleTimeout: 300, cleanupInterval: 60 });
  const add = (
    proto: number,
    a: number,
    ap: number,
    b: number,
    bp: number,
    bytes: number,
    ts: number,
    flags = 0,
  ) => {
    const k = new FlowKey();
    k.proto = proto;
    k.family = 4;
    k.a3 = a;
    k.aPort = ap;
    k.b3 = b;
    k.bPort = bp;
    t.now = ts;
    t.update(k, flags, bytes, 0);
  };
  add(6, 0x0a000001, 40000, 0x0a000002, 443, 1000, 1, TCP_SYN); // S0
  add(6, 0x0a000003, 40001, 0x0a000002, 443, 3000, 2, TCP_ACK); // OTH
  add(17, 0x0a000001, 5353, 0x0a000004, 53, 2000, 3);
  add(17, 0xc0a80001 | 0, 5000, 0x0a000001, 6000, 500, 4);
  return t;
}

test("top active flows by bytes, most first", () => {
  const t = table();
  assert.deepEqual(
    topActiveFlows(t, 2).map((i) => t.bytes[i * 2]),
    [3000, 2000],
  );
  assert.deepEqual(topActiveFlows(t, 0), []);
  assert.equal(topActiveFlows(t, 10).length, 4);
});

test("filters by address (either side), port, protocol and state; sorts and pages", () => {
  const t = table();
  const q = { limit: 10, offset: 0 };
  assert.equal(queryActiveFlows(t, { ...q, ip: "10.0.0.1" }).total, 3);
  assert.equal(queryActiveFlows(t, { ...q, ip: "192.168.0.1" }).total, 1, "a high-bit address");
  assert.equal(queryActiveFlows(t, { ...q, ip: "not an address" }).total, 0);
  assert.equal(queryActiveFlows(t, { ...q, port: 443 }).total, 2);
  assert.equal(queryActiveFlows(t, { ...q, proto: 17 }).total, 2);
  // One-sided UDP is S0 too, as in Zeek.
  assert.equal(queryActiveFlows(t, { ...q, state: "S0" }).total, 3);
  assert.deepEqual(
    queryActiveFlows(t, { ...q, state: "S0", proto: 6 }).flows.map((f) => f.src_ip),
    ["10.0.0.1"],
  );
  assert.deepEqual(
    queryActiveFlows(t, { ...q, state: "OTH" }).flows.map((f) => f.src_ip),
    ["10.0.0.3"],
  );
  const byTime = queryActiveFlows(t, { ...q, sort: "first_ts", order: "asc" });
  assert.deepEqual(
    byTime.flows.map((f) => f.first_ts),
    [1, 2, 3, 4],
  );
  const page = queryActiveFlows(t, { limit: 2, offset: 1, sort: "bytes" });
  assert.equal(page.total, 4);
  assert.deepEqual(
    page.flows.map((f) => f.bytes),
    [2000, 1000],
  );
});

test("cached orders: pages of one tick share an order, counters stay live, a new tick re-sorts", () => {
  const t = table();
  const queries = new ActiveFlowQueries(t);
  const q = { limit: 2, offset: 0, sort: "bytes" as const };
  assert.deepEqual(
    queries.query(q).flows.map((f) => f.bytes),
    [3000, 2000],
  );
  // More bytes on the smallest flow: its counters show at once, its rank at the next tick.
  const k = new FlowKey();
  k.proto = 17;
  k.family = 4;
  k.a3 = 0xc0a80001 | 0;
  k.aPort = 5000;
  k.b3 = 0x0a000001;
  k.bPort = 6000;
  t.now = 5;
  t.update(k, 0, 9000, 0);
  assert.deepEqual(
    queries.query({ ...q, offset: 2 }).flows.map((f) => f.bytes),
    [1000, 9500],
  );
  queries.invalidate();
  assert.deepEqual(
    queries.query(q).flows.map((f) => f.bytes),
    [9500, 3000],
  );
  assert.equal(queries.query({ ...q, proto: 6 }).total, 2, "another filter, its own order");
});

test("a limited order is exactly the first rows of the full order, ties by flow index", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ bytes: fc.integer({ min: 1, max: 6 }), proto: fc.constantFrom(6, 17) }),
        {
          minLength: 1,
          maxLength: 120,
        },
      ),
      fc.integer({ min: 1, max: 130 }),
      fc.constantFrom("asc" as const, "desc" as const),
      fc.constantFrom("bytes" as const, "packets" as const),
      (flows, limit, order, sort) => {
        const t = new FlowTable({ capacity: 256, idleTimeout: 300, cleanupInterval: 60 });
        flows.forEach((f, i) => {
          const k = new FlowKey();
          k.proto = f.proto;
          k.family = 4;
          k.a3 = 0x0a000000 + i;
          k.aPort = 1000 + i;
          k.b3 = 0x0a0000ff;
          k.bPort = 80;
          t.now = 1;
          t.update(k, 0, f.bytes, 0);
        });
        const full = sortedActiveFlows(t, { order, sort });
        const cut = sortedActiveFlows(t, { order, sort }, limit);
        assert.equal(cut.total, flows.length);
        assert.deepEqual(cut.flows, full.flows.slice(0, limit));
        const tcp = sortedActiveFlows(t, { order, sort, proto: 6 }, limit);
        assert.deepEqual(
          tcp.flows,
          sortedActiveFlows(t, { order, sort, proto: 6 }).flows.slice(0, limit),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test("cached orders reach past their first 1000 rows when a page lies deeper", () => {
  const t = new FlowTable({ capacity: 4096, idleTimeout: 300, cleanupInterval: 60 });
  for (let i = 0; i < 2500; i++) {
    const k = new FlowKey();
    k.proto = 6;
    k.family = 4;
    k.a3 = 0x0a000000 + i;
    k.aPort = 1024 + (i % 60000);
    k.b3 = 0x0b000001;
    k.bPort = 443;
    t.now = 1;
    t.update(k, 0, 100 + i, 0);
  }
  const queries = new ActiveFlowQueries(t);
  const first = queries.query({ limit: 50, offset: 0 });
  assert.equal(first.total, 2500);
  assert.equal(first.flows[0]?.bytes, 2599);
  const deep = queries.query({ limit: 50, offset: 2000 });
  assert.deepEqual(
    deep.flows.map((f) => f.bytes),
    Array.from({ length: 50 }, (_, i) => 2599 - 2000 - i),
  );
  assert.equal(queries.query({ limit: 10, offset: 2495 }).flows.length, 5);
});
