import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  frame,
  pcapRecordEnds,
  readBytes,
  readPath,
  type SeenPacket,
  TempDir,
} from "../../../test/support/capture-testkit.js";
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from "../../packet/link-types.js";
import { CaptureFileError } from "./capture-file-errors.js";
import { MemorySink, PcapWriter, type PcapWriterOptions } from "./capture-writer.js";

const tmp = new TempDir();
after(() => tmp.remove());

interface Written {
  frame: Buffer;
  tsSec: number;
  tsNsec: number;
  origlen?: number;
}

function pcap(opts: PcapWriterOptions, packets: Written[], tail?: Uint8Array): Buffer {
  const mem = new MemorySink();
  const w = new PcapWriter(mem, opts);
  for (const p of packets) w.write(p.frame, p.tsSec, p.tsNsec, p.origlen ?? p.frame.length);
  if (tail !== undefined) w.raw(tail);
  w.close();
  return mem.bytes();
}

/** A 16-byte record header, little-endian. */
function recordHeader(sec: number, frac: number, caplen: number, origlen: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(sec, 0);
  b.writeUInt32LE(frac, 4);
  b.writeUInt32LE(caplen, 8);
  b.writeUInt32LE(origlen, 12);
  return b;
}

const SAMPLE: Written[] = [
  { frame: frame(60, 1), tsSec: 0, tsNsec: 0 },
  { frame: frame(0, 2), tsSec: 1, tsNsec: 999_999_999 },
  { frame: frame(1, 3), tsSec: 1_700_000_000, tsNsec: 123_456_789 },
  { frame: frame(1514, 4), tsSec: 1_700_000_001, tsNsec: 1_000 },
  { frame: frame(77, 5), tsSec: 4_294_967_295, tsNsec: 500_000_000, origlen: 9000 },
];

function expected(packets: Written[], nanosecond: boolean, linktype: number): SeenPacket[] {
  return packets.map((p) => ({
    data: p.frame,
    origlen: p.origlen ?? p.frame.length,
    tsSec: p.tsSec,
    tsNsec: nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000) * 1000,
    linktype,
  }));
}

const VARIANTS = [
  { name: "little-endian microsecond", bigEndian: false, nanosecond: false },
  { name: "little-endian nanosecond", bigEndian: false, nanosecond: true },
  { name: "big-endian microsecond", bigEndian: true, nanosecond: false },
  { name: "big-endian nanosecond", bigEndian: true, nanosecond: true },
];

