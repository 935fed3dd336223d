import assert from "node:assert/strict";
import { test } from "node:test";
import { icmpEcho, ipv4, ipv6, tcp, udp } from "../../test/support/frames.js";
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from "../decode/protocols.js";
import { PacketEngine } from "../engine/packet-engine.js";
import { LINKTYPE_RAW } from "../packet/link-types.js";
import { hostDetail, parsePrefix, queryHosts } from "./host-query.js";

/** Raw-IP frames through a real engine: host 10.0.0.1 talks to three peers. */
function engine(): PacketEngine {
  const e = new PacketEngine({
    flows: { capacity: 64, idleTimeout: 300, cleanupInterval: 60 },
    stats: { windowSize: 10, historyDepth: 4, secondsKept: 30, hostCapacity: 64, windowTopN: 5 },
  });
  let ts = 1_700_000_000;
  const send = (frame: Uint8Array) => {
    e.packet(frame, 0, frame.length, frame.length, ts++, 0, LINKTYPE_RAW);
  };
  const v4 = (src: string, dst: string, proto: number, seg: Uint8Array) =>
    send(ipv4({ src, dst, proto }, seg));
  // 10.0.0.1 → 10.0.0.2:443, twice, and the answer (3 packets in one flow).
  v4("10.0.0.1", "10.0.0.2", IPPROTO_TCP, tcp({ sport: 40000, dport: 443, flags: 0x02 }));
  v4("10.0.0.2", "10.0.0.1", IPPROTO_TCP, tcp({ sport: 443, dport: 40000, flags: 0x12 }));
  v4("10.0.0.1", "10.0.0.2", IPPROTO_TCP, tcp({ sport: 40000, dport: 443, flags: 0x10 }));
  // A second connection to the same peer and port.
  v4("10.0.0.1", "10.0.0.2", IPPROTO_TCP, tcp({ sport: 40001, dport: 443, flags: 0x02 }));
  // DNS to 10.0.0.53 with 100 bytes of payload.
  v4("10.0.0.1", "10.0.0.53", IPPROTO_UDP, udp({ sport: 5353, dport: 53 }, new Uint8Array(100)));
  // A ping from 192.168.1.9 to 10.0.0.1: a peer, but no service port.
  v4("192.168.1.9", "10.0.0.1", IPPROTO_ICMP, icmpEcho({ id: 77, seq: 1 }));
  // Traffic not involving 10.0.0.1, and an IPv6 pair.
  v4("10.0.0.2", "10.0.0.53", IPPROTO_UDP, udp({ sport: 1000, dport: 53 }));
  send(
    ipv6(
      { src: "2001:db8::1", dst: "2001:db8::2", nextHeader: IPPROTO_UDP },
      udp({ sport: 1, dport: 2 }),
    ),
  );
  return e;
}

test("hosts are listed with both directions summed, sorted and paged", () => {
  const e = engine();
  const all = queryHosts(e.stats.hosts, { limit: 100, offset: 0 });
  assert.equal(all.total, 6);
  const byIp = new Map(all.hosts.map((h) => [h.ip, h]));
  const h1 = byIp.get("10.0.0.1");
  assert.ok(h1);
  // Sent: 3 TCP SYN/ACK segments of 40 bytes + one UDP of 20+8+100; received: 40 + ICMP 28.
  assert.equal(h1.packets_sent, 4);
  assert.equal(h1.bytes_sent, 40 * 3 + 128);
  assert.equal(h1.packets_received, 2);
  assert.equal(h1.bytes_received, 40 + 28);
  assert.equal(h1.bytes, h1.bytes_sent + h1.bytes_received);
  assert.equal(h1.first_seen, 1_700_000_000);
  assert.equal(h1.last_seen, 1_700_000_005);
  assert.equal(all.hosts[0]?.ip, "10.0.0.1", "most bytes first");
  const asc = queryHosts(e.stats.hosts, { sort: "packets", order: "asc", limit: 2, offset: 0 });
  assert.deepEqual(
    asc.hosts.map((h) => h.packets),
    [1, 1],
  );
  const page2 = queryHosts(e.stats.hosts, { limit: 2, offset: 2 });
  assert.equal(page2.total, 6);
  assert.deepEqual(
    page2.hosts.map((h) => h.ip),
    all.hosts.slice(2, 4).map((h) => h.ip),
  );
});

