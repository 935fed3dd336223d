import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  formatAddress,
  formatDestination,
  formatIpv4,
  formatSource,
  parseAddress,
  parseIpv4,
} from "./address.js";
import { Decoder, L3_ARP, L3_IPV4, L3_IPV6 } from "./decoder.js";

function fmt(text: string): string {
  const a = parseAddress(text);
  if (a === undefined) throw new Error(`unparsable ${text}`);
  return formatAddress(a.words[0], a.words[1], a.words[2], a.words[3], a.family);
}

describe("address formatting", () => {
  it("formats IPv4 words as dotted quads, including the extremes", () => {
    assert.equal(formatIpv4(0), "0.0.0.0");
    assert.equal(formatIpv4(0xffffffff), "255.255.255.255");
    assert.equal(formatIpv4(0xc0a80001), "192.168.0.1");
    assert.equal(formatAddress(0, 0, 0, 0x0a000001, 4), "10.0.0.1");
  });

  it("formats IPv6 as RFC 5952 says: lower case, no leading zeros, longest zero run as ::", () => {
    const cases: [string, string][] = [
      ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
      ["0:0:0:0:0:0:0:0", "::"],
      ["0:0:0:0:0:0:0:1", "::1"],
      ["fe80:0:0:0:0:0:0:0", "fe80::"],
      // A single zero group is not compressed (section 4.2.2).
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      // The longest run wins (section 4.2.3)...
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
      // ...and the first of equal runs.
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
      // IPv4-mapped addresses keep the dotted form (section 5).
      ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
      ["0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"],
    ];
    for (const [input, want] of cases) assert.equal(fmt(input), want, input);
  });

  it("formats a decoded record's addresses by its network layer", () => {
    const d = new Decoder();
    d.l3 = L3_IPV4;
    d.src3 = 0x0a000001;
    d.dst3 = 0x0a000002;
    assert.equal(formatSource(d), "10.0.0.1");
    assert.equal(formatDestination(d), "10.0.0.2");
    d.l3 = L3_ARP;
    assert.equal(formatSource(d), "10.0.0.1");
    d.l3 = L3_IPV6;
    d.src0 = 0x20010db8;
    assert.equal(formatSource(d), "2001:db8::a00:1");
    d.l3 = 0;
    assert.equal(formatSource(d), "");
  });
});

describe("address parsing", () => {
  it("parses IPv4 strictly: four decimal parts 0..255 without leading zeros", () => {
    assert.equal(parseIpv4("10.0.0.1"), 0x0a000001);
    assert.equal(parseIpv4("255.255.255.255"), 0xffffffff);
    for (const bad of [
      "10.0.0",
      "10.0.0.1.2",
      "256.0.0.1",
      "01.2.3.4",
      "1.2.3.-4",
      "a.b.c.d",
      "",
      "1..2.3",
    ]) {
      assert.equal(parseIpv4(bad), undefined, bad);
    }
    assert.deepEqual(parseAddress("192.0.2.1"), { family: 4, words: [0, 0, 0, 0xc0000201] });
  });

  it("parses every IPv6 form into four words", () => {
    assert.deepEqual(parseAddress("2001:db8::1"), { family: 6, words: [0x20010db8, 0, 0, 1] });
    assert.deepEqual(parseAddress("::"), { family: 6, words: [0, 0, 0, 0] });
    assert.deepEqual(parseAddress("FE80::1:2"), {
      family: 6,
      words: [0xfe800000, 0, 0, 0x00010002],
    });
    assert.deepEqual(parseAddress("::ffff:10.0.0.1"), {
      family: 6,
      words: [0, 0, 0xffff, 0x0a000001],
    });
    assert.deepEqual(parseAddress("1:2:3:4:5:6:7:8"), {
      family: 6,
      words: [0x00010002, 0x00030004, 0x00050006, 0x00070008],
    });
  });

  it("rejects malformed IPv6 text", () => {
    for (const bad of [
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "12345::1",
      "1:2:3:4:5:6:7::8",
      "g::1",
      "fe80::1%eth0",
      ":1:2:3:4:5:6:7",
      "::1.2.3.4.5",
      "1.2.3.4::",
    ]) {
      assert.equal(parseAddress(bad), undefined, bad);
    }
  });

  it("round-trips any address: parse(format(words)) gives the words back", () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.nat({ max: 0xffffffff }));
    fc.assert(
      fc.property(word, word, word, word, fc.constantFrom(4, 6), (w0, w1, w2, w3, family) => {
        const words: [number, number, number, number] =
          family === 4 ? [0, 0, 0, w3] : [w0, w1, w2, w3];
        const text = formatAddress(words[0], words[1], words[2], words[3], family);
        assert.deepEqual(parseAddress(text), { family, words });
      }),
      { numRuns: 2000 },
    );
  });
});
