import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as F from "./frames.js";

describe("frame builders", () => {
  it("writes an IPv4 header with the RFC 1071 checksum of a known example", () => {
    // The classic example: 192.168.0.1 -> 192.168.0.199, UDP, id 0, DF, TTL 64, checksum b861.
    const ip = F.ipv4(
      { src: "192.168.0.1", dst: "192.168.0.199", proto: 17, df: true, l4Checksum: false },
      new Uint8Array(0x73 - 20),
    );
    assert.equal(F.toHex(ip.subarray(0, 20)), "45000073000040004011b861c0a80001c0a800c7");
  });

  it("fills TCP, UDP and ICMPv6 checksums that verify against the pseudo-header", () => {
    const tcp = F.ipv4(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 6 },
      F.tcp({ sport: 1, dport: 2, flags: "S" }, F.hex("616263")),
    );
    assert.equal(F.internetChecksum(F.hex("0a000001 0a000002 0006 0017"), tcp.subarray(20)), 0);
    const udp = F.ipv6(
      { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: 17 },
      F.udp({ sport: 1, dport: 2 }, F.hex("ff")),
    );
    const pseudo6 = F.concat(
      F.ipv6Bytes("2001:db8::1"),
      F.ipv6Bytes("2001:db8::2"),
      F.hex("00000009 00000011"),
    );
    assert.equal(F.internetChecksum(pseudo6, udp.subarray(40)), 0);
    const icmp = F.icmpEcho({ id: 1, seq: 2 }, F.hex("0102"));
    assert.equal(F.internetChecksum(icmp), 0);
  });

  it("stacks VLAN tags outermost first, each TPID in the header before it", () => {
    const frame = F.ethernetTagged(
      "02:00:00:00:00:02",
      "02:00:00:00:00:01",
      [
        { id: 10, tpid: 0x88a8 },
        { id: 20, pcp: 5 },
      ],
      0x0800,
      F.hex("45"),
    );
    assert.equal(F.toHex(frame.subarray(12)), "88a8000a8100a014080045");
  });

  it("chains IPv6 extension headers with their next-header values and 8-byte lengths", () => {
    const p = F.ipv6(
      { src: "::1", dst: "::2", nextHeader: 59, ext: [{ type: 0 }, { type: 51, spi: 1, seq: 2 }] },
      new Uint8Array(0),
    );
    assert.equal(p[6], 0); // first header: hop-by-hop
    assert.equal(F.toHex(p.subarray(40, 48)), "3300010400000000"); // next AH, len 0, PadN 4
    assert.equal(p[48], 59); // AH's next header
    assert.equal(p[49], 4); // AH length: 24 bytes = (4 + 2) * 4
    assert.equal(p.length, 40 + 8 + 24);
  });

  it("cuts fragments on 8-byte boundaries that cover the whole datagram", () => {
    const segment = F.udp({ sport: 1, dport: 2 }, new Uint8Array(100));
    const frags = F.ipv4Fragments(
      { src: "10.0.0.1", dst: "10.0.0.2", proto: 17, id: 5 },
      segment,
      50,
    );
    assert.deepEqual(
      frags.map((f) => f.length - 20),
      [48, 48, 12],
    );
    assert.deepEqual(
      frags.map((f) => (((f[6] ?? 0) << 8) | (f[7] ?? 0)).toString(16)),
      ["2000", "2006", "c"],
    );
  });

  it("parses TCP flag letters", () => {
    assert.equal(F.tcpFlags("SA"), 0x12);
    assert.equal(F.tcpFlags("FPAURSEC"), 0xff);
    assert.throws(() => F.tcpFlags("X"));
  });

  it("writes DNS names as labels", () => {
    const q = F.dns({ id: 0x1234, qname: "a.bc" });
    assert.equal(F.toHex(q), "123401000001000000000000016102626300" + "00010001");
  });
});
