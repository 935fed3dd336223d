import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, test } from "node:test";
import { constants, gunzipSync } from "node:zlib";
import fc from "fast-check";
import {
  frame,
  gzip,
  pcapRecordEnds,
  RecordingSink,
  readBytes,
  readPath,
  type SeenPacket,
  TempDir,
} from "../../../test/support/capture-testkit.js";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import {
  CAPTURE_DAMAGE_CODES,
  CAPTURE_FILE_ERROR_CODES,
  CaptureFileError,
  type ReadCaptureOptions,
  readCaptureFile,
  readCaptureStream,
} from "./capture-file-reader.js";
import { MemorySink, PcapngWriter, PcapWriter } from "./capture-writer.js";

const tmp = new TempDir();
after(() => tmp.remove());

interface Pkt {
  data: Buffer;
  tsSec: number;
  tsNsec: number;
}

const PACKETS: Pkt[] = Array.from({ length: 40 }, (_, i) => ({
  data: frame((i * 37) % 300, i),
  tsSec: 1_700_000_000 + i,
  tsNsec: (i * 123_457_000) % 1_000_000_000,
}));

function pcapFile(bigEndian: boolean, nanosecond: boolean, packets = PACKETS): Buffer {
  const mem = new MemorySink();
  const w = new PcapWriter(mem, { linktype: LINKTYPE_ETHERNET, bigEndian, nanosecond });
  for (const p of packets) w.write(p.data, p.tsSec, p.tsNsec);
  w.close();
  return mem.bytes();
}

function pcapngFile(bigEndian: boolean, packets = PACKETS): Buffer {
  const mem = new MemorySink();
  const w = new PcapngWriter(mem, { bigEndian });
  w.section();
  w.addInterface({ linktype: LINKTYPE_ETHERNET, tsresol: 9 });
  w.addInterface({ linktype: LINKTYPE_RAW, tsresol: 6 });
  packets.forEach((p, i) => {
    w.packet(i % 2, p.data, p.tsSec, p.tsNsec);
  });
  w.close();
  return mem.bytes();
}

