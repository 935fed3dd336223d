import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as F from "../../test/support/frames.js";
import { LINKTYPE_IPV4, LINKTYPE_IPV6 } from "../packet/link-types.js";
import { DECODE_OK } from "./decode-status.js";
import { Decoder, FRAGMENT_MAX_AGE_SEC, FRAGMENT_SLOTS } from "./decoder.js";
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from "./protocols.js";

const V4 = { src: "10.0.0.1", dst: "10.0.0.2", proto: IPPROTO_UDP };

/** A UDP datagram of `n` data bytes from sport to 9000, cut into IPv4 fragments. */
function udpFragments(id: number, sport: number, n = 3000, src = V4.src): Uint8Array[] {
  return F.ipv4Fragments(
    { ...V4, src, id },
    F.udp({ sport, dport: 9000 }, new Uint8Array(n)),
    1480,
  );
}

function decode4(d: Decoder, p: Uint8Array, ts = 0): Decoder {
  d.decode(p, 0, p.length, LINKTYPE_IPV4, ts);
  return d;
}

function decode6(d: Decoder, p: Uint8Array, ts = 0): Decoder {
  d.decode(p, 0, p.length, LINKTYPE_IPV6, ts);
  return d;
}

function frag(list: readonly Uint8Array[], i: number): Uint8Array {
  const f = list[i];
  if (f === undefined) throw new Error(`no fragment ${i}`);
  return f;
}

describe("Decoder: IPv4 fragments", () => {
  it("parses ports from the first fragment and marks it a fragment with more to come", () => {
    const d = decode4(new Decoder(), frag(udpFragments(1, 5001), 0));
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.isFragment, 1);
    assert.equal(d.moreFragments, 1);
    assert.equal(d.fragOffset, 0);
    assert.equal(d.hasPorts, 1);
    assert.equal(d.sport, 5001);
    assert.equal(d.dport, 9000);
    assert.equal(d.ipPayloadLen, 1480);
    assert.equal(d.l4PayloadLen, 1472);
  });

  it("gives later fragments the ports of their first fragment", () => {
    const d = new Decoder();
    const frags = udpFragments(0x1001, 5001);
    assert.equal(frags.length, 3);
    decode4(d, frag(frags, 0));
    for (const [i, offset] of [
      [1, 1480],
      [2, 2960],
    ] as const) {
      decode4(d, frag(frags, i));
      assert.equal(d.status, DECODE_OK);
      assert.equal(d.fragOffset, offset);
      assert.equal(d.isFragment, 1);
      assert.equal(d.moreFragments, i === 1 ? 1 : 0);
      assert.equal(d.hasPorts, 1);
      assert.equal(d.sport, 5001);
      assert.equal(d.dport, 9000);
      assert.equal(d.proto, IPPROTO_UDP);
      assert.equal(d.l4Offset, -1);
      assert.equal(d.tcpFlags, 0);
      assert.equal(d.l4PayloadLen, d.ipPayloadLen);
    }
  });

  it("gives a later fragment no ports when it arrives before its first fragment", () => {
    const d = new Decoder();
    const frags = udpFragments(0x1002, 5002);
    decode4(d, frag(frags, 2));
    assert.equal(d.hasPorts, 0);
    assert.equal(d.sport, 0);
    decode4(d, frag(frags, 0));
    assert.equal(d.sport, 5002);
    decode4(d, frag(frags, 1));
    assert.equal(d.hasPorts, 1);
    assert.equal(d.sport, 5002);
  });

  it("matches on source, destination, protocol and identification exactly", () => {
    const d = new Decoder();
    decode4(d, frag(udpFragments(7, 5007), 0));
    const later = (h: Partial<F.Ipv4Header>) =>
      F.ipv4({ ...V4, id: 7, fragOffset: 1480, ...h }, new Uint8Array(16));
    assert.equal(decode4(d, later({})).hasPorts, 1);
    assert.equal(decode4(d, later({ id: 8 })).hasPorts, 0);
    assert.equal(decode4(d, later({ src: "10.0.0.9" })).hasPorts, 0);
    assert.equal(decode4(d, later({ dst: "10.0.0.9" })).hasPorts, 0);
    assert.equal(decode4(d, later({ proto: IPPROTO_TCP })).hasPorts, 0);
  });

  it("ignores a remembered first fragment older than 30 s of packet time", () => {
    const frags = udpFragments(9, 5009);
    const d = new Decoder();
    decode4(d, frag(frags, 0), 1000);
    assert.equal(decode4(d, frag(frags, 1), 1000 + FRAGMENT_MAX_AGE_SEC).hasPorts, 1);
    assert.equal(decode4(d, frag(frags, 2), 1000 + FRAGMENT_MAX_AGE_SEC + 1).hasPorts, 0);
    // Time running backwards by more than the limit (another interface's clock) also misses.
    assert.equal(decode4(d, frag(frags, 2), 1000 - FRAGMENT_MAX_AGE_SEC - 1).hasPorts, 0);
  });

  it("remembers a datagram only for a first fragment with ports, not for whole datagrams", () => {
    const d = new Decoder();
    // A whole datagram with the same key as the later fragment below leaves nothing behind.
    const whole = F.ipv4({ ...V4, id: 11 }, F.udp({ sport: 1, dport: 2 }));
    decode4(d, whole);
    const later = F.ipv4({ ...V4, id: 11, fragOffset: 8 }, new Uint8Array(8));
    assert.equal(decode4(d, later).hasPorts, 0);
    // An ICMP first fragment has no ports to lend.
    const icmp = F.ipv4Fragments(
      { ...V4, proto: IPPROTO_ICMP, id: 12 },
      F.icmpEcho({ id: 1, seq: 1 }, new Uint8Array(2000)),
      1480,
    );
    decode4(d, frag(icmp, 0));
    assert.equal(d.icmpId, 1);
    decode4(d, frag(icmp, 1));
    assert.equal(d.hasPorts, 0);
    assert.equal(d.icmpType, -1);
  });

  it("keeps the table to a fixed number of slots, overwriting on collision", () => {
    assert.equal(new Decoder().fragmentSlots, FRAGMENT_SLOTS);
    assert.equal(new Decoder(100).fragmentSlots, 128);
    const d = new Decoder(16);
    const datagrams = Array.from({ length: 1000 }, (_, i) =>
      udpFragments(i, 1000 + (i % 60000), 1600),
    );
    for (const frags of datagrams) decode4(d, frag(frags, 0));
    let remembered = 0;
    for (const [i, frags] of datagrams.entries()) {
      decode4(d, frag(frags, 1));
      if (d.hasPorts === 1) {
        remembered++;
        assert.equal(d.sport, 1000 + (i % 60000), "a hit is always the right datagram");
      }
    }
    assert.ok(remembered <= 16, `${remembered} remembered in 16 slots`);
    // The most recent first fragment is always there.
    decode4(d, frag(datagrams[999] ?? [], 1));
    assert.equal(d.hasPorts, 1);
  });

  it("overwrites the one slot of a one-slot table with each new datagram", () => {
    const d = new Decoder(1);
    const a = udpFragments(1, 1111);
    const b = udpFragments(2, 2222);
    decode4(d, frag(a, 0));
    decode4(d, frag(b, 0));
    assert.equal(decode4(d, frag(a, 1)).hasPorts, 0);
    assert.equal(decode4(d, frag(b, 1)).sport, 2222);
  });

  it("forgets everything on clearFragments", () => {
    const d = new Decoder();
    const frags = udpFragments(3, 3333);
    decode4(d, frag(frags, 0));
    d.clearFragments();
    assert.equal(decode4(d, frag(frags, 1)).hasPorts, 0);
  });
});

