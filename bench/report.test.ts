import assert from "node:assert/strict";
import { test } from "node:test";
import { marginalRate, type ToolResult } from "./report.js";
import type { ToolName } from "./tools.js";

function result(tool: ToolName, packets: number, seconds: number): ToolResult {
  return {
    file: `f-${packets}`,
    packets,
    flows: 1000,
    tool,
    kind: "peer",
    command: tool,
    runs: [],
    median_wall_seconds: seconds,
    min_wall_seconds: seconds,
    pps_median: packets / seconds,
    pps_best: packets / seconds,
    peak_rss_mb: 1,
    verified: [],
    problems: [],
    reported: {},
  };
}

test("marginalRate: extra packets over extra time, and the fixed rest", () => {
  // 100k packets in 0.18 s, 1M in 0.27 s: 900k packets in 0.09 s is 10 Mpps once started,
  // and 0.18 - 100k / 10M = 0.17 s of the short run is fixed cost.
  const m = marginalRate(result("netnet", 100_000, 0.18), result("netnet", 1_000_000, 0.27));
  assert.equal(m.tool, "netnet");
  assert.ok(m.marginal_pps !== null && Math.abs(m.marginal_pps - 10_000_000) < 1);
  assert.ok(m.fixed_seconds !== null && Math.abs(m.fixed_seconds - 0.17) < 1e-9);
});

test("marginalRate: no rate when the long run was not slower", () => {
  const m = marginalRate(result("darkstat", 100_000, 0.3), result("darkstat", 1_000_000, 0.25));
  assert.equal(m.marginal_pps, null);
  assert.equal(m.fixed_seconds, null);
});