/** Every file variant, as (name, bytes); all hold PACKETS. */
const VARIANTS: [string, Buffer][] = [
  ["pcap little-endian microsecond", pcapFile(false, false)],
  ["pcap little-endian nanosecond", pcapFile(false, true)],
  ["pcap big-endian microsecond", pcapFile(true, false)],
  ["pcap big-endian nanosecond", pcapFile(true, true)],
  ["pcapng little-endian", pcapngFile(false)],
  ["pcapng big-endian", pcapngFile(true)],
];

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof CaptureFileError);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe("gzip-compressed captures", () => {
  for (const [name, bytes] of VARIANTS) {
    test(`a gzipped ${name} file gives the same packets as the plain one`, async () => {
      const plain = await readBytes(bytes);
      const gz = gzip(bytes);
      const path = tmp.file(gz, `${name.replaceAll(" ", "-")}.pcap`); // the name does not matter
      for (const chunkSize of [1, 7, 64, undefined]) {
        const opts = chunkSize === undefined ? {} : { chunkSize };
        const { result, packets } = await readPath(path, opts);
        assert.deepEqual(result, { ...plain.result, compressed: true }, `chunkSize ${chunkSize}`);
        assert.equal(result.bytesRead, bytes.length);
        assert.deepEqual(packets, plain.packets, `chunkSize ${chunkSize}`);
      }
      assert.equal(plain.packets.length, 40);
    });
  }

  test("a gzip file cut at any length delivers every packet zlib can recover, then truncated_gzip", async () => {
    const bytes = pcapFile(false, true);
    const all = (await readBytes(bytes)).packets;
    const ends = pcapRecordEnds(bytes);
    const gz = gzip(bytes);
    for (let cut = 0; cut < gz.length; cut++) {
      const piece = gz.subarray(0, cut);
      const recoverable =
        cut < 2 ? 0 : gunzipSync(piece, { finishFlush: constants.Z_SYNC_FLUSH }).length;
      if (recoverable < 4) {
        await assert.rejects(
          readBytes(piece, { chunkSize: 64 }),
          CaptureFileError,
          `cut at ${cut}`,
        );
        continue;
      }
      const { result, packets } = await readBytes(piece, { chunkSize: 64 });
      assert.equal(result.compressed, true);
      assert.deepEqual(
        packets,
        all.slice(0, ends.filter((e) => e <= recoverable).length),
        `cut at ${cut}`,
      );
      assert.deepEqual(
        result.damage,
        {
          code: "truncated_gzip",
          message: `the gzip file ends early, after ${recoverable} bytes of capture data: the rest is missing`,
          offset: recoverable,
        },
        `cut at ${cut}`,
      );
    }
    // Losing only the 8-byte trailer loses no packet.
    const trailerless = await readBytes(gz.subarray(0, gz.length - 8));
    assert.equal(trailerless.packets.length, 40);
    assert.equal(trailerless.result.damage?.offset, bytes.length);
  });

  test("a truncated gzip file read from disk keeps every packet zlib could recover", async () => {
    const bytes = pcapngFile(false);
    const gz = gzip(bytes);
    const { result, packets } = await readPath(tmp.file(gz.subarray(0, Math.floor(gz.length / 2))));
    assert.equal(result.damage?.code, "truncated_gzip");
    assert.ok(packets.length > 5 && packets.length < 40);
    const all = (await readBytes(bytes)).packets;
    assert.deepEqual(packets, all.slice(0, packets.length));
  });

  test("corrupt gzip data is bad_gzip, after the packets zlib delivered before it", async () => {
    // zlib reports corruption instead of the output of the call that found it (at most 16 KiB
    // here), so the packets delivered are a prefix that stops at most 16 KiB before it.
    const many = Array.from({ length: 2000 }, (_, i) => ({
      data: frame(100 + (i % 50), i),
      tsSec: i,
      tsNsec: i * 1000,
    }));
    const bytes = pcapFile(false, false, many);
    const ends = pcapRecordEnds(bytes);
    const k = ends[1500] ?? 0;
    // A second gzip member whose header names compression method 9, which does not exist.
    const badMember = Buffer.from([0x1f, 0x8b, 0x09, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]);
    const gz = Buffer.concat([gzip(bytes.subarray(0, k)), badMember]);
    const { result, packets } = await readPath(tmp.file(gz), { chunkSize: 1000 });
    assert.equal(result.damage?.code, "bad_gzip");
    const offset = result.damage?.offset ?? 0;
    assert.ok(offset <= k && offset >= k - 16 * 1024, `damage at ${offset}, corruption at ${k}`);
    assert.equal(
      result.damage?.message,
      `the gzip data is corrupt after ${offset} bytes of capture data (unknown compression method): the rest cannot be read`,
    );
    assert.equal(packets.length, ends.filter((e) => e <= offset).length);
    assert.deepEqual(packets, (await readBytes(bytes)).packets.slice(0, packets.length));
  });

  test("H19: a gzip checksum or length mismatch is bad_gzip after every byte zlib decompressed, as zcat gives them", async () => {
    // zlib checks the trailer in the call that decompresses the data before it, and that
    // call's output would be lost with the error: a small file gave no packet at all.
    const bytes = pcapFile(false, false);
    const all = (await readBytes(bytes)).packets;
    for (const [at, check] of [
      [8, "incorrect data check"],
      [4, "incorrect length check"],
    ] as const) {
      const gz = Buffer.from(gzip(bytes));
      gz.writeUInt32LE(~gz.readUInt32LE(gz.length - at) >>> 0, gz.length - at);
      for (const read of [() => readBytes(gz), () => readPath(tmp.file(gz))]) {
        const { result, packets } = await read();
        assert.deepEqual(packets, all, check);
        assert.deepEqual(result.damage, {
          code: "bad_gzip",
          message: `the gzip data is corrupt after ${bytes.length} bytes of capture data (${check}): the rest cannot be read`,
          offset: bytes.length,
        });
      }
    }
    const many = Array.from({ length: 3000 }, (_, i) => ({
      data: frame(90, i),
      tsSec: i,
      tsNsec: 0,
    }));
    const big = pcapFile(true, true, many);
    const bigGz = Buffer.from(gzip(big));
    bigGz.writeUInt32LE(~bigGz.readUInt32LE(bigGz.length - 8) >>> 0, bigGz.length - 8);
    const { result, packets } = await readPath(tmp.file(bigGz));
    assert.equal(result.damage?.code, "bad_gzip");
    assert.equal(result.damage?.offset, big.length);
    assert.match(result.damage?.message ?? "", /\(incorrect data check\)/);
    assert.deepEqual(packets, (await readBytes(big)).packets);
  });

  test("H19: a 260 KB gzip file whose record claims 256 MiB is damage at once, in bounded memory", async () => {
    // A pcap header and one record header claiming 256 MiB - 1, then 256 MiB of zeros as 256
    // gzip members of 1 MiB each (about 1 KB apiece).
    const head = Buffer.concat([
      pcapFile(false, false, []),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0x0f]),
    ]);
    const zeros = gzip(Buffer.alloc(1024 * 1024));
    const path = tmp.file(Buffer.concat([gzip(head), ...Array<Buffer>(256).fill(zeros)]));
    const reader = new URL("./capture-file-reader.js", import.meta.url).href;
    const script = `
      const { readCaptureFile } = await import(${JSON.stringify(reader)});
      const r = await readCaptureFile(${JSON.stringify(path)}, { packet() {} });
      process.stdout.write(JSON.stringify({ damage: r.damage?.code ?? null, maxRssKiB: process.resourceUsage().maxRSS }));
    `;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { damage: string | null; maxRssKiB: number };
    assert.equal(out.damage, "bad_record_length");
    // Node itself takes about 50 MB; the 256 MiB record would have added that much again.
    assert.ok(out.maxRssKiB < 150 * 1024, `peak RSS ${Math.round(out.maxRssKiB / 1024)} MB`);
  });

  test("concatenated gzip members read as one capture", async () => {
    const bytes = pcapngFile(true);
    const half = 1000;
    const two = Buffer.concat([gzip(bytes.subarray(0, half)), gzip(bytes.subarray(half))]);
    const { result, packets } = await readPath(tmp.file(two), { chunkSize: 100 });
    assert.equal(result.damage, null);
    assert.deepEqual(packets, (await readBytes(bytes)).packets);
  });

  test("progress on a gzip file counts compressed bytes up to the file size", async () => {
    const gz = gzip(pcapFile(false, false));
    const calls: [number, number][] = [];
    await readCaptureFile(tmp.file(gz), new RecordingSink(), {
      chunkSize: 256,
      onProgress: (read, total) => calls.push([read, total]),
    });
    assert.ok(calls.length > 1);
    assert.deepEqual(calls.at(-1), [gz.length, gz.length]);
    for (let i = 1; i < calls.length; i++)
      assert.ok((calls[i]?.[0] ?? 0) >= (calls[i - 1]?.[0] ?? 0));
  });
});

