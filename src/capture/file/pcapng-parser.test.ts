import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import {
  frame,
  pcapngBlocks,
  readBytes,
  readPath,
  type SeenPacket,
  TempDir,
} from "../../../test/support/capture-testkit.js";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from "../../packet/link-types.js";
import { MemorySink, PcapngWriter } from "./capture-writer.js";
import { PCAPNG_EPB, PCAPNG_ISB, PCAPNG_NRB, tsresolUnits } from "./formats.js";

const tmp = new TempDir();
after(() => tmp.remove());

/** Writes one pcapng stream; `build` adds sections, interfaces and blocks. */
function pcapng(build: (w: PcapngWriter) => void, bigEndian = false): Buffer {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem, { bigEndian });
  build(w);
  w.close();
  return mem.bytes();
}

function seen(
  data: Buffer,
  tsSec: number,
  tsNsec: number,
  linktype: number,
  origlen = data.length,
): SeenPacket {
  return { data, origlen, tsSec, tsNsec, linktype };
}

/** The body of an Enhanced Packet Block with a raw 64-bit tick count and optional options. */
function epbBody(
  ifId: number,
  ticks: bigint,
  data: Buffer,
  origlen: number,
  options?: Buffer,
): Buffer {
  const pad = (4 - (data.length % 4)) % 4;
  const b = Buffer.alloc(20 + data.length + pad + (options?.length ?? 0));
  b.writeUInt32LE(ifId, 0);
  b.writeUInt32LE(Number(ticks >> 32n), 4);
  b.writeUInt32LE(Number(ticks & 0xffffffffn), 8);
  b.writeUInt32LE(data.length, 12);
  b.writeUInt32LE(origlen, 16);
  data.copy(b, 20);
  options?.copy(b, 20 + data.length + pad);
  return b;
}

/** What the reader must produce for `ticks` at `tsresol`, computed with BigInt. */
function expectedTime(
  ticks: bigint,
  tsresol: number,
  offset = 0,
): { tsSec: number; tsNsec: number } {
  const units = tsresolUnits(tsresol);
  return {
    tsSec: Number(ticks / units) + offset,
    tsNsec: Number(((ticks % units) * 1_000_000_000n) / units),
  };
}

/** Walks blocks independently and lists where every block ends. */
function blockEnds(bytes: Buffer): number[] {
  return pcapngBlocks(bytes).map((b) => b.end);
}

const F1 = frame(60, 1);
const F2 = frame(1514, 2);
const F3 = frame(1, 3);
const F4 = frame(0, 4);

function basic(w: PcapngWriter): void {
  w.section();
  w.addInterface({ linktype: LINKTYPE_ETHERNET, snaplen: 65535, name: "eth0" });
  w.packet(0, F1, 1_700_000_000, 123_456_000);
  w.packet(0, F2, 1_700_000_001, 0, 2000);
  w.packet(0, F3, 0, 0);
  w.packet(0, F4, 4_294_967_295, 999_999_000);
}
const BASIC: SeenPacket[] = [
  seen(F1, 1_700_000_000, 123_456_000, LINKTYPE_ETHERNET),
  seen(F2, 1_700_000_001, 0, LINKTYPE_ETHERNET, 2000),
  seen(F3, 0, 0, LINKTYPE_ETHERNET),
  seen(F4, 4_294_967_295, 999_999_000, LINKTYPE_ETHERNET),
];

