import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mixFrames, mixProtocols, type TrafficMix } from "../../../test/support/live-traffic.js";
import { PacketEngine } from "../../engine/packet-engine.js";
import { LINKTYPE_ETHERNET } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import { BATCH_RECORD_HEADER, BatchBuilder, BatchWalker, batchRecordSize } from "./batch.js";

interface Seen {
  bytes: number[];
  off: number;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
  linktype: number;
}

/** Records every call, copying the bytes (a real sink must not keep the view). */
class RecordingSink implements PacketSink {
  readonly seen: Seen[] = [];
  buffers = new Set<ArrayBufferLike>();
  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    this.buffers.add(buf.buffer);
    this.seen.push({
      bytes: [...buf.subarray(off, off + caplen)],
      off,
      caplen,
      origlen,
      tsSec,
      tsNsec,
      linktype,
    });
  }
}

describe("batch format", () => {
  test("a record is a 16-byte header and the bytes padded to 4", () => {
    assert.equal(BATCH_RECORD_HEADER, 16);
    assert.equal(batchRecordSize(0), 16);
    assert.equal(batchRecordSize(1), 20);
    assert.equal(batchRecordSize(4), 20);
    assert.equal(batchRecordSize(5), 24);
    assert.equal(batchRecordSize(60), 76);
  });

  test("the builder writes little-endian headers and zero padding", () => {
    const b = new BatchBuilder(64);
    assert.equal(b.add(new Uint8Array([1, 2, 3, 4, 5]), 0x01020304, 999_999_999, 1514), true);
    assert.equal(b.byteLength, 24);
    assert.deepEqual(
      [...new Uint8Array(b.buffer, 0, 24)],
      [4, 3, 2, 1, 0xff, 0xc9, 0x9a, 0x3b, 5, 0, 0, 0, 0xea, 5, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0],
    );
    assert.equal(b.add(new Uint8Array(40), 1, 2), false, "a record that does not fit is refused");
    assert.equal(b.count, 1);
  });
});

describe("BatchWalker", () => {
  test("hands each record to the sink with a view into the batch buffer", () => {
    const b = new BatchBuilder(256);
    b.add(new Uint8Array([0xaa, 0xbb, 0xcc]), 1700000000, 5, 60);
    b.add(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 1700000001, 999_999_999);
    b.add(new Uint8Array(0), 1700000002, 0, 64);
    const sink = new RecordingSink();
    const walker = new BatchWalker(sink, 276);
    assert.equal(walker.walk(b.buffer, b.byteLength, b.count), 3);
    assert.deepEqual(sink.seen, [
      {
        bytes: [0xaa, 0xbb, 0xcc],
        off: 16,
        caplen: 3,
        origlen: 60,
        tsSec: 1700000000,
        tsNsec: 5,
        linktype: 276,
      },
      {
        bytes: [1, 2, 3, 4, 5, 6, 7, 8],
        off: 36,
        caplen: 8,
        origlen: 8,
        tsSec: 1700000001,
        tsNsec: 999_999_999,
        linktype: 276,
      },
      { bytes: [], off: 60, caplen: 0, origlen: 64, tsSec: 1700000002, tsNsec: 0, linktype: 276 },
    ]);
    assert.deepEqual([...sink.buffers], [b.buffer], "no copy: every view is of the batch buffer");
    assert.equal(walker.packets, 3);
    assert.equal(walker.batches, 1);
    assert.equal(walker.malformed, 0);
  });

  test("reuses the same buffer for the next batch and reads only its byteLength", () => {
    const b = new BatchBuilder(128);
    const sink = new RecordingSink();
    const walker = new BatchWalker(sink, 1);
    b.add(new Uint8Array([1]), 10, 0);
    b.add(new Uint8Array([2]), 11, 0);
    walker.walk(b.buffer, b.byteLength, b.count);
    b.clear();
    b.add(new Uint8Array([3, 3]), 12, 0);
    walker.walk(b.buffer, b.byteLength, b.count);
    assert.deepEqual(
      sink.seen.map((s) => [s.tsSec, ...s.bytes]),
      [
        [10, 1],
        [11, 2],
        [12, 3, 3],
      ],
    );
    assert.equal(walker.batches, 2);
  });

  test("stops at a record that runs past the batch and counts the rest as malformed", () => {
    const b = new BatchBuilder(128);
    b.add(new Uint8Array(10), 1, 0);
    b.add(new Uint8Array(10), 2, 0);
    const sink = new RecordingSink();
    const walker = new BatchWalker(sink, 1);
    // Claim three records in fewer bytes than two: the second is cut, the third absent.
    assert.equal(walker.walk(b.buffer, b.byteLength - 4, 3), 1);
    assert.equal(walker.malformed, 2);
    assert.equal(sink.seen.length, 1);
  });

  test("feeds the packet engine: every frame of a known mix counted by protocol", () => {
    const mix: TrafficMix = {
      udp4: 7,
      tcp4: 5,
      icmp4: 3,
      udp6: 4,
      icmp6: 2,
      arp: 1,
      vlanUdp4: 2,
    };
    const frames = mixFrames(mix);
    const b = new BatchBuilder(1 << 16);
    for (const [i, f] of frames.entries()) {
      assert.ok(b.add(f, 1700000000 + Math.floor(i / 10), i * 1000));
    }
    const engine = new PacketEngine();
    new BatchWalker(engine, LINKTYPE_ETHERNET).walk(b.buffer, b.byteLength, b.count);
    engine.finish();
    assert.equal(engine.stats.total.packets, 24);
    assert.deepEqual(engine.stats.total.protocols(), mixProtocols(mix));
  });
});
