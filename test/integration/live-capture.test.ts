/**
 * Live capture end to end: two network namespaces joined by a veth pair, an agent in each
 * (test/integration/live/capture-agent.ts). The sender injects known frames or sends real
 * UDP datagrams; the capturer runs LiveSource + PacketEngine on its end, and the counts must
 * be exact. Needs root (CI runs as root) and the addon; all traffic stays in the namespaces.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, afterEach, before, describe, test } from "node:test";
import { batchRecordSize } from "../../src/capture/live/batch.js";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL } from "../../src/packet/link-types.js";
import {
  CAPTURE_IP,
  mixBytes,
  mixFrames,
  mixPackets,
  mixProtocols,
  PORT_UDP4,
  SENDER_IP,
  type TrafficMix,
} from "../support/live-traffic.js";
import { REPO_ROOT } from "../support/paths.js";
import { skipWithoutAddon } from "../support/pcap.js";
import { Agent, type Reply } from "./live/agent-client.js";
import {
  CAPTURE_IF,
  createNetnsPair,
  destroyNetnsPair,
  type NetnsPair,
  netnsUnavailable,
  ownNamespaces,
  SENDER_IF,
} from "./live/netns.js";

const MIX: TrafficMix = {
  udp4: 100,
  tcp4: 50,
  icmp4: 30,
  udp6: 20,
  icmp6: 10,
  arp: 5,
  vlanUdp4: 5,
};

interface Report {
  packets: number;
  bytes: number;
  protocols: Record<string, { packets: number; bytes: number }>;
  flow_count: number;
  conn_states: Record<string, number>;
  decode_errors: Record<string, number>;
  top_flows: Record<string, unknown>[];
}

interface Stats {
  received: number;
  dropped: number;
  ifDropped: number;
  packets: number;
  batches: number;
  truncated: number;
  malformed: number;
  interfaces: { name: string; received: number; packets: number }[];
}

function stopped(r: Reply): { report: Report; stats: Stats } {
  return r as unknown as { report: Report; stats: Stats };
}

const skip = netnsUnavailable() || skipWithoutAddon;

describe("live capture across a veth pair", { skip }, () => {
  let pair: NetnsPair | null = null;
  let capturer: Agent | null = null;
  let sender: Agent | null = null;

  const cap = (): Agent => {
    assert.ok(capturer !== null);
    return capturer;
  };
  const snd = (): Agent => {
    assert.ok(sender !== null);
    return sender;
  };

  before(async () => {
    pair = await createNetnsPair("cap");
    capturer = await Agent.start(pair.a);
    sender = await Agent.start(pair.b);
    await snd().do({ op: "injectOpen", device: SENDER_IF });
    // A fresh veth drops frames until its queueing discipline is attached (a second or two
    // after carrier): probe until the capturer sees one, then start clean.
    await cap().do({ op: "open", interfaces: [CAPTURE_IF] });
    const deadline = Date.now() + 15_000;
    let seen = 0;
    while (seen === 0 && Date.now() < deadline) {
      await snd().do({ op: "inject", mix: { udp4: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = Number((await cap().do({ op: "count" })).packets);
    }
    await cap().do({ op: "stop" });
    assert.ok(seen > 0, "a probe frame crossed the veth pair within 15 s");
  });

  afterEach(async () => {
    // A test that failed half-way may leave a capture open: close it for the next one.
    if (capturer?.running === true) await capturer.send({ op: "stop" }, 5000).catch(() => {});
  });

  after(() => {
    capturer?.kill();
    sender?.kill();
    if (pair !== null) destroyNetnsPair(pair);
    if (pair !== null) assert.deepEqual(ownNamespaces(), [], "the namespaces are deleted");
  });

  test("counts every frame of a known mix exactly, per protocol, and pcap_stats agrees", async () => {
    const open = await cap().do({ op: "open", interfaces: [CAPTURE_IF] });
    assert.deepEqual(open.interfaces, [
      {
        name: CAPTURE_IF,
        linktype: LINKTYPE_ETHERNET,
        snaplen: 262144,
        nanosecond: true,
        warning: null,
      },
    ]);
    const sent = await snd().do({ op: "inject", mix: MIX });
    assert.equal(sent.frames, 220);
    assert.equal(sent.bytes, mixBytes(MIX));
    const waited = await cap().do({ op: "wait", packets: 220 });
    assert.equal(waited.packets, 220, "no packet more, none less");
    const { report, stats } = stopped(await cap().do({ op: "stop" }));
    assert.equal(report.packets, 220);
    assert.equal(report.bytes, 14030);
    assert.deepEqual(report.protocols, mixProtocols(MIX));
    assert.deepEqual(report.protocols.UDP, { packets: 125, bytes: 7920 });
    assert.deepEqual(report.decode_errors, {});
    // One flow per kind but ARP (no flow); the VLAN-tagged UDP is a flow of its own.
    assert.equal(report.flow_count, 6);
    assert.equal(stats.received, 220);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.ifDropped, 0);
    assert.equal(stats.packets, 220);
    assert.equal(stats.truncated, 0);
    assert.equal(stats.malformed, 0);
  });

  test("a BPF filter set at start selects exactly the expected subset", async () => {
    for (const [filter, expected] of [
      [`udp port ${PORT_UDP4}`, { udp4: 100 }],
      ["icmp or icmp6", { icmp4: 30, icmp6: 10 }],
      ["tcp[tcpflags] & tcp-syn != 0", { tcp4: 50 }],
      ["arp or ip6", { arp: 5, udp6: 20, icmp6: 10 }],
    ] as const) {
      await cap().do({ op: "open", interfaces: [CAPTURE_IF], filter });
      await snd().do({ op: "inject", mix: MIX });
      const n = mixPackets(expected);
      assert.equal((await cap().do({ op: "wait", packets: n })).packets, n, filter);
      const { report, stats } = stopped(await cap().do({ op: "stop" }));
      assert.deepEqual(report.protocols, mixProtocols(expected), filter);
      assert.equal(stats.received, n, `${filter}: the kernel counts only what passed`);
    }
  });

  test("setFilter changes the selection without restarting the capture", async () => {
    await cap().do({ op: "open", interfaces: [CAPTURE_IF], filter: "icmp" });
    await snd().do({ op: "inject", mix: MIX });
    assert.equal((await cap().do({ op: "wait", packets: 30 })).packets, 30);
    await cap().do({ op: "setFilter", filter: "arp" });
    await snd().do({ op: "inject", mix: MIX });
    assert.equal((await cap().do({ op: "wait", packets: 35 })).packets, 35);
    const bad = await cap().send({ op: "setFilter", filter: "arp or" });
    assert.deepEqual(bad.error, {
      code: "ERR_PCAP_FILTER",
      message: `invalid filter "arp or" for ${CAPTURE_IF}: can't parse filter expression: syntax error`,
    });
    await cap().do({ op: "setFilter", filter: "" });
    await snd().do({ op: "inject", mix: { udp6: 3 } });
    assert.equal((await cap().do({ op: "wait", packets: 38 })).packets, 38);
    const { report } = stopped(await cap().do({ op: "stop" }));
    assert.deepEqual(report.protocols, mixProtocols({ icmp4: 30, arp: 5, udp6: 3 }));
  });

  test("a burst queued while the consumer is busy drains in several batches, none lost", async () => {
    // Small records (snaplen 256) in 64 KiB batches: 3,000 frames cannot fit in one.
    await cap().do({
      op: "open",
      interfaces: [CAPTURE_IF],
      snaplen: 256,
      batchSize: 65536,
    });
    const burst: TrafficMix = {
      udp4: 1000,
      tcp4: 800,
      icmp4: 400,
      udp6: 400,
      icmp6: 200,
      arp: 100,
      vlanUdp4: 100,
    };
    await cap().do({ op: "block", ms: 1500 });
    await snd().do({ op: "inject", mix: burst });
    assert.equal((await cap().do({ op: "wait", packets: 3000 })).packets, 3000);
    const { report, stats } = stopped(await cap().do({ op: "stop" }));
    assert.deepEqual(report.protocols, mixProtocols(burst));
    assert.equal(stats.dropped, 0);
    assert.equal(stats.packets, 3000);
    const recordBytes = mixFrames(burst).reduce((n, f) => n + batchRecordSize(f.length), 0);
    assert.ok(
      stats.batches >= Math.ceil(recordBytes / 65536),
      `${stats.batches} batches for ${recordBytes} bytes of records`,
    );
  });

  test("buffer use: the share of the ring a queued burst filled, then zero once drained", async () => {
    const ring = 1 << 20;
    await cap().do({
      op: "open",
      interfaces: [CAPTURE_IF],
      snaplen: 256,
      batchSize: 1 << 20,
      bufferSize: ring,
    });
    const burst: TrafficMix = { udp4: 1500, tcp4: 1000, icmp6: 500 };
    await cap().do({ op: "block", ms: 1500 });
    await snd().do({ op: "inject", mix: burst });
    assert.equal((await cap().do({ op: "wait", packets: 3000 })).packets, 3000);
    const { stats } = (await cap().do({ op: "stats" })) as unknown as {
      stats: { bufferUsagePercent: number; ringBytes: number; dropped: number };
    };
    // Each frame takes a TPACKET_V3 header (80 bytes) and its bytes padded to 16.
    const held = mixFrames(burst).reduce(
      (n, f) => n + 80 + Math.ceil(Math.min(f.length, 256) / 16) * 16,
      0,
    );
    const expected = Math.round(((100 * held) / ring) * 10) / 10;
    assert.equal(stats.ringBytes, ring);
    assert.equal(stats.dropped, 0);
    // The whole burst queued while the consumer was busy and was read in one wake-up (a
    // stray frame of the link's own may add a little).
    assert.ok(
      stats.bufferUsagePercent >= expected && stats.bufferUsagePercent <= expected + 0.5,
      `${stats.bufferUsagePercent}% for ${held} bytes queued (${expected}% expected)`,
    );
    const quiet = (await cap().do({ op: "stats" })) as unknown as {
      stats: { bufferUsagePercent: number };
    };
    assert.equal(quiet.stats.bufferUsagePercent, 0, "the peak resets at each look");
    await cap().do({ op: "stop" });
  });

  test("real traffic: UDP datagrams and their echoes are one flow, both ways", async () => {
    await cap().do({ op: "udpListen", address: CAPTURE_IP, port: 7000, echo: true });
    await cap().do({ op: "open", interfaces: [CAPTURE_IF] });
    const r = await snd().do({
      op: "udpSend",
      from: SENDER_IP,
      fromPort: 40100,
      to: CAPTURE_IP,
      port: 7000,
      count: 50,
      size: 32,
      replies: 50,
    });
    assert.equal(r.replies, 50);
    assert.equal((await cap().do({ op: "wait", packets: 100 })).packets, 100);
    const { report } = stopped(await cap().do({ op: "stop" }));
    // 14 Ethernet + 20 IPv4 + 8 UDP + 32 data = 74 bytes a frame.
    assert.deepEqual(report.protocols.UDP, { packets: 100, bytes: 7400 });
    assert.equal(report.packets, 100);
    assert.equal(report.flow_count, 1);
    assert.deepEqual(report.conn_states, { SF: 1 });
    const flow = report.top_flows[0];
    assert.deepEqual(
      [flow.src_ip, flow.src_port, flow.dst_ip, flow.dst_port, flow.packets, flow.packets_rev],
      [SENDER_IP, 40100, CAPTURE_IP, 7000, 50, 50],
    );
    assert.deepEqual([flow.bytes, flow.bytes_rev], [3700, 3700]);
  });

  test("several interfaces at once: the veth and loopback, each counted", async () => {
    await cap().do({ op: "udpListen", address: "127.0.0.1", port: 7001 });
    const open = await cap().do({ op: "open", interfaces: [CAPTURE_IF, "lo"] });
    assert.deepEqual(
      (open.interfaces as { name: string; linktype: number }[]).map((i) => [i.name, i.linktype]),
      [
        [CAPTURE_IF, LINKTYPE_ETHERNET],
        ["lo", LINKTYPE_ETHERNET],
      ],
    );
    await snd().do({ op: "inject", mix: { udp4: 20 } });
    await cap().do({
      op: "udpSend",
      from: "127.0.0.1",
      fromPort: 40101,
      to: "127.0.0.1",
      port: 7001,
      count: 10,
      size: 32,
    });
    assert.equal((await cap().do({ op: "wait", packets: 30 })).packets, 30);
    const { report, stats } = stopped(await cap().do({ op: "stop" }));
    assert.deepEqual(report.protocols.UDP, { packets: 30, bytes: 20 * 60 + 10 * 74 });
    assert.deepEqual(
      stats.interfaces.map((i) => [i.name, i.packets]),
      [
        [CAPTURE_IF, 20],
        ["lo", 10],
      ],
    );
    // On loopback the kernel counts each datagram going out and coming in; libpcap keeps one.
    assert.deepEqual(
      stats.interfaces.map((i) => [i.name, i.received]),
      [
        [CAPTURE_IF, 20],
        ["lo", 20],
      ],
    );
  });

  test("Linux any: one handle for every interface, in the cooked link type", async () => {
    await cap().do({ op: "udpListen", address: "127.0.0.1", port: 7002 });
    const open = await cap().do({ op: "open", interfaces: ["any"] });
    const [iface] = open.interfaces as { name: string; linktype: number; warning: string | null }[];
    assert.equal(iface.name, "any");
    assert.equal(iface.linktype, LINKTYPE_LINUX_SLL);
    await snd().do({ op: "inject", mix: { udp4: 20, arp: 2 } });
    await cap().do({
      op: "udpSend",
      from: "127.0.0.1",
      fromPort: 40102,
      to: "127.0.0.1",
      port: 7002,
      count: 10,
      size: 32,
    });
    assert.equal((await cap().do({ op: "wait", packets: 32 })).packets, 32);
    const { report } = stopped(await cap().do({ op: "stop" }));
    // The cooked header is 16 bytes where Ethernet's is 14.
    assert.deepEqual(report.protocols.UDP, { packets: 30, bytes: 20 * 62 + 10 * 76 });
    assert.deepEqual(report.protocols.ARP, { packets: 2, bytes: 2 * 44 });
    assert.equal(report.packets, 32);
  });

  test("an interface taken down resumes when it comes back; one deleted stops with ERR_PCAP_READ", async () => {
    assert.ok(pair !== null);
    const ns = pair.a;
    const ip = (...args: string[]) => {
      const r = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    };
    // A second veth pair inside the capturing namespace: the capturer injects on one end.
    ip("link", "add", "vx0", "type", "veth", "peer", "name", "vx1");
    ip("link", "set", "vx0", "up");
    ip("link", "set", "vx1", "up");
    await cap().do({ op: "injectOpen", device: "vx1" });
    await cap().do({ op: "open", interfaces: ["vx0"] });
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      await cap().do({ op: "inject", mix: { udp4: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = Number((await cap().do({ op: "count" })).packets);
    }
    assert.ok(seen > 0, "the new veth carries frames");
    ip("link", "set", "vx0", "down");
    assert.deepEqual((await cap().do({ op: "errors", timeoutMs: 500 })).errors, []);
    ip("link", "set", "vx0", "up");
    await cap().do({ op: "inject", mix: { udp4: 5 } });
    assert.equal((await cap().do({ op: "wait", packets: seen + 5 })).packets, seen + 5);
    ip("link", "del", "vx0");
    assert.deepEqual((await cap().do({ op: "errors", timeoutMs: 5000 })).errors, [
      { code: "ERR_PCAP_READ", message: "capture on vx0 stopped: The interface disappeared" },
    ]);
    const { stats } = stopped(await cap().do({ op: "stop" }));
    assert.equal(stats.packets, seen + 5, "stats still answer after the error, until stop");
  });

  test("netnet interfaces lists the namespace's devices and its default route", () => {
    assert.ok(pair !== null);
    const run = (...args: string[]) =>
      spawnSync(
        "ip",
        ["netns", "exec", pair?.a ?? "", process.execPath, `${REPO_ROOT}bin/netnet.js`, ...args],
        {
          encoding: "utf8",
        },
      );
    let r = run("interfaces", "--json");
    assert.equal(r.status, 0, r.stderr);
    let list = JSON.parse(r.stdout) as {
      default: string | null;
      interfaces: Record<string, unknown>[];
    };
    const veth = list.interfaces.find((i) => i.name === CAPTURE_IF);
    assert.deepEqual(veth, {
      name: CAPTURE_IF,
      description: null,
      addresses: [
        {
          family: 4,
          address: CAPTURE_IP,
          netmask: "255.255.255.0",
          prefix: 24,
          broadcast: "10.99.1.255",
          destination: null,
        },
      ],
      up: true,
      running: true,
      loopback: false,
      wireless: false,
      connection: "connected",
      default: false,
    });
    // No default route: the first usable device is the default all the same.
    assert.equal(list.default, CAPTURE_IF);
    spawnSync("ip", ["-n", pair.a, "route", "add", "default", "via", SENDER_IP]);
    r = run("interfaces", "--json");
    list = JSON.parse(r.stdout) as typeof list;
    assert.deepEqual(
      list.interfaces.filter((i) => i.default === true).map((i) => i.name),
      [CAPTURE_IF],
    );
    r = run("interfaces");
    assert.equal(r.status, 0);
    assert.match(
      r.stdout,
      new RegExp(`^\\*\\s+${CAPTURE_IF}\\s+up running connected\\s+10\\.99\\.1\\.1/24$`, "m"),
    );
    assert.match(
      r.stdout,
      /^\* veth0: carries the default route; captured when the config names no interface\.$/m,
    );
  });

  test("both agents exit by themselves once their handles are closed", async () => {
    await cap().do({ op: "open", interfaces: [CAPTURE_IF, "lo"] });
    await cap().do({ op: "exit" });
    await snd().do({ op: "exit" });
    const codes = await Promise.race([
      Promise.all([cap().exited, snd().exited]),
      new Promise((resolve) => setTimeout(() => resolve("still running after 5 s"), 5000)),
    ]);
    assert.deepEqual(codes, [0, 0]);
  });
});
