import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import { BatchBuilder } from "./batch.js";
import { LiveCaptureError } from "./live-errors.js";
import { createLiveSource, DISCARD_FILTER } from "./live-source.js";
import type {
  BatchCallback,
  CaptureErrorCallback,
  NativeLiveHandle,
  NativeOpenOptions,
  NativeStats,
  PcapAddon,
} from "./pcap-addon.js";

/** A stand-in for one libpcap handle: the test delivers batches and sets its counters. */
class FakeHandle implements NativeLiveHandle {
  isOpen = true;
  readonly nanosecond = true;
  readonly warning: string | null = null;
  readonly batchSize = 1 << 16;
  filters: string[] = [];
  counters: NativeStats = {
    received: 0,
    dropped: 0,
    ifDropped: 0,
    packets: 0,
    batches: 0,
    truncated: 0,
    ringBytes: 0,
    ringPeakBytes: 0,
  };
  constructor(
    readonly device: string,
    readonly linktype: number,
    readonly snaplen: number,
    readonly onBatch: BatchCallback,
    readonly onError: CaptureErrorCallback,
  ) {}
  close(): void {
    if (!this.isOpen) {
      throw Object.assign(new Error("close: already closed"), { code: "ERR_PCAP_CLOSED" });
    }
    this.isOpen = false;
  }
  stats(): NativeStats {
    if (!this.isOpen) throw Object.assign(new Error("closed"), { code: "ERR_PCAP_CLOSED" });
    return { ...this.counters };
  }
  setFilter(expression: string): void {
    this.filters.push(expression);
  }
  inject(frame: Uint8Array): number {
    return frame.length;
  }
}

class FakeAddon implements PcapAddon {
  readonly opened: FakeHandle[] = [];
  readonly options: NativeOpenOptions[] = [];
  readonly linktypes: Record<string, number> = { any: LINKTYPE_LINUX_SLL };
  openLive(o: NativeOpenOptions, onBatch: BatchCallback, onError: CaptureErrorCallback) {
    if (o.device.startsWith("missing")) {
      throw Object.assign(new Error(`cannot capture on ${o.device}: no such device`), {
        code: "ERR_PCAP_NO_SUCH_DEVICE",
      });
    }
    this.options.push(o);
    const h = new FakeHandle(
      o.device,
      this.linktypes[o.device] ?? LINKTYPE_ETHERNET,
      o.snaplen ?? 262144,
      onBatch,
      onError,
    );
    this.opened.push(h);
    return h;
  }
  compileFilter(): never {
    throw new Error("not used");
  }
  validateFilter(expression: string, linktype?: number): string | null {
    if (expression === "bad") return "can't parse filter expression: syntax error";
    if (expression === "ether only" && linktype !== LINKTYPE_ETHERNET) return "not on this link";
    return null;
  }
  listInterfaces() {
    return [];
  }
  libVersion(): string {
    return "fake";
  }
  threadAffinity(): number[] {
    return [0];
  }
  setThreadAffinity(): void {}
  dropCapabilities(): number {
    return 1;
  }
}

class Recorder implements PacketSink {
  readonly seen: [number, number, number][] = [];
  packet(
    _b: Uint8Array,
    _o: number,
    caplen: number,
    _origlen: number,
    tsSec: number,
    _n: number,
    linktype: number,
  ): void {
    this.seen.push([tsSec, caplen, linktype]);
  }
}

function batchOf(...caplens: number[]): BatchBuilder {
  const b = new BatchBuilder(4096);
  for (const [i, n] of caplens.entries()) b.add(new Uint8Array(n), 100 + i, 0);
  return b;
}

function code(c: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof LiveCaptureError && e.code === c;
}

