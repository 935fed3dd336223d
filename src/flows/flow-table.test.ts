import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from "../decode/protocols.js";
import { connStateOf, flowRecord } from "./flow-record.js";
import {
  END_EVICTED,
  END_FLUSH,
  END_IDLE,
  END_REUSED,
  type FlowEndListener,
  FlowKey,
  FlowTable,
} from "./flow-table.js";

const A = 0x0a000001; // 10.0.0.1
const PROTOS = [17, 1, 47];
const B = 0x0a000002; // 10.0.0.2

function key(
  proto: number,
  src: number,
  sport: number,
  dst: number,
  dport: number,
  vlan = 0,
): FlowKey {
  const k = new FlowKey();
  k.proto = proto;
  k.family = 4;
  k.vlan = vlan;
  k.a3 = src;
  k.aPort = sport;
  k.b3 = dst;
  k.bPort = dport;
  return k;
}

class Ended implements FlowEndListener {
  readonly records: {
    state: string;
    reason: number;
    src: string;
    packets: number;
    bytes: number;
  }[] = [];
  flowEnded(t: FlowTable, idx: number, reason: number): void {
    const r = flowRecord(t, idx, reason);
    this.records.push({
      state: connStateOf(t, idx),
      reason,
      src: `${r.src_ip}:${r.src_port}`,
      packets: r.packets + r.packets_rev,
      bytes: r.bytes + r.bytes_rev,
    });
  }
}

/** Counts a packet at packet time `ts`. */
function up(t: FlowTable, k: FlowKey, flags: number, length: number, payload: number, ts: number) {
  t.now = ts;
  t.update(k, flags, length, payload);
}

/** Moves the table's clock to `ts` and runs a sweep if one is due. */
function at(t: FlowTable, ts: number) {
  t.now = ts;
  t.advance();
}

function table(listener: FlowEndListener | null = null, capacity = 1000): FlowTable {
  return new FlowTable({ capacity, idleTimeout: 60, cleanupInterval: 10 }, listener);
}

/** Plays TCP segments [fromA, flags, payload] between A:40000 and B:80. */
function tcp(t: FlowTable, segments: [boolean, number, number][], start = 1000): number {
  let ts = start;
  for (const [fromA, flags, payload] of segments) {
    const k = fromA ? key(6, A, 40000, B, 80) : key(6, B, 80, A, 40000);
    up(t, k, flags, 60 + payload, payload, ts);
    ts += 0.001;
  }
  return t.lastIdx;
}

