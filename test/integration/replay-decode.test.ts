/**
 * What the flows of the decoding fixtures say after a replay: SCTP forms its association's
 * flow, offloaded segments keep their connection's initiator, Zeek's states after FIN, FIN,
 * RST and after a missed SYN, asymmetric VLANs with and without `tracking.vlan_in_key`, and
 * every tunneled connection with its tunnel.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runReplay } from "../../src/cli/replay-command.js";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { fixturePath } from "../support/paths.js";

describe("flows of the decoding fixtures (netnet replay)", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-replay-decode-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  async function flows(name: string, config?: string): Promise<FlowRecord[]> {
    const out = join(dir, `${n++}.jsonl`);
    await runReplay(fixturePath(name), {
      json: true,
      top: 10,
      progress: false,
      flowsOut: out,
      ...(config !== undefined ? { config } : {}),
    });
    return readFileSync(out, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as FlowRecord);
  }

  test("an SCTP association is one flow with both directions", async () => {
    const f = await flows("sctp.pcap");
    assert.deepEqual(
      f.map((r) => [r.proto, r.src_ip, r.src_port, r.dst_ip, r.dst_port, r.packets, r.packets_rev]),
      [[132, "10.30.0.1", 5000, "10.30.0.2", 3868, 6, 5]],
    );
  });

  test("offloaded segments (IPv4 length 0) stay in their flows and keep the initiator", async () => {
    const f = await flows("tso.pcap");
    const byPort = new Map(f.map((r) => [r.src_port, r]));
    assert.deepEqual(
      [byPort.get(43000)?.packets, byPort.get(43000)?.packets_rev, byPort.get(43000)?.conn_state],
      [6, 4, "SF"],
    );
    const mid = byPort.get(43001);
    assert.deepEqual(
      [mid?.src_ip, mid?.dst_port, mid?.packets, mid?.packets_rev],
      ["10.31.0.1", 80, 1, 1],
    );
  });

  test("Zeek's states: FIN, FIN then RST is SF; a missed SYN with data both ways is S1; a lone SYN-ACK is OTH", async () => {
    const f = await flows("tcp-zeek.pcap");
    assert.deepEqual(
      f
        .map((r) => [r.src_port, r.src_ip, r.conn_state])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [44000, "10.32.0.1", "SF"],
        [44001, "10.32.0.1", "S1"],
        [44002, "10.32.0.1", "OTH"],
      ],
    );
  });

  test("asymmetric VLANs: two one-sided flows by default, one SF flow with vlan_in_key false", async () => {
    const split = await flows("vlan-asymmetric.pcap");
    assert.deepEqual(split.map((r) => [r.vlan, r.packets + r.packets_rev, r.conn_state]).sort(), [
      [80, 4, "SHR"],
      [81, 4, "SH"],
    ]);
    const config = join(dir, "vlan.yaml");
    writeFileSync(config, "tracking:\n  vlan_in_key: false\n");
    const one = await flows("vlan-asymmetric.pcap", config);
    assert.deepEqual(
      one.map((r) => [r.vlan, r.src_ip, r.packets, r.packets_rev, r.conn_state]),
      [[81, "10.33.0.1", 4, 4, "SF"]],
    );
  });

  test("every tunneled connection has its tunnel; each tunnel is a flow of its own", async () => {
    const f = await flows("tunnels.pcap");
    const tcp = f.filter((r) => r.proto === 6).sort((a, b) => a.src_port - b.src_port);
    assert.equal(tcp.length, 17);
    assert.deepEqual(
      tcp.map((r) => r.tunnel?.type),
      [
        ...Array(7).fill("gre"),
        ...Array(4).fill("ip"),
        "vxlan",
        "geneve",
        "gtpv1",
        "teredo",
        "ayiya",
        "vxlan",
      ],
    );
    for (const r of tcp.slice(0, 9)) {
      assert.deepEqual([r.tunnel?.src_ip, r.tunnel?.dst_ip], ["192.0.2.1", "192.0.2.2"]);
      assert.deepEqual([r.packets, r.packets_rev, r.conn_state], [3, 1, "S1"]);
    }
    // The tunnels: GRE and IP-in-IP flows between the endpoints, UDP flows to each port.
    const outer = f.filter((r) => r.proto !== 6);
    assert.ok(outer.every((r) => r.tunnel === null));
    assert.deepEqual(
      [...new Set(outer.filter((r) => r.proto === 17).map((r) => r.dst_port))].sort(),
      [2152, 3544, 4789, 5072, 6081],
    );
  });
});