describe("pcapng files", () => {
  for (const bigEndian of [false, true]) {
    const order = bigEndian ? "big-endian" : "little-endian";
    test(`a ${order} section gives every enhanced packet with its exact time and lengths`, async () => {
      const bytes = pcapng(basic, bigEndian);
      const { result, packets } = await readPath(tmp.file(bytes));
      assert.deepEqual(result, {
        format: "pcapng",
        compressed: false,
        packets: 4,
        bytesRead: bytes.length,
        interfaces: [{ linktype: LINKTYPE_ETHERNET, snaplen: 65535, tsresol: 6, name: "eth0" }],
        damage: null,
        aborted: false,
      });
      assert.deepEqual(packets, BASIC);
    });

    test(`a ${order} file reads the same with chunks of 1, 2, 3, 7 and 64 bytes`, async () => {
      const bytes = pcapng(mixed, bigEndian);
      const path = tmp.file(bytes);
      for (const chunkSize of [1, 2, 3, 7, 64]) {
        const { result, packets } = await readPath(path, { chunkSize });
        assert.equal(result.damage, null, `chunkSize ${chunkSize}`);
        assert.equal(result.bytesRead, bytes.length);
        assert.deepEqual(packets, MIXED, `chunkSize ${chunkSize}`);
      }
    });
  }

  test("sections with different byte orders each restart their interface ids", async () => {
    const first = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET });
      w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 9, snaplen: 128 });
      w.packet(1, F1, 10, 123_456_789);
      w.packet(0, F3, 11, 5_000);
    }, false);
    const second = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_LINUX_SLL2, tsresol: 9, name: "any" });
      w.packet(0, F2, 12, 1);
    }, true);
    const third = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: 147 });
      w.packet(0, F4, 13, 0);
    }, false);
    const bytes = Buffer.concat([first, second, third]);
    for (const chunkSize of [3, 64, 1 << 20]) {
      const { result, packets } = await readBytes(bytes, { chunkSize });
      assert.deepEqual(result.interfaces, [
        { linktype: LINKTYPE_ETHERNET, snaplen: 0, tsresol: 6, name: null },
        { linktype: LINKTYPE_RAW, snaplen: 128, tsresol: 9, name: null },
        { linktype: LINKTYPE_LINUX_SLL2, snaplen: 0, tsresol: 9, name: "any" },
        { linktype: 147, snaplen: 0, tsresol: 6, name: null },
      ]);
      assert.deepEqual(packets, [
        seen(F1, 10, 123_456_789, LINKTYPE_RAW),
        seen(F3, 11, 5_000, LINKTYPE_ETHERNET),
        seen(F2, 12, 1, LINKTYPE_LINUX_SLL2),
        seen(F4, 13, 0, 147),
      ]);
    }
  });

  test("timestamps of every resolution convert exactly to seconds and nanoseconds", async () => {
    // 10^-6, 10^-9, 10^-3, 10^0, 2^-9 (divides 1e9), 2^-10 and 2^-20 and 2^-32 (multiply-divide),
    // 10^-12 and 2^-40 (sub-nanosecond, BigInt).
    const resolutions = [6, 9, 3, 0, 0x80 | 9, 0x80 | 10, 0x80 | 20, 0x80 | 32, 12, 0x80 | 40];
    const times: [number, number][] = [
      [0, 0],
      [1, 1],
      [86_400, 999_999_999],
      [1_700_000_000, 123_456_789],
      [1_700_000_000, 999_999_999],
      [4_102_444_800, 500_000_000], // 2100-01-01
    ];
    // Sub-nanosecond counts overflow 64 bits after months, so those interfaces get the times
    // that fit.
    const ticksOf = (tsresol: number, s: number, ns: number): bigint =>
      ((BigInt(s) * 1_000_000_000n + BigInt(ns)) * tsresolUnits(tsresol)) / 1_000_000_000n;
    const fits = (tsresol: number, s: number, ns: number): boolean =>
      ticksOf(tsresol, s, ns) < 1n << 64n;
    const bytes = pcapng((w) => {
      w.section();
      for (const tsresol of resolutions) w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol });
      resolutions.forEach((tsresol, i) => {
        for (const [s, ns] of times) if (fits(tsresol, s, ns)) w.packet(i, F3, s, ns);
      });
    });
    const { result, packets } = await readBytes(bytes, { chunkSize: 50 });
    assert.equal(result.damage, null);
    const want: SeenPacket[] = [];
    for (const tsresol of resolutions) {
      for (const [s, ns] of times) {
        if (!fits(tsresol, s, ns)) continue;
        const t = expectedTime(ticksOf(tsresol, s, ns), tsresol);
        want.push(seen(F3, t.tsSec, t.tsNsec, LINKTYPE_ETHERNET));
      }
    }
    assert.equal(packets.length, 54);
    assert.deepEqual(packets, want);
    // Spot-check values that need no reference arithmetic.
    assert.deepEqual([packets[3]?.tsSec, packets[3]?.tsNsec], [1_700_000_000, 123_456_000]); // µs
    assert.deepEqual([packets[10]?.tsSec, packets[10]?.tsNsec], [1_700_000_000, 999_999_999]); // ns
    assert.deepEqual([packets[16]?.tsSec, packets[16]?.tsNsec], [1_700_000_000, 999_000_000]); // ms
    assert.deepEqual([packets[23]?.tsSec, packets[23]?.tsNsec], [4_102_444_800, 0]); // s
  });

  test("any 64-bit tick count converts like exact integer division (property)", async () => {
    const resolution = fc.constantFrom(
      0,
      1,
      3,
      6,
      7,
      9,
      10,
      12,
      15,
      0x80,
      0x80 | 9,
      0x80 | 10,
      0x80 | 20,
      0x80 | 30,
      0x80 | 32,
      0x80 | 33,
      0x80 | 63,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(resolution, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })), {
          minLength: 1,
          maxLength: 20,
        }),
        async (cases) => {
          const bytes = pcapng((w) => {
            w.section();
            cases.forEach(([tsresol], i) => {
              w.addInterface({ linktype: i, tsresol });
            });
            cases.forEach(([, ticks], i) => {
              w.otherBlock(PCAPNG_EPB, epbBody(i, ticks, F3, 1));
            });
          });
          const { result, packets } = await readBytes(bytes);
          assert.equal(result.damage, null);
          assert.deepEqual(
            packets.map((p) => [p.tsSec, p.tsNsec]),
            cases.map(([tsresol, ticks]) => {
              const t = expectedTime(ticks, tsresol);
              return [t.tsSec, t.tsNsec];
            }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("if_tsoffset seconds are added to every timestamp of the interface", async () => {
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET, tsoffset: 1_600_000_000 });
      w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 9, tsoffset: -5 });
      w.packet(0, F1, 1_700_000_000, 250_000);
      w.packet(1, F3, 100, 7);
    });
    const { packets } = await readBytes(bytes);
    assert.deepEqual(packets, [
      seen(F1, 1_700_000_000, 250_000, LINKTYPE_ETHERNET),
      seen(F3, 100, 7, LINKTYPE_RAW),
    ]);
    // The stored ticks really are offset: 1e8 s of microseconds, not 1.7e9 s.
    const firstPacket = pcapngBlocks(bytes)[2]?.end ?? 0;
    assert.equal(bytes.readUInt32LE(firstPacket + 12), Number(100_000_000_000_250n >> 32n));
  });

  test("simple packet blocks use interface 0, the previous timestamp and an implied length", async () => {
    const F100 = frame(100, 6);
    const F5 = frame(5, 7);
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET, snaplen: 64 });
      w.addInterface({ linktype: LINKTYPE_RAW });
      w.simplePacket(F5); // before any timestamp: time 0
      w.packet(1, F1, 100, 5_000);
      w.simplePacket(F100); // cut to interface 0's snaplen
      w.simplePacket(F5); // 5 bytes + 3 padding: the caplen is the original length
      w.simplePacket(frame(12, 8), 10); // original length below the bytes present
    });
    const { result, packets } = await readBytes(bytes, { chunkSize: 9 });
    assert.equal(result.damage, null);
    assert.deepEqual(packets, [
      seen(F5, 0, 0, LINKTYPE_ETHERNET),
      seen(F1, 100, 5_000, LINKTYPE_RAW),
      seen(F100.subarray(0, 64), 100, 5_000, LINKTYPE_ETHERNET, 100),
      seen(F5, 100, 5_000, LINKTYPE_ETHERNET),
      seen(frame(12, 8).subarray(0, 10), 100, 5_000, LINKTYPE_ETHERNET, 10),
    ]);
  });

  test("obsolete packet blocks are read with their interface and timestamp", async () => {
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET });
      w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 9 });
      w.obsoletePacket(1, F2, 1_234_567_890, 987_654_321);
      w.obsoletePacket(0, F3, 5, 6_000);
    }, true);
    const { packets } = await readBytes(bytes, { chunkSize: 7 });
    assert.deepEqual(packets, [
      seen(F2, 1_234_567_890, 987_654_321, LINKTYPE_RAW),
      seen(F3, 5, 6_000, LINKTYPE_ETHERNET),
    ]);
  });

  test("name resolution, statistics, secrets, custom and unknown blocks are skipped", async () => {
    const { result, packets } = await readBytes(pcapng(mixed), { chunkSize: 5 });
    assert.equal(result.damage, null);
    assert.deepEqual(packets, MIXED);
  });

  test("options after an enhanced packet's data are skipped", async () => {
    const comment = Buffer.from([1, 0, 5, 0, 104, 101, 108, 108, 111, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 9 });
      w.otherBlock(PCAPNG_EPB, epbBody(0, 1_000_000_001n, F3, 70, comment));
      w.packet(0, F1, 2, 0);
    });
    const { packets } = await readBytes(bytes);
    assert.deepEqual(packets, [
      seen(F3, 1, 1, LINKTYPE_ETHERNET, 70),
      seen(F1, 2, 0, LINKTYPE_ETHERNET),
    ]);
  });

  test("a packet naming an interface its section never described is damage", async () => {
    const good = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET });
      w.packet(0, F1, 1, 0);
    });
    const bad = pcapng((w) => {
      w.addInterface({ linktype: LINKTYPE_ETHERNET }); // appended to the section above
      w.packet(0, F1, 1, 0);
      w.packet(0, F1, 1, 0);
    });
    // Rewrite the second packet's interface id to 2.
    const bytes = Buffer.concat([good, bad]);
    const blocks = pcapngBlocks(bytes);
    const at = blocks[4]?.end ?? 0;
    bytes.writeUInt32LE(2, at + 8);
    const { result, packets } = await readBytes(bytes);
    assert.equal(packets.length, 2);
    assert.equal(result.bytesRead, at);
    assert.deepEqual(result.damage, {
      code: "bad_interface_id",
      message: `pcapng packet block at byte ${at} refers to interface 2, but its section describes only 2: the file is corrupt from here`,
      offset: at,
    });
  });

  test("a simple packet block in a section without interfaces is damage", async () => {
    const bytes = pcapng((w) => {
      w.section();
      w.simplePacket(F1);
    });
    const { result } = await readBytes(bytes);
    assert.deepEqual(result.damage, {
      code: "bad_interface_id",
      message:
        "pcapng packet block at byte 28 refers to interface 0, but its section describes no interfaces: the file is corrupt from here",
      offset: 28,
    });
  });

  test("H19: a block of 16 MiB is read (name resolution and secrets blocks are large); a longer one is damage", async () => {
    // 16 MiB is libpcap's own limit for a pcapng block before it knows the interfaces.
    const limit = 16 * 1024 * 1024;
    const nrb = Buffer.alloc(limit - 12);
    const ok = pcapng((w) => {
      basic(w);
      w.otherBlock(PCAPNG_NRB, nrb);
      w.packet(0, F1, 1_700_000_002, 0);
    });
    const read = await readBytes(ok);
    assert.equal(read.result.damage, null);
    assert.deepEqual(read.packets, [...BASIC, seen(F1, 1_700_000_002, 0, LINKTYPE_ETHERNET)]);
    const big = pcapng((w) => {
      basic(w);
      const header = Buffer.alloc(12);
      header.writeUInt32LE(PCAPNG_NRB, 0);
      header.writeUInt32LE(limit + 4, 4);
      w.raw(header);
    });
    const at = big.length - 12;
    const { result, packets } = await readBytes(big);
    assert.deepEqual(packets, BASIC);
    assert.deepEqual(result.damage, {
      code: "bad_block_length",
      message: `pcapng block at byte ${at} claims a length of ${limit + 4} bytes (more than 16 MiB): the file is corrupt from here`,
      offset: at,
    });
  });

  test("garbage block lengths are damage, never a reason to allocate", async () => {
    const cases: [number, string][] = [
      [13, "not a multiple of 4"],
      [8, "less than the 12-byte minimum"],
      [0, "less than the 12-byte minimum"],
      [0x7ffffffc, "more than 16 MiB"],
      [0xfffffffc, "more than 16 MiB"],
    ];
    for (const [len, why] of cases) {
      const bytes = pcapng((w) => {
        basic(w);
        const garbage = Buffer.alloc(16);
        garbage.writeUInt32LE(PCAPNG_EPB, 0);
        garbage.writeUInt32LE(len, 4);
        w.raw(garbage);
      });
      const at = bytes.length - 16;
      const { result, packets } = await readBytes(bytes, { chunkSize: 64 });
      assert.deepEqual(packets, BASIC);
      assert.deepEqual(result.damage, {
        code: "bad_block_length",
        message: `pcapng block at byte ${at} claims a length of ${len} bytes (${why}): the file is corrupt from here`,
        offset: at,
      });
    }
  });

  test("a block whose trailing length differs from its leading length is damage", async () => {
    const bytes = pcapng(basic);
    const lastEnd = bytes.length;
    const lastStart = blockEnds(bytes).at(-2) ?? 0;
    bytes.writeUInt32LE(44, lastEnd - 4);
    const { result, packets } = await readBytes(bytes);
    assert.deepEqual(packets, BASIC.slice(0, 3));
    assert.deepEqual(result.damage, {
      code: "bad_block_length",
      message: `pcapng block at byte ${lastStart} says it is ${lastEnd - lastStart} bytes long but ends with the length 44: the file is corrupt from here`,
      offset: lastStart,
    });
  });

  test("a packet whose captured length runs past its block is damage", async () => {
    const bytes = pcapng(basic);
    const start = blockEnds(bytes)[1] ?? 0; // the first EPB
    bytes.writeUInt32LE(61, start + 20);
    const { result, packets } = await readBytes(bytes);
    assert.equal(packets.length, 0);
    assert.deepEqual(result.damage, {
      code: "bad_packet_length",
      message: `pcapng packet block at byte ${start} claims 61 captured bytes but is only 92 bytes long: the file is corrupt from here`,
      offset: start,
    });
  });

  test("a block too short for its fields is damage", async () => {
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET });
      w.otherBlock(PCAPNG_EPB, Buffer.alloc(8));
    });
    const { result } = await readBytes(bytes);
    assert.equal(result.damage?.code, "bad_block_length");
    assert.equal(
      result.damage?.message,
      "pcapng enhanced packet block at byte 52 is only 20 bytes long, too short for its fields: the file is corrupt from here",
    );
  });

  test("a section header with a bad byte-order magic or major version is damage", async () => {
    const bom = pcapng(basic);
    bom.writeUInt32LE(0x12345678, 8);
    assert.deepEqual((await readBytes(bom)).result.damage, {
      code: "bad_byte_order_magic",
      message:
        "pcapng section header at byte 0 has byte-order magic 0x12345678 instead of 0x1a2b3c4d: the file is corrupt from here",
      offset: 0,
    });

    const second = Buffer.concat([pcapng(basic), pcapng(basic, true)]);
    const at = pcapng(basic).length;
    second.writeUInt16BE(2, at + 12);
    const { result, packets } = await readBytes(second);
    assert.deepEqual(packets, BASIC);
    assert.deepEqual(result.damage, {
      code: "unsupported_version",
      message: `pcapng section at byte ${at} is version 2.0, and only version 1 sections can be read`,
      offset: at,
    });
  });

  test("malformed interface options are damage", async () => {
    const tsresolTooLong = pcapng((w) => {
      w.section();
      w.otherBlock(1, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 0, 9, 9, 0, 0, 0, 0, 0, 0]));
    });
    assert.deepEqual((await readBytes(tsresolTooLong)).result.damage, {
      code: "bad_option",
      message:
        "pcapng interface description block at byte 28: if_tsresol option is 2 bytes long instead of 1, so the file is corrupt from here",
      offset: 28,
    });
    const overrun = pcapng((w) => {
      w.section();
      w.otherBlock(1, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 9, 0, 65, 66, 67, 68]));
    });
    assert.deepEqual((await readBytes(overrun)).result.damage, {
      code: "bad_option",
      message:
        "pcapng interface description block at byte 28: option 2 at byte 44 runs past the end of the block, so the file is corrupt from here",
      offset: 28,
    });
  });

  for (const bigEndian of [false, true]) {
    test(`a ${bigEndian ? "big" : "little"}-endian file cut at every length delivers exactly the packets before the cut`, async () => {
      const bytes = pcapng(mixed, bigEndian);
      const blocks = pcapngBlocks(bytes);
      const packetTypes = new Set([2, 3, 6]);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const piece = bytes.subarray(0, cut);
        if (cut < 4) {
          await assert.rejects(readBytes(piece), { name: "CaptureFileError" });
          continue;
        }
        const { result, packets } = await readBytes(piece, { chunkSize: 13 });
        const whole = blocks.filter((b) => b.end <= cut);
        const delivered = whole.filter((b) => packetTypes.has(b.type)).length;
        assert.deepEqual(packets, MIXED.slice(0, delivered), `cut at ${cut}`);
        const lastEnd = whole.at(-1)?.end ?? 0;
        if (lastEnd === cut) assert.equal(result.damage, null, `cut at ${cut}`);
        else {
          assert.equal(result.damage?.code, "truncated_block", `cut at ${cut}`);
          assert.equal(result.damage?.offset, lastEnd, `cut at ${cut}`);
        }
      }
    });
  }

  test("a file ending inside a block says how much of it is there", async () => {
    const bytes = pcapng(basic);
    const start = blockEnds(bytes)[1] ?? 0;
    assert.equal(
      (await readBytes(bytes.subarray(0, start + 20))).result.damage?.message,
      `the pcapng file ends inside the block at byte ${start} (20 of its 92 bytes are present)`,
    );
    assert.equal(
      (await readBytes(bytes.subarray(0, start + 5))).result.damage?.message,
      `the pcapng file ends inside the block at byte ${start} (5 of its 12 header bytes are present)`,
    );
  });

  test("a block bigger than the working buffer grows it", async () => {
    const big = frame(3 * 1024 * 1024 + 3, 11);
    const bytes = pcapng((w) => {
      w.section();
      w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 9 });
      w.packet(0, F1, 1, 1);
      w.packet(0, big, 2, 2);
      w.packet(0, F3, 3, 3);
    });
    const { result, packets } = await readPath(tmp.file(bytes));
    assert.equal(result.damage, null);
    assert.deepEqual(packets, [
      seen(F1, 1, 1, LINKTYPE_ETHERNET),
      seen(big, 2, 2, LINKTYPE_ETHERNET),
      seen(F3, 3, 3, LINKTYPE_ETHERNET),
    ]);
  });
});

