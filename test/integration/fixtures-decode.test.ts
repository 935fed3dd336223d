/**
 * Decodes every frame of every capture fixture (read with the capture file reader) and checks
 * the status counts and a few per-packet facts from test/fixtures/README.md; then cuts every
 * frame of every fixture at every length and decodes the pieces, which must never throw.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readCaptureFile } from "../../src/capture/file/capture-file-reader.js";
import { formatDestination, formatSource } from "../../src/decode/address.js";
import { DECODE_REASONS } from "../../src/decode/decode-status.js";
import { Decoder, L3_ARP, L3_IPV6 } from "../../src/decode/decoder.js";
import type { PacketSink } from "../../src/packet/packet-sink.js";
import { type DecodedRecord, record } from "../support/decoded.js";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/", import.meta.url));

interface Decoded {
  frame: Uint8Array;
  linktype: number;
  tsSec: number;
  rec: DecodedRecord;
  src: string;
  dst: string;
}

interface FixtureRun {
  packets: Decoded[];
  statuses: Record<string, number>;
  damaged: boolean;
  linktypes: Set<number>;
}

/** Reads a fixture and decodes every packet with one decoder, as the engine would. */
async function run(file: string): Promise<FixtureRun> {
  const d = new Decoder();
  const packets: Decoded[] = [];
  const statuses: Record<string, number> = {};
  const linktypes = new Set<number>();
  const sink: PacketSink = {
    packet(buf, off, caplen, _origlen, tsSec, _tsNsec, linktype) {
      const status = d.decode(buf, off, caplen, linktype, tsSec);
      const reason = DECODE_REASONS[status] ?? `unknown_${status}`;
      statuses[reason] = (statuses[reason] ?? 0) + 1;
      linktypes.add(linktype);
      packets.push({
        frame: buf.slice(off, off + caplen),
        linktype,
        tsSec,
        rec: record(d),
        src: formatSource(d),
        dst: formatDestination(d),
      });
    },
  };
  const result = await readCaptureFile(join(FIXTURES, file), sink);
  return { packets, statuses, damaged: result.damage !== null, linktypes };
}

/** What each fixture must decode to: packet count by status, and damage at the end. */
const EXPECTED: Record<
  string,
  { statuses: Record<string, number>; damaged?: boolean; linktypes: number[] }
> = {
  "link-ethernet.pcap": { statuses: { ok: 10 }, linktypes: [1] },
  "link-sll.pcap": { statuses: { ok: 7 }, linktypes: [113] },
  "link-sll2.pcap": { statuses: { ok: 7 }, linktypes: [276] },
  "link-null.pcap": { statuses: { ok: 6 }, linktypes: [0] },
  "link-loop.pcap": { statuses: { ok: 5 }, linktypes: [108] },
  "link-raw101.pcap": { statuses: { ok: 5 }, linktypes: [101] },
  "link-raw12.pcap": { statuses: { ok: 5 }, linktypes: [12] },
  "link-ipv4.pcap": { statuses: { ok: 3 }, linktypes: [228] },
  "link-ipv6.pcap": { statuses: { ok: 2 }, linktypes: [229] },
  "link-unsupported.pcap": { statuses: { unsupported_link_type: 2 }, linktypes: [147] },
  "vlan-qinq.pcap": { statuses: { ok: 7 }, linktypes: [1] },
  "ipv6-ext.pcap": { statuses: { ok: 9 }, linktypes: [1] },
  "fragments.pcap": { statuses: { ok: 13 }, linktypes: [1] },
  "ipv4-misc.pcap": { statuses: { ok: 4 }, linktypes: [1] },
  "tcp-states.pcap": { statuses: { ok: 35 }, linktypes: [1] },
  "tcp-states.pcap.gz": { statuses: { ok: 35 }, linktypes: [1] },
  "protocols.pcap": { statuses: { ok: 21 }, linktypes: [1] },
  "multi-section.pcapng": { statuses: { ok: 7 }, linktypes: [1, 101, 276] },
  "nanosecond.pcap": { statuses: { ok: 5 }, linktypes: [1] },
  "big-endian.pcap": { statuses: { ok: 5 }, linktypes: [1] },
  "snaplen-64.pcap": { statuses: { ok: 5 }, linktypes: [1] },
  "decode-errors.pcap": {
    statuses: {
      truncated_ethernet: 1,
      bad_ipv4_length: 1,
      bad_tcp_header: 1,
      truncated_ipv4: 1,
      truncated_tcp: 1,
      bad_ipv4_header: 1,
      ok: 1,
    },
    linktypes: [1],
  },
  "mixed.pcap": { statuses: { ok: 477 }, linktypes: [1] },
  "scan.pcap": { statuses: { ok: 73 }, linktypes: [1] },
  "truncated.pcap": { statuses: { ok: 4 }, damaged: true, linktypes: [1] },
  "corrupt-header.pcap": { statuses: { ok: 3 }, damaged: true, linktypes: [1] },
  "sctp.pcap": { statuses: { ok: 11 }, linktypes: [1] },
  "tso.pcap": { statuses: { ok: 9, ipv4_total_length_zero: 3 }, linktypes: [1] },
  "tcp-zeek.pcap": { statuses: { ok: 13 }, linktypes: [1] },
  "vlan-asymmetric.pcap": { statuses: { ok: 8 }, linktypes: [1] },
  "encapsulations.pcap": { statuses: { ok: 16 }, linktypes: [1] },
  "ppp.pcapng": { statuses: { ok: 6 }, linktypes: [9, 50, 51] },
  "wifi.pcapng": { statuses: { ok: 6 }, linktypes: [105, 127] },
  "tunnels.pcap": { statuses: { ok: 67 }, linktypes: [1] },
  "tunnel-depth.pcap": { statuses: { encapsulation_too_deep: 1 }, linktypes: [1] },
};

