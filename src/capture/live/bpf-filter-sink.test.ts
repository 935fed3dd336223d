import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ipv4, udp } from "../../../test/support/frames.js";
import { TRAFFIC_KINDS } from "../../../test/support/live-traffic.js";
import { requireAddon, skipWithoutAddon } from "../../../test/support/pcap.js";
import { IPPROTO_UDP } from "../../decode/protocols.js";
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import { BpfFilterSink } from "./bpf-filter-sink.js";
import { LiveCaptureError } from "./live-errors.js";

class CountingSink implements PacketSink {
  readonly seen: [number, number][] = [];
  packet(
    _buf: Uint8Array,
    off: number,
    caplen: number,
    _origlen: number,
    _tsSec: number,
    _tsNsec: number,
    linktype: number,
  ): void {
    this.seen.push([off, linktype]);
    assert.ok(caplen > 0);
  }
}

describe("BpfFilterSink", { skip: skipWithoutAddon }, () => {
  const udp4 = TRAFFIC_KINDS.udp4.frame;
  const tcp4 = TRAFFIC_KINDS.tcp4.frame;

  test("passes exactly the matching packets on, counting both", () => {
    const inner = new CountingSink();
    const sink = new BpfFilterSink(requireAddon(), "udp", inner);
    const buf = new Uint8Array(udp4.length + tcp4.length);
    buf.set(udp4, 0);
    buf.set(tcp4, udp4.length);
    for (let i = 0; i < 3; i++) {
      sink.packet(buf, 0, udp4.length, udp4.length, 1, 0, LINKTYPE_ETHERNET);
      sink.packet(buf, udp4.length, tcp4.length, tcp4.length, 1, 0, LINKTYPE_ETHERNET);
    }
    assert.deepEqual(inner.seen, [
      [0, LINKTYPE_ETHERNET],
      [0, LINKTYPE_ETHERNET],
      [0, LINKTYPE_ETHERNET],
    ]);
    assert.equal(sink.matched, 3);
    assert.equal(sink.rejected, 3);
  });

  test("compiles once per link type met, and follows buffer changes", () => {
    const inner = new CountingSink();
    const sink = new BpfFilterSink(requireAddon(), "udp dst port 9", inner);
    const raw = ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP },
      udp({ sport: 1, dport: 9 }),
    );
    const eth = TRAFFIC_KINDS.udp4.frame; // dport 5001: no match
    sink.packet(raw, 0, raw.length, raw.length, 1, 0, LINKTYPE_RAW);
    sink.packet(eth, 0, eth.length, eth.length, 1, 0, LINKTYPE_ETHERNET);
    sink.packet(raw.slice(), 0, raw.length, raw.length, 1, 0, LINKTYPE_RAW);
    assert.deepEqual(inner.seen, [
      [0, LINKTYPE_RAW],
      [0, LINKTYPE_RAW],
    ]);
    assert.equal(sink.rejected, 1);
  });

  test("a syntax error is reported at construction, with libpcap's message", () => {
    assert.throws(
      () => new BpfFilterSink(requireAddon(), "tcp port", new CountingSink()),
      (e: unknown) =>
        e instanceof LiveCaptureError &&
        e.code === "ERR_PCAP_FILTER" &&
        e.message === `invalid filter "tcp port": can't parse filter expression: syntax error`,
    );
  });

  test("a filter the file's link type cannot take names the link type", () => {
    const sink = new BpfFilterSink(requireAddon(), "ether broadcast", new CountingSink());
    const raw = ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP },
      udp({ sport: 1, dport: 9 }),
    );
    assert.throws(
      () => sink.packet(raw, 0, raw.length, raw.length, 1, 0, LINKTYPE_RAW),
      (e: unknown) =>
        e instanceof LiveCaptureError &&
        e.code === "ERR_PCAP_FILTER" &&
        e.message.startsWith(`invalid filter "ether broadcast": `) &&
        e.message.endsWith("(for link type RAW, met in the file)"),
    );
  });
});