describe("what cannot be read at all", () => {
  test("a missing file is ERR_CAPTURE_FILE_OPEN", async () => {
    const path = join(tmp.dir, "nope.pcap");
    await rejectsWith(readPath(path), "ERR_CAPTURE_FILE_OPEN", `cannot open ${path}: no such file`);
  });

  test("a directory is ERR_CAPTURE_FILE_OPEN", async () => {
    const path = join(tmp.dir, "a-directory");
    mkdirSync(path);
    await rejectsWith(
      readPath(path),
      "ERR_CAPTURE_FILE_OPEN",
      `cannot read ${path}: it is a directory`,
    );
  });

  test("an empty file is ERR_CAPTURE_EMPTY_FILE", async () => {
    const path = tmp.file(Buffer.alloc(0));
    await rejectsWith(readPath(path), "ERR_CAPTURE_EMPTY_FILE", `${path} is empty`);
    const gzPath = tmp.file(gzip(Buffer.alloc(0)));
    await rejectsWith(
      readPath(gzPath),
      "ERR_CAPTURE_EMPTY_FILE",
      `the gzip file ${gzPath} holds no data`,
    );
  });

  test("a file of 1 to 3 bytes is ERR_CAPTURE_NOT_A_CAPTURE", async () => {
    const one = tmp.file(Buffer.from([0xd4]));
    await rejectsWith(
      readPath(one),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `${one} is only 1 byte, too short to be a pcap or pcapng capture`,
    );
    const three = tmp.file(Buffer.from([0xd4, 0xc3, 0xb2]));
    await rejectsWith(
      readPath(three, { chunkSize: 1 }),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `${three} is only 3 bytes, too short to be a pcap or pcapng capture`,
    );
  });

  test("a file that is not a capture says what its first bytes are", async () => {
    const text = tmp.file(Buffer.from("hello, world\n"));
    await rejectsWith(
      readPath(text),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `${text} is not a pcap or pcapng capture: it starts with the bytes 68 65 6c 6c 6f 2c 20 77 (text)`,
    );
    const zip = tmp.file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    await rejectsWith(
      readPath(zip),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `${zip} is not a pcap or pcapng capture: it starts with the bytes 50 4b 03 04 14 00 (a zip archive)`,
    );
    const zst = tmp.file(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]));
    await rejectsWith(
      readPath(zst),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `${zst} is not a pcap or pcapng capture: it starts with the bytes 28 b5 2f fd 00 58 (zstd-compressed data: decompress it first)`,
    );
    const gzText = tmp.file(gzip(Buffer.from([0, 1, 2, 3, 0xff])));
    await rejectsWith(
      readPath(gzText),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `the data in the gzip file ${gzText} is not a pcap or pcapng capture: it starts with the bytes 00 01 02 03 ff`,
    );
  });

  test("a gzip file cut before any capture data is ERR_CAPTURE_NOT_A_CAPTURE", async () => {
    const gz = gzip(pcapFile(false, false)).subarray(0, 12);
    const path = tmp.file(gz);
    await rejectsWith(
      readPath(path),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      `the gzip file ${path} is cut short after 0 bytes of data, before a capture header could be read`,
    );
  });

  test("a chunk size that is not a positive integer is a RangeError", async () => {
    const path = tmp.file(pcapFile(false, false));
    await assert.rejects(readPath(path, { chunkSize: 0 }), RangeError);
    await assert.rejects(readPath(path, { chunkSize: 1.5 }), RangeError);
  });

  test("every error and damage code is unique", () => {
    assert.equal(new Set(CAPTURE_FILE_ERROR_CODES).size, CAPTURE_FILE_ERROR_CODES.length);
    assert.equal(new Set(CAPTURE_DAMAGE_CODES).size, CAPTURE_DAMAGE_CODES.length);
    for (const code of CAPTURE_FILE_ERROR_CODES) {
      assert.ok(!(CAPTURE_DAMAGE_CODES as readonly string[]).includes(code), code);
    }
  });
});