describe("pcap files", () => {
  for (const v of VARIANTS) {
    test(`a ${v.name} file gives every record with its exact time, lengths and bytes`, async () => {
      const bytes = pcap({ linktype: LINKTYPE_ETHERNET, ...v }, SAMPLE);
      const { result, packets } = await readPath(tmp.file(bytes));
      assert.deepEqual(result, {
        format: "pcap",
        compressed: false,
        packets: 5,
        bytesRead: bytes.length,
        interfaces: [
          {
            linktype: LINKTYPE_ETHERNET,
            snaplen: 262144,
            tsresol: v.nanosecond ? 9 : 6,
            name: null,
          },
        ],
        damage: null,
        aborted: false,
      });
      assert.deepEqual(packets, expected(SAMPLE, v.nanosecond, LINKTYPE_ETHERNET));
    });

    test(`a ${v.name} file reads the same with chunks of 1, 2, 3, 7 and 64 bytes`, async () => {
      const bytes = pcap({ linktype: LINKTYPE_RAW, ...v }, SAMPLE);
      const path = tmp.file(bytes);
      for (const chunkSize of [1, 2, 3, 7, 64]) {
        const { result, packets } = await readPath(path, { chunkSize });
        assert.equal(result.packets, 5, `chunkSize ${chunkSize}`);
        assert.equal(result.damage, null, `chunkSize ${chunkSize}`);
        assert.equal(result.bytesRead, bytes.length, `chunkSize ${chunkSize}`);
        assert.deepEqual(packets, expected(SAMPLE, v.nanosecond, LINKTYPE_RAW));
      }
    });
  }

  test("frames cut by the snaplen keep their original length", async () => {
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET, snaplen: 100 }, [
      { frame: frame(250, 9), tsSec: 5, tsNsec: 7000 },
    ]);
    const { result, packets } = await readPath(tmp.file(bytes));
    assert.equal(result.interfaces[0]?.snaplen, 100);
    assert.equal(packets.length, 1);
    assert.deepEqual(packets[0]?.data, frame(250, 9).subarray(0, 100));
    assert.equal(packets[0]?.origlen, 250);
  });

  test("the link type is the low 16 bits of its field; FCS bits above are ignored", async () => {
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET }, [
      { frame: frame(20, 1), tsSec: 1, tsNsec: 0 },
    ]);
    bytes.writeUInt32LE(0x1c000000 | LINKTYPE_ETHERNET, 20); // FCS length 1 word, F bit set
    const { result, packets } = await readBytes(bytes);
    assert.equal(result.interfaces[0]?.linktype, LINKTYPE_ETHERNET);
    assert.equal(packets[0]?.linktype, LINKTYPE_ETHERNET);
  });

  test("link types the decoder does not know are passed through unchanged", async () => {
    const bytes = pcap({ linktype: 147 }, [{ frame: frame(20, 1), tsSec: 1, tsNsec: 0 }]);
    const { packets } = await readBytes(bytes);
    assert.equal(packets[0]?.linktype, 147);
  });

  test("a record longer than the snaplen is delivered whole", async () => {
    const data = frame(100, 3);
    const bytes = pcap(
      { linktype: LINKTYPE_ETHERNET, snaplen: 64 },
      [],
      Buffer.concat([recordHeader(9, 10, 100, 120), data]),
    );
    const { result, packets } = await readBytes(bytes);
    assert.equal(result.damage, null);
    assert.deepEqual(packets, [{ data, origlen: 120, tsSec: 9, tsNsec: 10_000, linktype: 1 }]);
  });

  test("a microsecond fraction of a million or more is carried into the seconds", async () => {
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET }, [], recordHeader(10, 2_500_001, 0, 0));
    const { packets } = await readBytes(bytes);
    assert.equal(packets[0]?.tsSec, 12);
    assert.equal(packets[0]?.tsNsec, 500_001_000);
  });

  test("a record claiming more than 262144 bytes is damage, after the records before it", async () => {
    const good = [{ frame: frame(40, 1), tsSec: 1, tsNsec: 0 }];
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET }, good, recordHeader(2, 0, 0xffffffff, 60));
    const { result, packets } = await readBytes(bytes, { chunkSize: 32 });
    assert.equal(packets.length, 1);
    assert.equal(result.bytesRead, 80);
    assert.deepEqual(result.damage, {
      code: "bad_record_length",
      message:
        "pcap record at byte 80 claims 4294967295 captured bytes (more than 262144, the largest snapshot length of libpcap): the file is corrupt from here",
      offset: 80,
    });
  });

  test("H19: a record of 262144 captured bytes (libpcap's largest snapshot length) is read; one byte more is damage", async () => {
    const largest = frame(262144, 7);
    const ok = pcap({ linktype: LINKTYPE_ETHERNET }, [{ frame: largest, tsSec: 5, tsNsec: 0 }]);
    const read = await readBytes(ok, { chunkSize: 4096 });
    assert.equal(read.result.damage, null);
    assert.equal(read.packets[0]?.data.length, 262144);
    // The bytes are there, but libpcap refuses such a record too: a length field this large
    // is damage, so the reader never buffers more than one real record for it.
    const over = pcap(
      { linktype: LINKTYPE_ETHERNET },
      [{ frame: frame(40, 1), tsSec: 1, tsNsec: 0 }],
      Buffer.concat([recordHeader(2, 0, 262145, 262145), frame(262145, 8)]),
    );
    const { result, packets } = await readBytes(over, { chunkSize: 4096 });
    assert.equal(packets.length, 1);
    assert.deepEqual(result.damage, {
      code: "bad_record_length",
      message:
        "pcap record at byte 80 claims 262145 captured bytes (more than 262144, the largest snapshot length of libpcap): the file is corrupt from here",
      offset: 80,
    });
  });

  test("a file ending inside a record reports truncated_record at the record's header", async () => {
    const at = pcap({ linktype: LINKTYPE_ETHERNET }, SAMPLE.slice(0, 2)).length;
    const whole = pcap({ linktype: LINKTYPE_ETHERNET }, SAMPLE.slice(0, 3)); // third frame: 1 byte
    const { result, packets } = await readBytes(whole.subarray(0, at + 15));
    assert.equal(packets.length, 2);
    assert.equal(result.bytesRead, at);
    assert.deepEqual(result.damage, {
      code: "truncated_record",
      message: `the pcap file ends inside the record at byte ${at} (15 of its 16 header bytes are present)`,
      offset: at,
    });
    const longer = await readBytes(whole.subarray(0, at + 16));
    assert.equal(
      longer.result.damage?.message,
      `the pcap file ends inside the record at byte ${at} (16 of its 17 bytes are present)`,
    );
  });

  test("a file ending inside the file header is truncated_header with no packets", async () => {
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET }, []);
    const { result, packets } = await readBytes(bytes.subarray(0, 10));
    assert.equal(packets.length, 0);
    assert.equal(result.format, "pcap");
    assert.deepEqual(result.interfaces, []);
    assert.deepEqual(result.damage, {
      code: "truncated_header",
      message: "the pcap file ends after 10 bytes, inside its 24-byte file header",
      offset: 0,
    });
  });

  for (const v of [VARIANTS[0], VARIANTS[3]]) {
    test(`a ${v?.name} file cut at every length delivers exactly the records before the cut`, async () => {
      const bytes = pcap({ linktype: LINKTYPE_ETHERNET, ...v }, SAMPLE.slice(0, 4));
      const ends = pcapRecordEnds(bytes);
      const all = expected(SAMPLE.slice(0, 4), v?.nanosecond ?? false, LINKTYPE_ETHERNET);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const piece = bytes.subarray(0, cut);
        if (cut < 4) {
          await assert.rejects(readBytes(piece, { chunkSize: 7 }), (err: unknown) => {
            assert.ok(err instanceof CaptureFileError);
            assert.equal(
              err.code,
              cut === 0 ? "ERR_CAPTURE_EMPTY_FILE" : "ERR_CAPTURE_NOT_A_CAPTURE",
            );
            return true;
          });
          continue;
        }
        const { result, packets } = await readBytes(piece, { chunkSize: 7 });
        const whole = ends.filter((e) => e <= cut);
        assert.deepEqual(packets, all.slice(0, whole.length), `cut at ${cut}`);
        const boundary = cut === 24 || ends.includes(cut);
        if (boundary) assert.equal(result.damage, null, `cut at ${cut}`);
        else {
          const code = cut < 24 ? "truncated_header" : "truncated_record";
          const offset = cut < 24 ? 0 : (whole.at(-1) ?? 24);
          assert.equal(result.damage?.code, code, `cut at ${cut}`);
          assert.equal(result.damage?.offset, offset, `cut at ${cut}`);
          assert.equal(result.bytesRead, offset, `cut at ${cut}`);
        }
      }
    });
  }

  test("a record bigger than the working buffer grows it", async () => {
    const packets: Written[] = [
      { frame: frame(10, 1), tsSec: 1, tsNsec: 0 },
      { frame: frame(5000, 2), tsSec: 2, tsNsec: 0 },
      { frame: frame(10, 3), tsSec: 3, tsNsec: 0 },
    ];
    const bytes = pcap({ linktype: LINKTYPE_ETHERNET }, packets);
    const read = await readBytes(bytes, { chunkSize: 64 });
    assert.deepEqual(read.packets, expected(packets, false, LINKTYPE_ETHERNET));

    // The largest record a pcap may hold (a bigger one is damage, below), in chunks far
    // smaller than it: from a stream (one buffer, grown) and from a file (double-buffered).
    const big: Written[] = [
      { frame: frame(262144, 7), tsSec: 4, tsNsec: 0 },
      { frame: frame(10, 8), tsSec: 5, tsNsec: 0 },
    ];
    const bigBytes = pcap({ linktype: LINKTYPE_ETHERNET, snaplen: 262144 }, big);
    for (const bigRead of [
      await readBytes(bigBytes, { chunkSize: 1000 }),
      await readPath(tmp.file(bigBytes), { chunkSize: 1000 }),
    ]) {
      assert.equal(bigRead.result.damage, null);
      assert.deepEqual(bigRead.packets, expected(big, false, LINKTYPE_ETHERNET));
    }
  });
});