const runs = new Map<string, FixtureRun>();

function fixture(file: string): FixtureRun {
  const r = runs.get(file);
  if (r === undefined) throw new Error(`fixture ${file} was not read`);
  return r;
}

function column(file: string, f: (p: Decoded) => number | string): (number | string)[] {
  return fixture(file).packets.map(f);
}

describe("capture fixtures through the decoder", () => {
  before(async () => {
    for (const file of Object.keys(EXPECTED)) runs.set(file, await run(file));
  });
  after(() => runs.clear());

  it("has an expectation for every capture file in test/fixtures", () => {
    const files = readdirSync(FIXTURES).filter((f) => /\.(pcap|pcapng|pcap\.gz)$/.test(f));
    assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(`decodes ${file} to the expected status counts`, () => {
      const r = fixture(file);
      assert.deepEqual(r.statuses, want.statuses);
      assert.equal(r.damaged, want.damaged ?? false);
      assert.deepEqual(
        [...r.linktypes].sort((a, b) => a - b),
        want.linktypes,
      );
    });
  }

  it("finds the same IP packets on every link type of the link fixtures", () => {
    const basic = [
      "192.0.2.1 192.0.2.2 6 40000 80",
      "192.0.2.2 192.0.2.1 6 80 40000",
      "192.0.2.1 192.0.2.53 17 53000 53",
      "2001:db8::1 2001:db8::2 17 5000 5001",
      "2001:db8::1 2001:db8::2 58 0 0",
    ];
    const summary = (p: Decoded) =>
      `${p.src} ${p.dst} ${p.rec.proto} ${p.rec.sport} ${p.rec.dport}`;
    for (const file of [
      "link-ethernet.pcap",
      "link-sll.pcap",
      "link-sll2.pcap",
      "link-loop.pcap",
      "link-raw101.pcap",
      "link-raw12.pcap",
      "nanosecond.pcap",
      "big-endian.pcap",
      "snaplen-64.pcap",
    ]) {
      assert.deepEqual(fixture(file).packets.slice(0, 5).map(summary), basic, file);
    }
    assert.deepEqual(column("link-null.pcap", summary), [...basic, basic[3]]);
    assert.deepEqual(column("link-ipv4.pcap", summary), basic.slice(0, 3));
    assert.deepEqual(column("link-ipv6.pcap", summary), basic.slice(3));
    assert.deepEqual(
      column("link-sll.pcap", (p) => p.rec.pktType),
      [4, 0, 4, 4, 4, 1, 0],
    );
    assert.deepEqual(column("link-sll2.pcap", (p) => p.rec.l3).slice(5), [L3_ARP, L3_ARP]);
    assert.deepEqual(column("snaplen-64.pcap", (p) => p.rec.tcpHeaderLen).slice(0, 2), [32, 32]);
  });

  it("reads the VLAN stacks of vlan-qinq.pcap", () => {
    const f = "vlan-qinq.pcap";
    assert.deepEqual(
      column(f, (p) => p.rec.vlan),
      [100, 100, 200, 201, 10, 100, 4094],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.innerVlan),
      [0, 0, 300, 301, 20, 0, 0],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.vlanDepth),
      [1, 1, 2, 2, 3, 1, 1],
    );
  });

  it("walks the IPv6 extension chains of ipv6-ext.pcap to the right protocol", () => {
    const f = "ipv6-ext.pcap";
    assert.deepEqual(
      column(f, (p) => p.rec.proto),
      [17, 6, 17, 6, 6, 50, 59, 59, 50],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.sport),
      [7001, 7002, 7003, 7004, 7005, 0, 0, 0, 0],
    );
    assert.ok(fixture(f).packets.every((p) => p.rec.l3 === L3_IPV6));
  });

  it("lends first-fragment ports to later fragments in fragments.pcap, in capture order", () => {
    const f = "fragments.pcap";
    assert.deepEqual(
      column(f, (p) => p.rec.hasPorts),
      [1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.sport),
      [5001, 5001, 5001, 0, 5002, 5002, 0, 0, 5003, 5003, 5003, 5004, 5004],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.fragOffset),
      [0, 1480, 2960, 2960, 0, 1480, 0, 1480, 0, 1448, 2896, 0, 1400],
    );
    assert.equal(fixture(f).packets[6]?.rec.icmpId, 0x99);
  });

  it("sees the IPv4 options and padding of ipv4-misc.pcap", () => {
    const f = "ipv4-misc.pcap";
    assert.deepEqual(
      column(f, (p) => (p.rec.l4Offset - p.rec.l3Offset) / 4),
      [6, 9, 5, 5],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.ipPayloadLen),
      [20, 20, 20, 8],
    );
    assert.deepEqual(
      column(f, (p) => p.frame.length),
      [60, 70, 60, 60],
    );
  });

  it("finds eight TCP conversations with their opening flags in tcp-states.pcap", () => {
    for (const file of ["tcp-states.pcap", "tcp-states.pcap.gz"]) {
      const pkts = fixture(file).packets;
      const clientPorts = new Set(
        pkts.map((p) => (p.rec.sport >= 50000 ? p.rec.sport : p.rec.dport)),
      );
      assert.deepEqual([...clientPorts], [50000, 50001, 50002, 50003, 50004, 50005, 50006, 50007]);
      const firstFlags = [...clientPorts].map(
        (port) => pkts.find((p) => p.rec.sport === port)?.rec.tcpFlags,
      );
      // SYN for all but OTH, whose first packet is PSH+ACK.
      assert.deepEqual(firstFlags, [2, 2, 2, 2, 2, 2, 2, 0x18]);
    }
  });

  it("reads ICMP identifiers, ARP and other protocols in protocols.pcap", () => {
    const f = "protocols.pcap";
    assert.deepEqual(
      column(f, (p) => p.rec.icmpId).slice(6, 15),
      [0x1234, 0x1234, 0x1234, 0x1234, 0x5678, 0x5678, -1, 0x0601, 0x0601],
    );
    // The GRE packet carries a UDP datagram: decoded inside, with GRE as its tunnel.
    assert.deepEqual(column(f, (p) => p.rec.proto).slice(15), [-1, -1, 17, 50, 50, 253]);
    assert.deepEqual(column(f, (p) => p.rec.tunnelType).slice(15), [0, 0, 2, 0, 0, 0]);
    assert.deepEqual(column(f, (p) => p.rec.arpOp).slice(15, 17), [1, 2]);
  });

  it("keeps the per-interface link types and timestamps of multi-section.pcapng", () => {
    const f = "multi-section.pcapng";
    assert.deepEqual(
      column(f, (p) => p.linktype),
      [1, 101, 1, 101, 276, 1, 276],
    );
    assert.deepEqual(
      column(f, (p) => p.tsSec - 1_700_000_000),
      [1, 1, 1, 1, 2, 2, 2],
    );
  });

  it("agrees with tshark's counts for mixed.pcap", () => {
    // Counted with tshark 4.0 display filters on the generated file.
    const pkts = fixture("mixed.pcap").packets;
    const count = (f: (r: DecodedRecord) => boolean) => pkts.filter((p) => f(p.rec)).length;
    assert.equal(
      count((r) => r.vlan === 10),
      203,
    );
    assert.equal(
      count((r) => r.vlan === 20),
      121,
    );
    assert.equal(
      count((r) => r.vlanDepth === 0),
      153,
    );
    assert.equal(
      count((r) => r.proto === 6),
      423,
    );
    assert.equal(
      count((r) => r.proto === 17),
      32,
    );
    assert.equal(
      count((r) => r.proto === 1),
      16,
    );
    assert.equal(
      count((r) => r.l3 === L3_ARP),
      6,
    );
    assert.equal(
      count((r) => r.l3 === L3_IPV6),
      51,
    );
    assert.equal(
      count((r) => r.proto === 6 && (r.tcpFlags & 0x12) === 0x02),
      46,
    );
  });

  it("never throws on any fixture frame cut at any length, with every link type", () => {
    const d = new Decoder(256);
    let decodes = 0;
    for (const r of runs.values()) {
      for (const p of r.packets) {
        for (let cut = 0; cut <= p.frame.length; cut++) {
          const status = d.decode(p.frame, 0, cut, p.linktype, p.tsSec);
          assert.ok(status >= 0 && status < DECODE_REASONS.length);
          decodes++;
        }
        // The whole frame through every other link type too.
        for (const lt of [0, 1, 12, 101, 108, 113, 228, 229, 276]) {
          d.decode(p.frame, 0, p.frame.length, lt, p.tsSec);
          assert.ok(d.status >= 0 && d.status < DECODE_REASONS.length);
        }
      }
    }
    assert.ok(decodes > 100_000, `${decodes} decodes`);
  });
});

