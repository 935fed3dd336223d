import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { before, describe, test } from "node:test";
import fc from "fast-check";
import * as F from "../../test/support/frames.js";
import { fixturePath, REPO_ROOT } from "../../test/support/paths.js";
import { readCaptureFile } from "../capture/file/capture-file-reader.js";
import { type FlowRecord, flowRecord } from "../flows/flow-record.js";
import type { FlowEndListener, FlowTable } from "../flows/flow-table.js";
import { SUPPORTED_LINK_TYPES } from "../packet/link-types.js";
import type { PacketSink } from "../packet/packet-sink.js";
import { PacketEngine } from "./packet-engine.js";

interface Frame {
  bytes: Uint8Array;
  linktype: number;
}

class Collect implements PacketSink {
  readonly frames: Frame[] = [];
  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    _o: number,
    _s: number,
    _n: number,
    linktype: number,
  ) {
    this.frames.push({ bytes: buf.slice(off, off + caplen), linktype });
  }
}

/** Sums every flow as it ends, to compare with what the engine says went into flows. */
class FlowSums implements FlowEndListener {
  packets = 0;
  bytes = 0;
  flows = 0;
  flowEnded(t: FlowTable, idx: number): void {
    this.flows++;
    this.packets += t.packets[idx * 2] + t.packets[idx * 2 + 1];
    this.bytes += t.bytes[idx * 2] + t.bytes[idx * 2 + 1];
  }
}

function small(listener: FlowEndListener) {
  return new PacketEngine(
    {
      flows: { capacity: 64, idleTimeout: 5, cleanupInterval: 1 },
      stats: { windowSize: 10, historyDepth: 4, secondsKept: 30, hostCapacity: 128, windowTopN: 5 },
    },
    listener,
  );
}

/** The invariants every run must keep, whatever the input. */
function assertConsistent(e: PacketEngine, sums: FlowSums, sent: number, sentBytes: number) {
  const t = e.stats.total;
  assert.equal(t.packets, sent, "every frame counts once");
  assert.equal(e.packets, sent, "the engine's own count agrees");
  assert.equal(t.bytes, sentBytes, "every byte on the wire counts once");
  assert.equal(
    t.protoPackets.reduce((a, b) => a + b, 0),
    sent,
    "protocol classes sum to the total",
  );
  assert.equal(
    t.protoBytes.reduce((a, b) => a + b, 0),
    sentBytes,
  );
  assert.equal(
    t.sizes.reduce((a, b) => a + b, 0),
    sent,
    "size classes sum to the total",
  );
  assert.equal(
    e.statusCounts.reduce((a, b) => a + b, 0),
    sent,
    "one decode status per frame",
  );
  assert.equal(sums.packets, e.flowPackets, "flows hold exactly the packets that joined one");
  assert.equal(sums.flows, e.flows.created, "every created flow ended exactly once");
  assert.equal(e.flows.count, 0);
  assert.ok(e.flowPackets <= sent);
}

describe("packet engine", () => {
  const frames: Frame[] = [];
  before(async () => {
    const names = readdirSync(`${REPO_ROOT}test/fixtures`).filter((n) => /\.pcap(ng)?$/.test(n));
    for (const name of names) {
      const c = new Collect();
      await readCaptureFile(fixturePath(name), c);
      frames.push(...c.frames);
    }
    assert.ok(frames.length > 500, "the fixtures give a few hundred frames to mutate");
  });

  test("every fixture frame cut at every length keeps the totals consistent", () => {
    const sums = new FlowSums();
    const e = small(sums);
    let sent = 0;
    let bytes = 0;
    let ts = 1_700_000_000;
    for (const f of frames) {
      for (let len = 0; len <= f.bytes.length; len++) {
        e.packet(f.bytes, 0, len, f.bytes.length, ts, 0, f.linktype);
        sent++;
        bytes += f.bytes.length;
        ts += 0.01;
      }
    }
    e.finish();
    assertConsistent(e, sums, sent, bytes);
  });

  test("at the end of the input every flow is reported once and stays in view; a new run and the shutdown report none again", () => {
    const sums = new FlowSums();
    const e = small(sums);
    let ts = 1_700_000_000;
    const run = () => {
      for (const f of frames.slice(0, 200)) {
        e.packet(f.bytes, 0, f.bytes.length, f.bytes.length, ts, 0, f.linktype);
        ts += 0.001;
      }
    };
    run();
    const active = e.flows.count;
    assert.ok(active > 10);
    const windows: number[] = [];
    e.stats.onWindow = (w) => windows.push(w.packets);
    e.endInput();
    assert.equal(sums.flows, e.flows.created, "every flow reported, the active ones included");
    assert.equal(sums.packets, e.flowPackets);
    assert.equal(e.flows.count, active, "the active flows are still in view");
    assert.equal(windows.length, 1, "the open window closed");
    e.endInput();
    assert.equal(sums.flows, e.flows.created, "a second end reports nothing");
    // Capture starts again: the reported flows leave without being reported twice.
    e.resume();
    assert.equal(e.flows.count, 0);
    assert.equal(sums.flows, e.flows.created);
    run();
    e.endInput();
    e.finish();
    assert.equal(sums.flows, e.flows.created, "the shutdown reports nothing a second time");
    assert.equal(sums.packets, e.flowPackets);
    assert.equal(e.flows.count, 0);
    assert.equal(e.stats.total.packets, 400);
  });

  test("random and mutated frames with any link type never throw and keep totals (fuzz)", () => {
    const linktypes = [...SUPPORTED_LINK_TYPES, 147, 65535];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant("random" as const),
              bytes: fc.uint8Array({ maxLength: 200 }),
              linktype: fc.constantFrom(...linktypes),
            }),
            fc.record({
              kind: fc.constant("mutated" as const),
              pick: fc.nat(),
              flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
                maxLength: 6,
              }),
              cut: fc.nat(),
            }),
          ),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 3 }),
        (inputs, step) => {
          const sums = new FlowSums();
          const e = small(sums);
          let sent = 0;
          let bytes = 0;
          let ts = 1_700_000_000;
          for (const input of inputs) {
            let data: Uint8Array;
            let linktype: number;
            if (input.kind === "random") {
              data = input.bytes;
              linktype = input.linktype;
            } else {
              const f = frames[input.pick % frames.length];
              data = f.bytes.slice();
              for (const [at, v] of input.flips) if (data.length > 0) data[at % data.length] = v;
              data = data.subarray(0, data.length === 0 ? 0 : input.cut % (data.length + 1));
              linktype = f.linktype;
            }
            // A buffer longer than the frame: bytes past caplen must never be read as the frame.
            const buf = new Uint8Array(data.length + 16).fill(0xee);
            buf.set(data, 8);
            const wire = data.length + 4;
            e.packet(buf, 8, data.length, wire, ts, 123, linktype);
            sent++;
            bytes += wire;
            ts += step;
          }
          e.finish();
          assertConsistent(e, sums, sent, bytes);
        },
      ),
      { numRuns: 400, interruptAfterTimeLimit: 8000 },
    );
  });
});

