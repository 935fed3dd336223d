import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { TRAFFIC_KINDS } from "../../../test/support/live-traffic.js";
import { pcapAddon, requireAddon, skipWithoutAddon } from "../../../test/support/pcap.js";
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from "../../packet/link-types.js";
import { LiveCaptureError } from "./live-errors.js";
import { DEFAULT_ADDON_PATH, loadPcapAddon, tryLoadPcapAddon } from "./pcap-addon.js";

function isLive(code: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof LiveCaptureError && e.code === code;
}

describe("loading the addon", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-addon-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a missing addon says what to install and how to rebuild", () => {
    const path = join(dir, "missing.node");
    assert.throws(
      () => loadPcapAddon(path),
      (e: unknown) =>
        isLive("ERR_ADDON_MISSING")(e) &&
        e instanceof Error &&
        e.message.includes(`${path} is missing`) &&
        e.message.includes("apt-get install libpcap-dev") &&
        e.message.includes("npm run build:native") &&
        e.message.includes("netnet replay FILE"),
    );
    assert.equal(tryLoadPcapAddon(path), null);
  });

  test("a file that is no loadable addon says so, with the same fix", () => {
    const path = join(dir, "broken.node");
    writeFileSync(path, "not an ELF file");
    assert.throws(
      () => loadPcapAddon(path),
      (e: unknown) =>
        isLive("ERR_ADDON_LOAD")(e) &&
        e instanceof Error &&
        e.message.includes("does not load") &&
        e.message.includes("npm run build:native"),
    );
  });

  test("the built addon loads from its default path, once", { skip: skipWithoutAddon }, () => {
    const addon = loadPcapAddon(DEFAULT_ADDON_PATH);
    assert.equal(loadPcapAddon(), addon);
    assert.match(addon.libVersion(), /^libpcap version 1\.\d+/);
  });
});

describe("BPF through libpcap", { skip: skipWithoutAddon }, () => {
  const udp4 = TRAFFIC_KINDS.udp4.frame;
  const tcp4 = TRAFFIC_KINDS.tcp4.frame;
  const udp6 = TRAFFIC_KINDS.udp6.frame;

  test("validateFilter: null for a good expression, libpcap's message for a bad one", () => {
    const addon = requireAddon();
    assert.equal(addon.validateFilter("udp port 53 or tcp"), null);
    assert.equal(addon.validateFilter(""), null);
    assert.equal(addon.validateFilter("udp por 53"), "can't parse filter expression: syntax error");
    assert.equal(addon.validateFilter("port 99999"), "illegal port number 99999 > 65535");
    // Valid for Ethernet, not for raw IP: the link type matters.
    assert.equal(addon.validateFilter("ether host 02:00:00:00:00:01", LINKTYPE_ETHERNET), null);
    assert.equal(
      addon.validateFilter("ether host 02:00:00:00:00:01", LINKTYPE_RAW),
      "ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel",
    );
    // LINKTYPE_RAW (101) is DLT_RAW (12 on Linux) for the compiler; both are accepted.
    assert.equal(addon.validateFilter("ip", LINKTYPE_RAW), null);
    assert.equal(addon.validateFilter("ip", 12), null);
  });

  test("compileFilter: match decides as libpcap does", () => {
    const addon = requireAddon();
    const p = addon.compileFilter(`udp dst port 5001`);
    assert.equal(p.linktype, LINKTYPE_ETHERNET);
    assert.ok(p.instructionCount > 0);
    assert.equal(p.match(udp4, 0, udp4.length, udp4.length), true);
    assert.equal(p.match(tcp4, 0, tcp4.length, tcp4.length), false);
    assert.equal(p.match(udp6, 0, udp6.length, udp6.length), false);
    // A view at an offset: the same frame after 3 other bytes.
    const shifted = new Uint8Array(udp4.length + 3);
    shifted.set(udp4, 3);
    assert.equal(p.match(shifted, 3, udp4.length, udp4.length), true);
    // Cut to 20 bytes (snaplen), the UDP header is not there: BPF rejects.
    assert.equal(p.match(udp4, 0, 20, udp4.length), false);
  });

  test("setBuffer and matchAt read the same bytes without passing them each time", () => {
    const addon = requireAddon();
    const p = addon.compileFilter("tcp[tcpflags] & tcp-syn != 0");
    const buf = new Uint8Array(udp4.length + tcp4.length);
    buf.set(udp4, 0);
    buf.set(tcp4, udp4.length);
    p.setBuffer(buf);
    assert.equal(p.matchAt(0, udp4.length, udp4.length), false);
    assert.equal(p.matchAt(udp4.length, tcp4.length, tcp4.length), true);
  });

  test("bounds and argument errors are clear, never a crash", () => {
    const addon = requireAddon();
    const p = addon.compileFilter("udp");
    assert.throws(() => p.match(udp4, 10, udp4.length, udp4.length), RangeError);
    assert.throws(() => p.matchAt(0, 10, 10), /no buffer set/);
    p.setBuffer(udp4);
    assert.throws(() => p.matchAt(udp4.length, 1, 1), RangeError);
    assert.throws(
      () => addon.compileFilter("udp por 1"),
      (e: unknown) =>
        e instanceof Error &&
        "code" in e &&
        e.code === "ERR_PCAP_FILTER" &&
        e.message === `invalid filter "udp por 1": can't parse filter expression: syntax error`,
    );
    const untyped: unknown = addon;
    assert.ok(pcapAddon !== null && typeof untyped === "object");
    assert.throws(() => Reflect.apply(addon.validateFilter, addon, [42]), TypeError);
    assert.throws(() => Reflect.apply(addon.openLive, addon, [{}]), TypeError);
    assert.throws(
      () =>
        addon.openLive(
          { device: "" },
          () => {},
          () => {},
        ),
      /options.device must be a device name/,
    );
    assert.throws(
      () =>
        addon.openLive(
          { device: "lo", snaplen: 0 },
          () => {},
          () => {},
        ),
      /options.snaplen must be a whole number from 1 to 262144/,
    );
  });

  const notRoot = process.getuid?.() === 0 ? false : "without root every open is refused first";
  test("opening a device that does not exist names it", { skip: notRoot }, () => {
    const addon = requireAddon();
    assert.throws(
      () =>
        addon.openLive(
          { device: "nosuchdev0" },
          () => {},
          () => {},
        ),
      (e: unknown) =>
        e instanceof Error &&
        "code" in e &&
        e.code === "ERR_PCAP_NO_SUCH_DEVICE" &&
        e.message.startsWith("cannot capture on nosuchdev0: no such device"),
    );
  });
});