describe("flow table", () => {
  test("both directions of a conversation land in one flow, counted per side", () => {
    const t = table();
    up(t, key(17, A, 5000, B, 53), 0, 80, 38, 1);
    assert.equal(t.lastNew, 1);
    assert.equal(t.lastSide, 0);
    const idx = t.lastIdx;
    up(t, key(17, B, 53, A, 5000), 0, 120, 78, 2);
    assert.equal(t.lastIdx, idx);
    assert.equal(t.lastSide, 1);
    assert.equal(t.lastNew, 0);
    up(t, key(17, A, 5000, B, 53), 0, 80, 38, 3);
    assert.equal(t.count, 1);
    assert.deepEqual([...t.packets.subarray(idx * 2, idx * 2 + 2)], [2, 1]);
    assert.deepEqual([...t.bytes.subarray(idx * 2, idx * 2 + 2)], [160, 120]);
    assert.deepEqual([...t.firstTs.subarray(idx * 2, idx * 2 + 2)], [1, 2]);
    assert.deepEqual([...t.lastTs.subarray(idx * 2, idx * 2 + 2)], [3, 2]);
    assert.equal(connStateOf(t, idx), "SF");
  });

  test("flows differ by VLAN, protocol and port", () => {
    const t = table();
    up(t, key(17, A, 1, B, 2), 0, 60, 0, 1);
    up(t, key(17, A, 1, B, 2, 5 << 12), 0, 60, 0, 1);
    up(t, key(6, A, 1, B, 2), 0, 60, 0, 1);
    up(t, key(17, A, 1, B, 3), 0, 60, 0, 1);
    up(t, key(17, B, 2, A, 1), 0, 60, 0, 1);
    assert.equal(t.count, 4);
  });

  test("the SYN sender is the initiator even when the SYN-ACK is seen first", () => {
    const t = table();
    up(t, key(6, B, 80, A, 40000), TCP_SYN | TCP_ACK, 60, 0, 1);
    const r = flowRecord(t, t.lastIdx, END_FLUSH);
    assert.equal(r.src_ip, "10.0.0.1");
    assert.equal(r.src_port, 40000);
    assert.equal(r.dst_port, 80);
    assert.equal(r.packets, 0);
    assert.equal(r.packets_rev, 1);
  });

  const cases: [string, [boolean, number, number][]][] = [
    [
      "SF",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_ACK | TCP_PSH, 100],
        [false, TCP_ACK | TCP_PSH, 500],
        [true, TCP_FIN | TCP_ACK, 0],
        [false, TCP_FIN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
      ],
    ],
    [
      "S0",
      [
        [true, TCP_SYN, 0],
        [true, TCP_SYN, 0],
      ],
    ],
    [
      "REJ",
      [
        [true, TCP_SYN, 0],
        [false, TCP_RST | TCP_ACK, 0],
      ],
    ],
    [
      "S1",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_ACK | TCP_PSH, 10],
      ],
    ],
    [
      "RSTO",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_RST, 0],
      ],
    ],
    [
      "RSTR",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [false, TCP_RST | TCP_ACK, 0],
      ],
    ],
    [
      "SH",
      [
        [true, TCP_SYN, 0],
        [true, TCP_FIN, 0],
      ],
    ],
    [
      "RSTOS0",
      [
        [true, TCP_SYN, 0],
        [true, TCP_RST, 0],
      ],
    ],
    [
      "OTH",
      [
        [true, TCP_ACK | TCP_PSH, 10],
        [false, TCP_ACK, 0],
      ],
    ],
    [
      "S2",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_FIN | TCP_ACK, 0],
      ],
    ],
    [
      "S3",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [false, TCP_FIN | TCP_ACK, 0],
      ],
    ],
    // Both sides close, then one resets: Zeek keeps SF (the RST does not reopen it).
    [
      "SF",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_ACK | TCP_PSH, 100],
        [true, TCP_FIN | TCP_ACK, 0],
        [false, TCP_FIN | TCP_ACK, 0],
        [true, TCP_RST, 0],
      ],
    ],
    // The SYN was missed: a SYN-ACK first, then data both ways (Zeek: ^hADd, S1).
    [
      "S1",
      [
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_ACK | TCP_PSH, 200],
        [false, TCP_ACK | TCP_PSH, 900],
      ],
    ],
    // A lone SYN-ACK with nothing after it stays OTH, as in Zeek.
    ["OTH", [[false, TCP_SYN | TCP_ACK, 0]]],
    // One FIN then an RST from the other side is still reset: RSTR.
    [
      "RSTR",
      [
        [true, TCP_SYN, 0],
        [false, TCP_SYN | TCP_ACK, 0],
        [true, TCP_ACK, 0],
        [true, TCP_FIN | TCP_ACK, 0],
        [false, TCP_RST, 0],
      ],
    ],
  ];
  for (const [state, segments] of cases) {
    const shape = segments.map(([a, f]) => `${a ? ">" : "<"}${f.toString(16)}`).join(" ");
    test(`a TCP conversation ${shape} has conn_state ${state}`, () => {
      const t = table();
      const idx = tcp(t, segments);
      assert.equal(t.count, 1);
      assert.equal(connStateOf(t, idx), state);
    });
  }

  test("the TCP flags of both directions are reported nfdump style", () => {
    const t = table();
    const idx = tcp(t, cases[0][1]);
    assert.equal(flowRecord(t, idx, END_FLUSH).tcp_flags, "...AP.SF");
  });

  test("a new SYN on a finished connection's 5-tuple starts a new flow", () => {
    const ended = new Ended();
    const t = table(ended);
    tcp(t, cases[0][1]);
    tcp(t, [[true, TCP_SYN, 0]], 2000);
    assert.equal(t.count, 1);
    assert.equal(t.created, 2);
    assert.equal(t.reused, 1);
    assert.equal(ended.records.length, 1);
    assert.equal(ended.records[0].reason, END_REUSED);
    assert.equal(ended.records[0].state, "SF");
    assert.equal(ended.records[0].packets, 8);
  });

  test("flows idle longer than the timeout end at the next sweep, in packet time", () => {
    const ended = new Ended();
    const t = table(ended); // idle 60 s, sweep every 10 s
    up(t, key(17, A, 1, B, 2), 0, 100, 0, 1000);
    up(t, key(17, A, 3, B, 4), 0, 100, 0, 1030);
    at(t, 1000); // first call arms the sweep
    at(t, 1061);
    assert.equal(t.count, 1);
    assert.equal(ended.records.length, 1);
    assert.equal(ended.records[0].reason, END_IDLE);
    assert.equal(ended.records[0].src, "10.0.0.1:1");
    assert.equal(t.expired, 1);
    at(t, 1095);
    assert.equal(t.count, 0);
  });

  test("H8c: after a flush, a run whose clock starts earlier (the same file again) still expires idle flows", () => {
    const ended = new Ended();
    const t = table(ended);
    up(t, key(17, A, 1, B, 9), 0, 100, 0, 1000);
    at(t, 1000);
    at(t, 5000);
    t.flush();
    assert.equal(t.count, 0);
    // The file is read again from its start: its time is before where the first run ended.
    up(t, key(17, A, 2, B, 9), 0, 100, 0, 1000);
    at(t, 1000);
    at(t, 1100);
    assert.equal(t.count, 0, "idle for 100 s of a 60 s timeout");
    assert.deepEqual(
      ended.records.map((r) => [r.src, r.reason]),
      [
        ["10.0.0.1:1", END_IDLE],
        ["10.0.0.1:2", END_IDLE],
      ],
    );
  });

  test("at capacity the least recently seen flow is evicted and counted", () => {
    const ended = new Ended();
    const t = table(ended, 3);
    up(t, key(17, A, 1, B, 9), 0, 100, 0, 1);
    up(t, key(17, A, 2, B, 9), 0, 100, 0, 2);
    up(t, key(17, A, 3, B, 9), 0, 100, 0, 3);
    up(t, key(17, A, 1, B, 9), 0, 100, 0, 4); // refreshes flow 1
    up(t, key(17, A, 4, B, 9), 0, 100, 0, 5);
    assert.equal(t.count, 3);
    assert.equal(t.evicted, 1);
    assert.equal(ended.records[0].reason, END_EVICTED);
    assert.equal(ended.records[0].src, "10.0.0.1:2");
    t.flush();
    assert.deepEqual(ended.records.map((r) => r.src).sort(), [
      "10.0.0.1:1",
      "10.0.0.1:2",
      "10.0.0.1:3",
      "10.0.0.1:4",
    ]);
  });

  test("the hash index grows past its first size and every flow is still found", () => {
    const ended = new Ended();
    const t = table(ended, 100_000);
    for (let i = 0; i < 20_000; i++)
      up(t, key(17, A + (i >> 8), 1000 + (i & 255), B, 53), 0, 80, 0, 1);
    assert.equal(t.count, 20_000);
    for (let i = 0; i < 20_000; i++) {
      up(t, key(17, B, 53, A + (i >> 8), 1000 + (i & 255)), 0, 120, 0, 2);
      assert.equal(t.lastNew, 0);
      assert.equal(t.lastSide, 1);
    }
    assert.equal(t.created, 20_000);
    t.flush();
    assert.equal(ended.records.length, 20_000);
    assert.ok(ended.records.every((r) => r.packets === 2 && r.bytes === 200));
  });

  test("IPv6 flows compare all four address words", () => {
    const t = table();
    const k = new FlowKey();
    k.proto = 17;
    k.family = 6;
    k.a0 = 0x20010db8;
    k.a3 = 1;
    k.b0 = 0x20010db8;
    k.b3 = 2;
    k.aPort = 1;
    k.bPort = 2;
    up(t, k, 0, 100, 0, 1);
    k.a1 = 7; // a different source network, same low word
    up(t, k, 0, 100, 0, 1);
    assert.equal(t.count, 2);
    const r = flowRecord(t, t.lastIdx, END_FLUSH);
    assert.equal(r.src_ip, "2001:db8:0:7::1");
    assert.equal(r.dst_ip, "2001:db8::2");
  });

  test("each timeout class ends after its own idle timeout", () => {
    const ended = new Ended();
    const t = new FlowTable(
      {
        capacity: 100,
        idleTimeout: 300,
        cleanupInterval: 1,
        tcpTimeout: 200,
        tcpClosingTimeout: 5,
        udpTimeout: 60,
        icmpTimeout: 30,
      },
      ended,
    );
    at(t, 999);
    up(t, key(17, A, 1, B, 53), 0, 80, 10, 1000); // UDP
    up(t, key(1, A, 7, B, 7), 0, 80, 10, 1000); // ICMP
    up(t, key(47, A, 0, B, 0), 0, 80, 10, 1000); // GRE: other
    tcp(t, cases[0][1].slice(0, 4), 1000); // established
    up(t, key(6, A, 40001, B, 80), TCP_SYN, 60, 0, 1000);
    up(t, key(6, B, 80, A, 40001), TCP_RST | TCP_ACK, 60, 0, 1000); // closing
    const alive = (ts: number) => {
      at(t, ts);
      return t.count;
    };
    assert.equal(alive(1004), 5);
    assert.equal(alive(1006), 4); // the reset connection after 5 s
    assert.equal(alive(1031), 3); // ICMP after 30 s
    assert.equal(alive(1061), 2); // UDP after 60 s
    assert.equal(alive(1201), 1); // established TCP after 200 s
    assert.equal(alive(1301), 0); // GRE (other) after the idle timeout
    assert.deepEqual(
      ended.records.map((r) => r.state),
      ["REJ", "OTH", "S0", "S1", "OTH"],
    );
  });

  test("a connection moves to the closing timeout at its first FIN or RST", () => {
    const t = new FlowTable({
      capacity: 10,
      idleTimeout: 300,
      cleanupInterval: 1,
      tcpClosingTimeout: 10,
    });
    at(t, 999);
    tcp(t, cases[0][1].slice(0, 4), 1000);
    at(t, 1050);
    assert.equal(t.count, 1, "established: the idle timeout applies");
    tcp(t, [[true, TCP_FIN | TCP_ACK, 0]], 1050);
    at(t, 1061);
    assert.equal(t.count, 0, "after a FIN: the closing timeout applies");
  });

  test("a full table evicts the flow seen least recently, whatever its class", () => {
    const ended = new Ended();
    const t = new FlowTable({ capacity: 3, idleTimeout: 300, cleanupInterval: 60 }, ended);
    up(t, key(1, A, 7, B, 7), 0, 60, 0, 1); // ICMP, oldest
    up(t, key(17, A, 1, B, 2), 0, 60, 0, 2);
    up(t, key(6, A, 3, B, 4), TCP_SYN, 60, 0, 3);
    up(t, key(17, A, 1, B, 2), 0, 60, 0, 4); // the UDP flow is seen again
    up(t, key(47, A, 0, B, 0), 0, 60, 0, 5); // a fourth flow: the ICMP one goes
    up(t, key(6, A, 9, B, 9), TCP_SYN, 60, 0, 6); // a fifth: then the first TCP one
    assert.deepEqual(
      ended.records.map((r) => [r.reason, r.src]),
      [
        [END_EVICTED, "10.0.0.1:7"],
        [END_EVICTED, "10.0.0.1:3"],
      ],
    );
  });

  test("with vlanInKey false, the two directions of a connection on two VLANs are one flow", () => {
    const split = table();
    up(split, key(6, A, 40000, B, 80, 81 << 12), TCP_SYN, 60, 0, 1);
    up(split, key(6, B, 80, A, 40000, 80 << 12), TCP_SYN | TCP_ACK, 60, 0, 2);
    assert.equal(split.count, 2);
    const t = new FlowTable({
      capacity: 10,
      idleTimeout: 60,
      cleanupInterval: 10,
      vlanInKey: false,
    });
    up(t, key(6, A, 40000, B, 80, 81 << 12), TCP_SYN, 60, 0, 1);
    up(t, key(6, B, 80, A, 40000, 80 << 12), TCP_SYN | TCP_ACK, 60, 0, 2);
    up(t, key(6, A, 40000, B, 80, 81 << 12), TCP_ACK, 60, 0, 3);
    assert.equal(t.count, 1);
    const r = flowRecord(t, t.lastIdx, END_FLUSH);
    assert.deepEqual(
      [r.vlan, r.packets, r.packets_rev, connStateOf(t, t.lastIdx)],
      [81, 2, 1, "S1"],
    );
  });

  test("a tunneled flow keeps its tunnel, oriented from the flow's originator", () => {
    const t = table();
    up(t, key(6, A, 40000, B, 80), TCP_SYN, 100, 0, 1);
    const idx = t.lastIdx;
    assert.equal(flowRecord(t, idx, END_FLUSH).tunnel, null);
    // The responder's packet came from 192.0.2.2 to 192.0.2.1 (side 1).
    t.setTunnel(idx, 1, 3, 4, 0, 0, 0, 0xc0000202 | 0, 0, 0, 0, 0xc0000201 | 0);
    assert.deepEqual(flowRecord(t, idx, END_FLUSH).tunnel, {
      type: "vxlan",
      src_ip: "192.0.2.1",
      dst_ip: "192.0.2.2",
    });
    // A slot reused by a new flow starts without a tunnel.
    t.flush();
    up(t, key(17, A, 1, B, 2), 0, 60, 0, 2);
    assert.equal(flowRecord(t, t.lastIdx, END_FLUSH).tunnel, null);
  });

  test("eviction, expiry and slot reuse keep every flow findable (model check)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.integer({ min: 0, max: 3 })),
          {
            maxLength: 400,
          },
        ),
        fc.integer({ min: 1, max: 50 }),
        (ops, capacity) => {
          // The flows the table evicts, by id (the port 100 + id, on either side).
          const evicted: number[] = [];
          const t = new FlowTable(
            { capacity, idleTimeout: 5, cleanupInterval: 1 },
            {
              flowEnded: (tab, idx, reason) => {
                const p = idx * 2;
                const port = Math.max(tab.port[p] ?? 0, tab.port[p + 1] ?? 0);
                if (reason === END_EVICTED) evicted.push(port - 100);
              },
            },
          );
          // The model: flow id -> last seen.
          const model = new Map<number, number>();
          let ts = 0;
          for (const [id, reverse, step] of ops) {
            ts += step;
            at(t, ts);
            for (const [m, last] of model) if (last < ts - 5 && ts >= 1) model.delete(m);
            // Flows of three timeout classes (UDP, ICMP, other) share one timeout here, so
            // eviction and expiry must behave as one least-recently-seen order across them.
            const proto = PROTOS[id % 3];
            const k = reverse ? key(proto, B, 100 + id, A, 7) : key(proto, A, 7, B, 100 + id);
            evicted.length = 0;
            up(t, k, 0, 60, 0, ts);
            if (!model.has(id) && model.size >= capacity) {
              // One flow seen least recently is evicted (among flows last seen at the same
              // instant, any one of them).
              const oldest = Math.min(...model.values());
              assert.equal(evicted.length, 1);
              const gone = evicted[0] ?? -1;
              assert.equal(model.get(gone), oldest, `evicted ${gone}, seen at the oldest time`);
              model.delete(gone);
            } else {
              assert.equal(evicted.length, 0);
            }
            model.set(id, ts);
            assert.ok(t.count <= capacity);
          }
          // Sweeps run at most once per cleanupInterval, so the table may still hold flows the
          // model already dropped as idle; every flow the model holds must be in the table.
          assert.ok(t.count >= model.size);
          for (const id of model.keys()) {
            const before = t.created;
            up(t, key(PROTOS[id % 3], A, 7, B, 100 + id), 0, 60, 0, ts);
            assert.equal(t.created, before, `flow ${id} must still be found`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