describe("tunneled packets", () => {
  test("a VXLAN-carried connection is its own flow, with its tunnel; the tunnel is a UDP flow too", () => {
    const records: FlowRecord[] = [];
    const e = new PacketEngine(
      {
        flows: { capacity: 64, idleTimeout: 300, cleanupInterval: 60 },
        stats: {
          windowSize: 10,
          historyDepth: 4,
          secondsKept: 30,
          hostCapacity: 128,
          windowTopN: 5,
        },
      },
      { flowEnded: (t, idx, reason) => records.push(flowRecord(t, idx, reason)) },
    );
    const mac = ["02:00:00:00:00:01", "02:00:00:00:00:02"] as const;
    /** A TCP segment between 10.9.0.1:40000 and 10.9.0.2:443 inside VXLAN between two VTEPs. */
    const frame = (toServer: boolean, flags: string, data: number): Uint8Array => {
      const [a, b] = toServer ? ["10.9.0.1", "10.9.0.2"] : ["10.9.0.2", "10.9.0.1"];
      const [pa, pb] = toServer ? [40000, 443] : [443, 40000];
      const inner = F.ethernet(
        mac[0],
        mac[1],
        0x0800,
        F.ipv4(
          { src: a, dst: b, proto: 6 },
          F.tcp({ sport: pa, dport: pb, flags }, new Uint8Array(data)),
        ),
      );
      const [va, vb] = toServer ? ["192.0.2.1", "192.0.2.2"] : ["192.0.2.2", "192.0.2.1"];
      const outer = F.ipv4(
        { src: va, dst: vb, proto: 17 },
        F.udp({ sport: toServer ? 51000 : 52000, dport: 4789 }, F.vxlan(42, inner)),
      );
      return F.ethernet(mac[1], mac[0], 0x0800, outer);
    };
    const frames = [
      frame(true, "S", 0),
      frame(false, "SA", 0),
      frame(true, "A", 0),
      frame(true, "PA", 100),
      frame(false, "FA", 0),
      frame(true, "FA", 0),
    ];
    let t = 1_700_000_000;
    let bytes = 0;
    for (const f of frames) {
      e.packet(f, 0, f.length, f.length, t++, 0, 1);
      bytes += f.length;
    }
    e.finish();
    const inner = records.find((r) => r.proto === 6);
    assert.ok(inner);
    assert.deepEqual(
      [
        inner.src_ip,
        inner.src_port,
        inner.dst_ip,
        inner.dst_port,
        inner.packets,
        inner.packets_rev,
        inner.conn_state,
      ],
      ["10.9.0.1", 40000, "10.9.0.2", 443, 4, 2, "SF"],
    );
    assert.deepEqual(inner.tunnel, { type: "vxlan", src_ip: "192.0.2.1", dst_ip: "192.0.2.2" });
    assert.equal(
      inner.bytes + inner.bytes_rev,
      bytes,
      "frame lengths on the wire, as tshark counts",
    );
    // The tunnel's own flows: one UDP flow per VTEP source port (each direction its own).
    const outer = records
      .filter((r) => r.proto === 17)
      .map((r) => [r.src_ip, r.src_port, r.dst_port, r.packets, r.tunnel]);
    assert.deepEqual(outer.sort(), [
      ["192.0.2.1", 51000, 4789, 4, null],
      ["192.0.2.2", 52000, 4789, 2, null],
    ]);
    // The packet counts once in the totals, under its inner protocol.
    assert.deepEqual([e.stats.total.packets, e.stats.total.bytes], [6, bytes]);
    assert.equal(e.stats.liveTotals().protocols.TCP?.packets, 6);
    assert.equal(e.flowPackets, 12, "each packet added to its flow and to its tunnel's");
  });
});