describe("reading", () => {
  test("progress is reported once per chunk and ends at the file size", async () => {
    const bytes = pcapFile(false, false);
    const calls: [number, number][] = [];
    await readCaptureFile(tmp.file(bytes), new RecordingSink(), {
      chunkSize: 1000,
      onProgress: (read, total) => calls.push([read, total]),
    });
    const chunks = Math.ceil(bytes.length / 1000);
    assert.ok(calls.length >= chunks && calls.length <= chunks + 1, `${calls.length} calls`);
    assert.deepEqual(calls[0], [1000, bytes.length]);
    assert.deepEqual(calls.at(-1), [bytes.length, bytes.length]);
  });

  test("the bytes handed to the sink stay as they were until the promise of afterChunk resolves", async () => {
    // What the paced replay relies on: it keeps packets as views of the reader's buffer and
    // delivers them before its afterChunk promise resolves.
    const many = Array.from({ length: 3000 }, (_, i) => ({
      data: frame(60 + ((i * 13) % 400), i),
      tsSec: i,
      tsNsec: 0,
    }));
    const bytes = pcapFile(false, false, many);
    const all = (await readBytes(bytes)).packets.map((p) => p.data);
    const sources: [string, (sink: PacketSink, opts: ReadCaptureOptions) => Promise<unknown>][] = [
      ["a plain file", (sink, opts) => readCaptureFile(tmp.file(bytes), sink, opts)],
      ["a gzip file", (sink, opts) => readCaptureFile(tmp.file(gzip(bytes)), sink, opts)],
      ["a stream", (sink, opts) => readCaptureStream(Readable.from([bytes]), sink, opts)],
    ];
    for (const [name, read] of sources) {
      const views: { buf: Uint8Array; off: number; len: number }[] = [];
      const later: Buffer[] = [];
      const sink: PacketSink = {
        packet(buf, off, caplen) {
          views.push({ buf, off, len: caplen });
        },
      };
      let waits = 0;
      await read(sink, {
        chunkSize: 4096,
        // Long enough for the read of the next chunk, started before this wait, to land.
        afterChunk: () =>
          new Promise<void>((resolve) => {
            waits++;
            setTimeout(() => {
              for (const v of views) later.push(Buffer.from(v.buf.subarray(v.off, v.off + v.len)));
              views.length = 0;
              resolve();
            }, 2);
          }),
      });
      assert.ok(waits > 10, `${name}: ${waits} chunks`);
      assert.equal(later.length, all.length, name);
      assert.ok(
        later.every((b, i) => b.equals(all[i] ?? Buffer.alloc(0))),
        `${name}: a packet changed while its chunk waited`,
      );
    }
  });

  test("an already aborted signal delivers nothing", async () => {
    const { result, packets } = await readPath(tmp.file(pcapngFile(false)), {
      signal: AbortSignal.abort(),
    });
    assert.equal(packets.length, 0);
    assert.equal(result.aborted, true);
    assert.equal(result.damage, null);
    assert.equal(result.format, "pcapng");
  });

  test("aborting part-way stops reading at the end of the current chunk", async () => {
    const bytes = pcapFile(false, false);
    const controller = new AbortController();
    let seen = 0;
    const sink: PacketSink = {
      packet() {
        seen++;
        if (seen === 3) controller.abort();
      },
    };
    const result = await readCaptureFile(tmp.file(bytes), sink, {
      chunkSize: 64,
      signal: controller.signal,
    });
    assert.equal(result.aborted, true);
    assert.equal(result.damage, null);
    assert.equal(result.packets, seen);
    assert.ok(seen >= 3 && seen < 40, `${seen} packets`);
    assert.ok(result.bytesRead < bytes.length);
  });

  test("a Readable stream such as stdin reads like a file, gzipped or not", async () => {
    for (const bytes of [pcapngFile(false), gzip(pcapngFile(true))]) {
      const sink = new RecordingSink();
      const stream = Readable.from([
        bytes.subarray(0, 1),
        bytes.subarray(1, 500),
        bytes.subarray(500),
      ]);
      const result = await readCaptureStream(stream, sink, { chunkSize: 333 });
      assert.equal(result.packets, 40);
      assert.equal(result.damage, null);
      assert.deepEqual(sink.packets, (await readBytes(pcapngFile(false))).packets);
    }
  });

  test("a stream that fails part-way is read_error, after the packets before it", async () => {
    const bytes = pcapFile(false, false);
    const k = pcapRecordEnds(bytes)[9] ?? 0;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, k + 5);
      throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    }
    const sink = new RecordingSink();
    const result = await readCaptureStream(failing(), sink, { chunkSize: 100 });
    assert.equal(sink.packets.length, 10);
    assert.equal(result.bytesRead, k);
    assert.deepEqual(result.damage, {
      code: "read_error",
      message: `reading failed after ${k + 5} bytes of capture data: system error ECONNRESET`,
      offset: k + 5,
    });
  });

  test("gzip is recognised by its magic bytes, not by the file name", async () => {
    const plain = await readPath(tmp.file(pcapFile(false, false), "plain.pcap.gz"));
    assert.equal(plain.result.compressed, false);
    assert.equal(plain.result.packets, 40);
    const packed = await readPath(tmp.file(gzip(pcapFile(false, false)), "packed.pcap"));
    assert.equal(packed.result.compressed, true);
    assert.deepEqual(packed.packets, plain.packets);
  });

  test("a stream's errors name it", async () => {
    await rejectsWith(
      readCaptureStream(Readable.from([Buffer.from("GET / HTTP/1.1\r\n")]), new RecordingSink(), {
        name: "standard input",
      }),
      "ERR_CAPTURE_NOT_A_CAPTURE",
      "standard input is not a pcap or pcapng capture: it starts with the bytes 47 45 54 20 2f 20 48 54 (text)",
    );
    await rejectsWith(
      readCaptureStream(Readable.from([]), new RecordingSink()),
      "ERR_CAPTURE_EMPTY_FILE",
      "the input is empty",
    );
  });

  test("random captures read back exactly, whatever the chunk size and input splits (property)", async () => {
    const packet = fc.record({
      data: fc.uint8Array({ maxLength: 300 }),
      tsSec: fc.nat({ max: 0xffffffff }),
      tsNsec: fc.nat({ max: 999_999_999 }),
      extra: fc.nat({ max: 2000 }),
      iface: fc.nat({ max: 2 }),
    });
    const capture = fc.record({
      pcapng: fc.boolean(),
      bigEndian: fc.boolean(),
      nanosecond: fc.boolean(),
      snaplen: fc.constantFrom(65535, 200, 64),
      gzip: fc.boolean(),
      packets: fc.array(packet, { maxLength: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(
        capture,
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.nat({ max: 20_000 })),
        async (c, chunkSize, cuts) => {
          const mem = new MemorySink();
          const want: SeenPacket[] = [];
          if (c.pcapng) {
            const w = new PcapngWriter(mem, { bigEndian: c.bigEndian });
            w.section();
            const ifaces = [
              { linktype: LINKTYPE_ETHERNET, tsresol: c.nanosecond ? 9 : 6 },
              { linktype: LINKTYPE_RAW, tsresol: 9 },
              { linktype: LINKTYPE_LINUX_SLL, tsresol: 3, tsoffset: 7 },
            ];
            for (const iface of ifaces) w.addInterface(iface);
            for (const p of c.packets) {
              const data = Buffer.from(p.data);
              const origlen = data.length + p.extra;
              const tsSec = p.tsSec + 7; // at least the offset, so stored ticks stay positive
              w.packet(p.iface, data, tsSec, p.tsNsec, origlen);
              const units = [c.nanosecond ? 1 : 1000, 1, 1_000_000][p.iface] ?? 1;
              const tsNsec = Math.floor(p.tsNsec / units) * units;
              want.push({
                data,
                origlen,
                tsSec,
                tsNsec,
                linktype: ifaces[p.iface]?.linktype ?? -1,
              });
            }
            w.close();
          } else {
            const w = new PcapWriter(mem, {
              linktype: LINKTYPE_ETHERNET,
              snaplen: c.snaplen,
              bigEndian: c.bigEndian,
              nanosecond: c.nanosecond,
            });
            for (const p of c.packets) {
              const data = Buffer.from(p.data);
              const origlen = data.length + p.extra;
              w.write(data, p.tsSec, p.tsNsec, origlen);
              const tsNsec = c.nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000) * 1000;
              want.push({
                data: data.subarray(0, c.snaplen),
                origlen,
                tsSec: p.tsSec,
                tsNsec,
                linktype: LINKTYPE_ETHERNET,
              });
            }
            w.close();
          }
          const plain = mem.bytes();
          const bytes = c.gzip ? gzip(plain) : plain;
          const { result, packets } = await readBytes(
            bytes,
            { chunkSize },
            [...cuts].sort((a, b) => a - b),
          );
          assert.equal(result.damage, null);
          assert.equal(result.compressed, c.gzip);
          assert.equal(result.bytesRead, plain.length);
          assert.equal(result.packets, c.packets.length);
          assert.deepEqual(packets, want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