describe("Decoder: IPv6 fragments", () => {
  const h = { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_UDP };

  it("parses ports from the offset-0 fragment and lends them to the later ones", () => {
    const frags = F.ipv6Fragments(
      h,
      0xabcdef01,
      F.udp({ sport: 5003, dport: 9000 }, new Uint8Array(3000)),
      1448,
    );
    assert.equal(frags.length, 3);
    const d = new Decoder();
    decode6(d, frag(frags, 0));
    assert.equal(d.status, DECODE_OK);
    assert.equal(d.ipId, 0xabcdef01);
    assert.equal(d.isFragment, 1);
    assert.equal(d.moreFragments, 1);
    assert.equal(d.sport, 5003);
    assert.equal(d.l4Offset, 48);
    for (const i of [1, 2]) {
      decode6(d, frag(frags, i));
      assert.equal(d.status, DECODE_OK);
      assert.equal(d.fragOffset, i * 1448);
      assert.equal(d.hasPorts, 1);
      assert.equal(d.sport, 5003);
      assert.equal(d.dport, 9000);
      assert.equal(d.proto, IPPROTO_UDP);
      assert.equal(d.l4Offset, -1);
    }
  });

  it("gives a later IPv6 fragment no ports before its first, and none for another id", () => {
    const frags = F.ipv6Fragments(h, 77, F.udp({ sport: 1, dport: 2 }, new Uint8Array(100)), 64);
    const d = new Decoder();
    assert.equal(decode6(d, frag(frags, 1)).hasPorts, 0);
    assert.equal(d.proto, IPPROTO_UDP);
    decode6(d, frag(frags, 0));
    const other = F.ipv6Fragments(h, 78, F.udp({ sport: 1, dport: 2 }, new Uint8Array(100)), 64);
    assert.equal(decode6(d, frag(other, 1)).hasPorts, 0);
    assert.equal(decode6(d, frag(frags, 1)).hasPorts, 1);
  });

  it("reports the transport protocol found behind destination options in the first fragment", () => {
    // The fragmentable part starts with destination options: later fragments say 60, and
    // the table turns that into the TCP of the first fragment.
    const segment = F.concat(
      F.hex("06 00 01 04 00000000"), // destination options, next header TCP, PadN
      F.tcp({ sport: 4444, dport: 80, flags: "A" }, new Uint8Array(200)),
    );
    const frags = F.ipv6Fragments({ ...h, nextHeader: 60 }, 99, segment, 128);
    const d = new Decoder();
    decode6(d, frag(frags, 0));
    assert.equal(d.proto, IPPROTO_TCP);
    assert.equal(d.sport, 4444);
    decode6(d, frag(frags, 1));
    assert.equal(d.proto, IPPROTO_TCP);
    assert.equal(d.hasPorts, 1);
    assert.equal(d.dport, 80);
  });

  it("ages IPv6 entries like IPv4 ones", () => {
    const frags = F.ipv6Fragments(h, 5, F.udp({ sport: 1, dport: 2 }, new Uint8Array(100)), 64);
    const d = new Decoder();
    decode6(d, frag(frags, 0), 50);
    assert.equal(decode6(d, frag(frags, 1), 81).hasPorts, 0);
  });
});