/** A section mixing every packet block type with blocks readers must skip. */
function mixed(w: PcapngWriter): void {
  w.section();
  w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 9, name: "eth0" });
  w.otherBlock(PCAPNG_NRB, Buffer.from([1, 0, 8, 0, 10, 0, 0, 1, 104, 111, 115, 116, 0, 0, 0, 0]));
  w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 0x80 | 20, snaplen: 1500 });
  w.packet(0, F1, 1_700_000_000, 1);
  w.otherBlock(PCAPNG_ISB, Buffer.alloc(12));
  w.packet(1, F2, 1_700_000_001, 500_000_000);
  w.simplePacket(F3);
  w.otherBlock(0x0000000a, Buffer.from("secrets!")); // Decryption Secrets Block
  w.otherBlock(0x00000bad, Buffer.alloc(5)); // custom block
  w.otherBlock(0x40000bad, Buffer.alloc(0)); // custom block, not to be copied
  w.otherBlock(0x7fffffff, Buffer.alloc(3)); // unknown
  w.obsoletePacket(1, F4, 1_700_000_002, 250_000_000);
  w.packet(0, F2, 1_700_000_003, 999_999_999);
}
const MIXED: SeenPacket[] = [
  seen(F1, 1_700_000_000, 1, LINKTYPE_ETHERNET),
  seen(F2, 1_700_000_001, 500_000_000, LINKTYPE_RAW),
  seen(F3, 1_700_000_001, 500_000_000, LINKTYPE_ETHERNET),
  seen(F4, 1_700_000_002, 250_000_000, LINKTYPE_RAW),
  seen(F2, 1_700_000_003, 999_999_999, LINKTYPE_ETHERNET),
];