describe("LiveSource", () => {
  test("opens every interface with the configured options and walks their batches", () => {
    const addon = new FakeAddon();
    const sink = new Recorder();
    const source = createLiveSource(
      { interfaces: ["eth0", "any"], snaplen: 128, timeoutMs: 10, bufferSize: 1 << 20 },
      sink,
      { addon },
    );
    assert.equal(source.running, false);
    source.start();
    assert.equal(source.running, true);
    assert.deepEqual(addon.options, [
      { device: "eth0", snaplen: 128, timeoutMs: 10, bufferSize: 1 << 20 },
      { device: "any", snaplen: 128, timeoutMs: 10, bufferSize: 1 << 20 },
    ]);
    assert.deepEqual(
      source.interfaces.map((i) => [i.name, i.linktype]),
      [
        ["eth0", LINKTYPE_ETHERNET],
        ["any", LINKTYPE_LINUX_SLL],
      ],
    );
    const [eth0, any] = addon.opened;
    const a = batchOf(60, 61);
    eth0.onBatch(a.buffer, a.byteLength, a.count);
    const b = batchOf(70);
    any.onBatch(b.buffer, b.byteLength, b.count);
    assert.deepEqual(sink.seen, [
      [100, 60, LINKTYPE_ETHERNET],
      [101, 61, LINKTYPE_ETHERNET],
      [100, 70, LINKTYPE_LINUX_SLL],
    ]);
    source.stop();
    assert.deepEqual(
      addon.opened.map((h) => h.isOpen),
      [false, false],
    );
  });

  test("stats add up the interfaces and keep the totals at stop", () => {
    const addon = new FakeAddon();
    const source = createLiveSource({ interfaces: ["a", "b"] }, new Recorder(), { addon });
    assert.equal(source.stats().received, 0);
    source.start();
    addon.opened[0].counters = {
      ...addon.opened[0].counters,
      received: 10,
      dropped: 1,
      packets: 9,
    };
    addon.opened[1].counters = {
      ...addon.opened[1].counters,
      received: 5,
      ifDropped: 2,
      packets: 5,
    };
    const s = source.stats();
    assert.equal(s.received, 15);
    assert.equal(s.dropped, 1);
    assert.equal(s.ifDropped, 2);
    assert.equal(s.packets, 14);
    assert.deepEqual(
      s.interfaces.map((i) => [i.name, i.received]),
      [
        ["a", 10],
        ["b", 5],
      ],
    );
    source.stop();
    assert.equal(source.stats().received, 15, "the totals at stop stay readable");
  });

  test("a filter is checked for every interface's link type before any is set", () => {
    const addon = new FakeAddon();
    const source = createLiveSource(
      { interfaces: ["eth0", "any"], filter: "udp" },
      new Recorder(),
      {
        addon,
      },
    );
    source.start();
    assert.deepEqual(
      addon.opened.map((h) => h.filters),
      [["udp"], ["udp"]],
    );
    assert.throws(
      () => source.setFilter("ether only"),
      (e: unknown) =>
        code("ERR_PCAP_FILTER")(e) &&
        e instanceof Error &&
        e.message === `invalid filter "ether only" for any: not on this link`,
    );
    assert.deepEqual(
      addon.opened.map((h) => h.filters),
      [["udp"], ["udp"]],
      "no interface got the rejected filter",
    );
    source.setFilter("tcp");
    assert.deepEqual(
      addon.opened.map((h) => h.filters),
      [
        ["udp", "tcp"],
        ["udp", "tcp"],
      ],
    );
    source.stop();
  });

  test("a failed start closes what it opened and says why", () => {
    const addon = new FakeAddon();
    const source = createLiveSource({ interfaces: ["eth0", "missing0"] }, new Recorder(), {
      addon,
    });
    assert.throws(() => source.start(), code("ERR_PCAP_NO_SUCH_DEVICE"));
    assert.equal(addon.opened[0].isOpen, false);
    assert.equal(source.running, false);

    const bad = createLiveSource({ interfaces: ["eth0"], filter: "bad" }, new Recorder(), {
      addon,
    });
    assert.throws(
      () => bad.start(),
      (e: unknown) =>
        code("ERR_PCAP_FILTER")(e) &&
        e instanceof Error &&
        e.message === `invalid filter "bad" for eth0: can't parse filter expression: syntax error`,
    );
    assert.equal(addon.opened[1].isOpen, false);
  });

  test("start twice and stop twice are errors with codes", () => {
    const source = createLiveSource({ interfaces: ["eth0"] }, new Recorder(), {
      addon: new FakeAddon(),
    });
    assert.throws(() => source.stop(), code("ERR_LIVE_STATE"));
    source.start();
    assert.throws(() => source.start(), code("ERR_LIVE_STATE"));
    source.stop();
    assert.throws(() => source.stop(), code("ERR_LIVE_STATE"));
  });

  test("pause keeps every handle open, filters everything out and counts nothing until resume", () => {
    const addon = new FakeAddon();
    const sink = new Recorder();
    const source = createLiveSource({ interfaces: ["a", "b"], filter: "udp" }, sink, { addon });
    source.start();
    const batch = batchOf(60);
    addon.opened[0].onBatch(batch.buffer, batch.byteLength, batch.count);
    assert.equal(sink.seen.length, 1);
    addon.opened[0].counters = { ...addon.opened[0].counters, received: 7 };

    source.pause();
    assert.equal(source.running, false);
    assert.equal(source.paused, true);
    assert.deepEqual(
      addon.opened.map((h) => [h.isOpen, h.filters]),
      [
        [true, ["udp", DISCARD_FILTER]],
        [true, ["udp", DISCARD_FILTER]],
      ],
    );
    assert.deepEqual(
      source.interfaces.map((i) => i.name),
      ["a", "b"],
      "still open",
    );
    // A batch read from the ring after the pause is thrown away.
    addon.opened[1].onBatch(batch.buffer, batch.byteLength, batch.count);
    assert.equal(sink.seen.length, 1);
    assert.equal(source.stats().received, 7, "stats still answer while paused");
    // A new filter is checked now and set at resume.
    assert.throws(() => source.setFilter("bad"), code("ERR_PCAP_FILTER"));
    source.setFilter("tcp");
    assert.equal(addon.opened[0].filters.length, 2);

    source.resume();
    assert.equal(source.running, true);
    assert.equal(source.paused, false);
    assert.deepEqual(addon.opened[0].filters, ["udp", DISCARD_FILTER, "tcp"]);
    addon.opened[1].onBatch(batch.buffer, batch.byteLength, batch.count);
    assert.equal(sink.seen.length, 2);
    assert.equal(addon.opened.length, 2, "nothing was reopened");
    source.pause();
    source.stop();
    assert.deepEqual(
      addon.opened.map((h) => h.isOpen),
      [false, false],
      "stop closes a paused source",
    );
    assert.equal(source.paused, false);
  });

  test("pause and resume out of turn are errors with codes; resume without a filter clears it", () => {
    const addon = new FakeAddon();
    const source = createLiveSource({ interfaces: ["eth0"] }, new Recorder(), { addon });
    assert.throws(() => source.pause(), code("ERR_LIVE_STATE"));
    source.start();
    assert.throws(() => source.resume(), code("ERR_LIVE_STATE"));
    source.pause();
    assert.throws(() => source.pause(), code("ERR_LIVE_STATE"));
    assert.throws(() => source.start(), code("ERR_LIVE_STATE"));
    source.resume();
    assert.deepEqual(addon.opened[0].filters, [DISCARD_FILTER, ""]);
    source.stop();
  });

  test("bad interface lists are refused before anything opens", () => {
    const sink = new Recorder();
    assert.throws(() => createLiveSource({ interfaces: [] }, sink), code("ERR_LIVE_CONFIG"));
    assert.throws(
      () => createLiveSource({ interfaces: ["eth0", "eth0"] }, sink),
      (e: unknown) =>
        code("ERR_LIVE_CONFIG")(e) &&
        e instanceof Error &&
        e.message === "interface eth0 is listed twice",
    );
  });

  test("a read error reaches onError as a LiveCaptureError", () => {
    const addon = new FakeAddon();
    const errors: LiveCaptureError[] = [];
    const source = createLiveSource({ interfaces: ["eth0"] }, new Recorder(), {
      addon,
      onError: (e) => errors.push(e),
    });
    source.start();
    addon.opened[0].onError(
      Object.assign(new Error("capture on eth0 stopped: the interface went down"), {
        code: "ERR_PCAP_READ",
      }),
    );
    assert.deepEqual(
      errors.map((e) => [e.code, e.message]),
      [["ERR_PCAP_READ", "capture on eth0 stopped: the interface went down"]],
    );
    source.stop();
  });
});
