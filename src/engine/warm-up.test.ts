import assert from "node:assert/strict";
import { test } from "node:test";
import { warmUpPacketPath } from "./warm-up.js";

test("the warm-up frames decode cleanly and take every path the packet engine has", () => {
  const { engine, ended } = warmUpPacketPath();
  const s = engine.stats;
  // Every frame is well formed: nothing is counted as a decode error.
  assert.deepEqual(engine.decodeErrors(), {});
  assert.equal(engine.packets, 128);
  const protocols = s.total.protocols();
  for (const name of ["TCP", "UDP", "ICMP", "ICMPv6", "ARP"]) {
    assert.ok(protocols[name].packets > 0, `${name} packets`);
  }
  // Seconds and windows closed, flows expired idle and were evicted from the small table.
  assert.ok(s.windows.length > 0);
  const f = engine.flows;
  assert.ok(f.expired > 0, "idle expiry");
  assert.ok(f.evicted > 0, "eviction");
  assert.equal(f.count, 0, "finish ends every flow");
  // Tunneled frames took the tunnel branches: their tunnels are UDP (VXLAN) and GRE flows.
  assert.ok(engine.flowPackets > engine.packets - s.total.protocols().ARP.packets, "tunnel flows");
  // The TCP lifecycles: a whole connection, a refused one, one seen midstream.
  for (const state of ["SF", "REJ", "OTH"]) {
    assert.ok((ended.connStates[state] ?? 0) > 0, `conn_state ${state}`);
  }
});