describe("the encapsulation fixtures, packet by packet", () => {
  before(async () => {
    for (const file of [
      "tunnels.pcap",
      "encapsulations.pcap",
      "wifi.pcapng",
      "tso.pcap",
      "tunnel-depth.pcap",
    ]) {
      runs.set(file, await run(file));
    }
  });

  it("finds the inner connection of every tunnel of tunnels.pcap, with its tunnel type", () => {
    const f = "tunnels.pcap";
    // Four packets per tunnel (handshake and data), three for the nested one.
    const types = [2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 3, 4, 5, 6, 7];
    assert.deepEqual(
      column(f, (p) => p.rec.tunnelType),
      [...types.flatMap((t) => [t, t, t, t]), 3, 3, 3],
    );
    assert.deepEqual(
      column(f, (p) => p.rec.tunnelDepth),
      [...types.flatMap(() => [1, 1, 1, 1]), 2, 2, 2],
    );
    // Every packet's own flow is its inner TCP connection: client port 49000 + tunnel index.
    const clientPorts = column(f, (p) => (p.rec.sport === 443 ? p.rec.dport : p.rec.sport));
    assert.deepEqual(clientPorts, [
      ...types.flatMap((_, i) => Array(4).fill(49000 + i)),
      49099,
      49099,
      49099,
    ]);
    assert.ok(column(f, (p) => p.rec.proto).every((proto) => proto === 6));
  });

  it("reaches IP through every link-layer encapsulation of encapsulations.pcap", () => {
    const f = "encapsulations.pcap";
    assert.deepEqual(
      column(f, (p) => p.rec.l3),
      [4, 4, 4, 6, 6, 4, 4, 4, 6, 6, 4, 4, 4, 4, 4, 4],
    );
    assert.deepEqual(column(f, (p) => p.rec.vlan).slice(3, 10), [100, 100, 0, 0, 0, 10, 10]);
    assert.deepEqual(column(f, (p) => p.rec.encapDepth).slice(10), [1, 1, 1, 1, 1, 1]);
  });

  it("reads the data frames of wifi.pcapng and nothing of its beacon and encrypted frame", () => {
    assert.deepEqual(
      column("wifi.pcapng", (p) => p.rec.l3),
      [4, 4, 4, 4, 2, 2],
    );
  });

  it("takes the captured length for the offloaded segments of tso.pcap", () => {
    assert.deepEqual(
      column("tso.pcap", (p) => p.rec.l4PayloadLen),
      [0, 0, 0, 2896, 0, 4344, 0, 0, 0, 0, 4344, 0],
    );
  });

  it("stops at the fifth IP-in-IP header of tunnel-depth.pcap", () => {
    const [p] = fixture("tunnel-depth.pcap").packets;
    assert.deepEqual(
      [p?.rec.proto, p?.rec.tunnelDepth, p?.src, p?.dst],
      [4, 4, "192.0.2.10", "192.0.2.20"],
    );
  });
});
