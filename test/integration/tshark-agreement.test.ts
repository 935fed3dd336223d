/**
 * Agreement with an independent tool: net-net's totals, protocol counts and per-conversation
 * packets and bytes must equal tshark's on the project's fixtures. CI installs tshark, so this
 * always runs there; on a machine without it the test fails and says what to install.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runReplay } from "../../src/cli/replay-command.js";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { fixturePath } from "../support/paths.js";

// Fragmented datagrams are left out of the conversation and protocol comparisons on
// purpose: tshark reassembles them (or, with reassembly off, counts later fragments as bare
// IP), while net-net puts every fragment in its datagram's flow. Their totals still compare.
const FIXTURES = [
  "mixed.pcap",
  "tcp-states.pcap",
  "tcp-states.pcap.gz",
  "protocols.pcap",
  "vlan-qinq.pcap",
  "ipv6-ext.pcap",
  "ipv4-misc.pcap",
  "link-ethernet.pcap",
  "link-sll.pcap",
  "link-sll2.pcap",
  "link-null.pcap",
  "link-loop.pcap",
  "link-raw101.pcap",
  "link-ipv4.pcap",
  "link-ipv6.pcap",
  "multi-section.pcapng",
  "nanosecond.pcap",
  "big-endian.pcap",
  "snaplen-64.pcap",
  "sctp.pcap",
  "tso.pcap",
  "tcp-zeek.pcap",
  "vlan-asymmetric.pcap",
  "encapsulations.pcap",
  "ppp.pcapng",
  "wifi.pcapng",
  "tunnels.pcap",
];
// tunnel-depth.pcap nests one tunnel more than net-net decodes (MAX_ENCAP_DEPTH): tshark
// finds the UDP datagram inside, net-net stops at the fourth IP-in-IP header.
const TOTALS_ONLY = ["fragments.pcap", "tunnel-depth.pcap"];
// tshark registers no TCP conversation for a segment whose options were cut by the snaplen
// (its TCP dissector stops with an exception before the conversation tap); net-net keeps
// such a segment in its flow, since the ports and flags are intact.
const NO_TCP_CONVERSATIONS = ["snaplen-64.pcap"];

function tshark(args: string[]): string {
  try {
    return execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err: unknown) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT") {
      throw new Error("tshark is not installed: apt-get install tshark (CI installs it)");
    }
    throw err;
  }
}

interface Conv {
  aToB: [number, number];
  bToA: [number, number];
}

/** Parses `tshark -q -z conv,tcp|udp|sctp`: "A:pa <-> B:pb  fB bB bytes  fA bA bytes  ...". */
function tsharkConversations(file: string, proto: "tcp" | "udp" | "sctp"): Map<string, Conv> {
  // A TCP or UDP header quoted inside an ICMP error is not a conversation for net-net; a
  // tunnel's inner packets are, as they are for tshark (the frame's bytes count in both the
  // inner conversation and the tunnel's own).
  const text = tshark(["-r", file, "-q", "-z", `conv,${proto},!(icmp || icmpv6)`]);
  const convs = new Map<string, Conv>();
  const row =
    /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes\s+(\d+)\s+(\d+) bytes/;
  for (const line of text.split("\n")) {
    const m = row.exec(line);
    if (m === null) continue;
    // The "<-" columns are B to A, the "->" columns A to B.
    const conv = { bToA: [Number(m[3]), Number(m[4])], aToB: [Number(m[5]), Number(m[6])] } as Conv;
    convs.set(`${m[1]} ${m[2]}`, conv);
  }
  return convs;
}

function endpoint(ip: string, port: number): string {
  return ip.includes(":") ? `${ip}:${port}` : `${ip}:${port}`;
}

/** Our flows summed per 5-tuple (tshark's conversations do not split by VLAN). */
function ourConversations(flows: FlowRecord[], proto: number): Map<string, Conv> {
  const convs = new Map<string, Conv>();
  for (const f of flows) {
    if (f.proto !== proto) continue;
    const a = endpoint(f.src_ip, f.src_port);
    const b = endpoint(f.dst_ip, f.dst_port);
    const fwd = convs.get(`${a} ${b}`);
    const rev = convs.get(`${b} ${a}`);
    if (fwd) {
      fwd.aToB[0] += f.packets;
      fwd.aToB[1] += f.bytes;
      fwd.bToA[0] += f.packets_rev;
      fwd.bToA[1] += f.bytes_rev;
    } else if (rev) {
      rev.bToA[0] += f.packets;
      rev.bToA[1] += f.bytes;
      rev.aToB[0] += f.packets_rev;
      rev.aToB[1] += f.bytes_rev;
    } else {
      convs.set(`${a} ${b}`, {
        aToB: [f.packets, f.bytes],
        bToA: [f.packets_rev, f.bytes_rev],
      });
    }
  }
  return convs;
}