test("hosts filter by address and by CIDR prefix, IPv4 and IPv6", () => {
  const h = engine().stats.hosts;
  const ips = (ip: string) =>
    queryHosts(h, { ip, limit: 100, offset: 0 })
      .hosts.map((x) => x.ip)
      .sort();
  assert.deepEqual(ips("10.0.0.53"), ["10.0.0.53"]);
  assert.deepEqual(ips("10.0.0.0/24"), ["10.0.0.1", "10.0.0.2", "10.0.0.53"]);
  assert.deepEqual(ips("192.168.0.0/16"), ["192.168.1.9"]);
  assert.deepEqual(ips("0.0.0.0/0"), ["10.0.0.1", "10.0.0.2", "10.0.0.53", "192.168.1.9"]);
  assert.deepEqual(ips("2001:db8::/32"), ["2001:db8::1", "2001:db8::2"]);
  assert.deepEqual(ips("2001:db8::2/128"), ["2001:db8::2"]);
  assert.deepEqual(ips("10.0.0.0/33"), [], "a prefix longer than the address matches nothing");
  assert.deepEqual(ips("nonsense"), []);
});

test("a prefix masks the address words it covers", () => {
  assert.deepEqual(parsePrefix("10.1.2.3/8")?.words, [0, 0, 0, 0x0a000000]);
  assert.deepEqual(parsePrefix("2001:db8:1::/40")?.masks, [-1, 0xff000000 | 0, 0, 0]);
  assert.equal(parsePrefix("10.0.0.1/x"), undefined);
  assert.equal(parsePrefix("::/129"), undefined);
});

test("a host's detail gives its counters, peers, service ports and flows", () => {
  const e = engine();
  const d = hostDetail(e.stats.hosts, e.flows, "10.0.0.1", 10);
  assert.ok(d);
  assert.equal(d.ip, "10.0.0.1");
  assert.equal(d.flow_count, 4);
  assert.equal(d.live?.packets_sent, 4);
  assert.deepEqual(d.peers, [
    { ip: "10.0.0.2", bytes: 160, packets: 4, flows: 2 },
    { ip: "10.0.0.53", bytes: 128, packets: 1, flows: 1 },
    { ip: "192.168.1.9", bytes: 28, packets: 1, flows: 1 },
  ]);
  assert.deepEqual(d.ports, [
    { port: 443, proto: 6, service: "https", bytes: 160, packets: 4, flows: 2 },
    { port: 53, proto: 17, service: "domain", bytes: 128, packets: 1, flows: 1 },
  ]);
  assert.deepEqual(
    d.flows.map((f) => [f.src_ip, f.dst_port, f.bytes + f.bytes_rev]),
    [
      ["10.0.0.1", 53, 128],
      ["10.0.0.1", 443, 120],
      ["10.0.0.1", 443, 40],
      ["192.168.1.9", 77, 28],
    ],
  );
  assert.equal(hostDetail(e.stats.hosts, e.flows, "10.0.0.1", 1)?.peers.length, 1);
});

test("an unknown host has no counters and no flows; an invalid address is null", () => {
  const e = engine();
  const d = hostDetail(e.stats.hosts, e.flows, "10.9.9.9", 10);
  assert.deepEqual(d, {
    ip: "10.9.9.9",
    live: null,
    peers: [],
    ports: [],
    flows: [],
    flow_count: 0,
  });
  assert.equal(hostDetail(e.stats.hosts, e.flows, "10.0.0", 10), null);
  // IPv6 text is normalised.
  assert.equal(hostDetail(e.stats.hosts, e.flows, "2001:DB8:0::1", 10)?.ip, "2001:db8::1");
});

test("find returns a host's index without adding it", () => {
  const h = engine().stats.hosts;
  const before = h.count;
  const i = h.find(4, 0, 0, 0, 0x0a000035);
  assert.ok(i >= 0);
  assert.equal(h.firstSeen[i] > 0, true);
  assert.equal(h.find(4, 0, 0, 0, 0x0a0000ff), -1);
  assert.equal(h.find(6, 0, 0, 0, 0x0a000035), -1, "the family is part of the key");
  assert.equal(h.count, before);
});