/** Compares conversations regardless of which side each tool calls A. */
function assertSameConversations(
  ours: Map<string, Conv>,
  theirs: Map<string, Conv>,
  what: string,
): void {
  assert.equal(ours.size, theirs.size, `${what}: conversation count`);
  for (const [key, t] of theirs) {
    const [a, b] = key.split(" ");
    const same = ours.get(key);
    const swapped = ours.get(`${b} ${a}`);
    assert.ok(same || swapped, `${what}: tshark's conversation ${key} is missing`);
    const o = same ?? (swapped ? { aToB: swapped.bToA, bToA: swapped.aToB } : undefined);
    assert.deepEqual(o, t, `${what}: conversation ${key}`);
  }
}

const TRANSPORTS: Record<string, string> = {
  tcp: "TCP",
  udp: "UDP",
  icmp: "ICMP",
  icmpv6: "ICMPv6",
};

/** tshark's names of the tunnels net-net decodes, above UDP or GRE. */
const TUNNEL_LAYERS = new Set(["vxlan", "geneve", "gtp", "teredo", "ayiya", "gre", "erspan"]);

/**
 * net-net's protocol class of a frame from tshark's layer list: the transport of the innermost
 * packet. After an IP header (and its IPv6 extension headers) comes either a tunnel (GRE, IP
 * in IP, or UDP carrying VXLAN, Geneve, GTP-U, Teredo or AYIYA), whose payload is classed
 * instead, or the transport itself; an ICMP error that quotes a UDP header counts as ICMP.
 */
function classify(layers: string[]): string {
  if (layers.includes("arp")) return "ARP";
  let i = layers.findIndex((l) => l === "ip" || l === "ipv6");
  if (i < 0) return "OTHER";
  for (i += 1; i < layers.length; i++) {
    const layer = layers[i] ?? "";
    // IPv6 extension headers (ipv6.hopopts, ipv6.routing, ...) and AH sit before the transport.
    if (layer.startsWith("ipv6.") || layer === "ah") continue;
    if (layer === "udp" && TUNNEL_LAYERS.has(layers[i + 1] ?? "")) continue;
    if (TUNNEL_LAYERS.has(layer)) {
      // Into the tunnel's payload: the next IP header.
      const next = layers.findIndex((l, j) => j > i && (l === "ip" || l === "ipv6"));
      if (next < 0) return "OTHER";
      i = next;
      continue;
    }
    if (layer === "ip" || layer === "ipv6") continue; // IP in IP
    return TRANSPORTS[layer] ?? "OTHER";
  }
  return "OTHER";
}

/** Totals and protocol classes per frame from tshark's frame.len and frame.protocols. */
function tsharkTotals(file: string): {
  packets: number;
  bytes: number;
  protocols: Record<string, [number, number]>;
} {
  const text = tshark(["-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.protocols"]);
  const protocols: Record<string, [number, number]> = {};
  let packets = 0;
  let bytes = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [len, stack] = line.split("\t");
    const name = classify(stack.split(":"));
    const n = Number(len);
    packets++;
    bytes += n;
    const p = protocols[name] ?? [0, 0];
    p[0]++;
    p[1] += n;
    protocols[name] = p;
  }
  return { packets, bytes, protocols };
}

describe("agreement with tshark", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-tshark-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of [...FIXTURES, ...TOTALS_ONLY]) {
    test(`${name}: totals, protocols and conversations equal tshark's`, async () => {
      const file = fixturePath(name);
      const flowsOut = join(dir, `${name}.jsonl`);
      const { report } = await runReplay(file, { json: true, top: 10, progress: false, flowsOut });
      const theirs = tsharkTotals(file);
      assert.equal(report.packets, theirs.packets, "packets");
      assert.equal(report.bytes, theirs.bytes, "bytes");
      if (TOTALS_ONLY.includes(name)) return;
      for (const [proto, [packets, bytes]] of Object.entries(theirs.protocols)) {
        assert.deepEqual(
          [report.protocols[proto].packets, report.protocols[proto].bytes],
          [packets, bytes],
          `protocol ${proto}`,
        );
      }
      const flows = readFileSync(flowsOut, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as FlowRecord);
      assert.equal(flows.length, report.flow_count, "one line per flow in --flows-out");
      if (!NO_TCP_CONVERSATIONS.includes(name)) {
        assertSameConversations(
          ourConversations(flows, 6),
          tsharkConversations(file, "tcp"),
          "TCP",
        );
      }
      assertSameConversations(ourConversations(flows, 17), tsharkConversations(file, "udp"), "UDP");
      assertSameConversations(
        ourConversations(flows, 132),
        tsharkConversations(file, "sctp"),
        "SCTP",
      );
    });
  }
});
