/**
 * Write throughput of the store: ticks of `--flows` finished flows (and one window each)
 * into a fresh database file, reporting flow rows per second per tick as the tables grow.
 *
 *   npm run build && node dist/bench/store-write-bench.js [--ticks 40] [--flows 50000] [--dir D]
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createStore } from "../src/store/store.js";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../test/support/store-fixtures.js";

const { values } = parseArgs({
  options: {
    ticks: { type: "string", default: "40" },
    flows: { type: "string", default: "50000" },
    dir: { type: "string" },
  },
});
const ticks = Number(values.ticks);
const perTick = Number(values.flows);
const tmp = values.dir === undefined ? tempDir() : { dir: values.dir, remove: () => {} };
const path = join(tmp.dir, "bench.db");
const store = createStore({ path, retentionDays: 3650 });

// Flows differ from tick to tick (addresses shift) so the indexes grow as in real traffic.
const rates: number[] = [];
for (let t = 0; t < ticks; t++) {
  const start = HOUR0 + t * 10;
  const flows = makeFlows(perTick, start);
  for (const f of flows) f.dst_ip = `198.51.${t % 256}.${f.dst_port % 256}`;
  const t0 = performance.now();
  store.writeTick({ windows: [makeWindow(start, 10)], flows });
  rates.push(perTick / ((performance.now() - t0) / 1000));
}
store.stop();

const sorted = [...rates].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const total = (ticks * perTick) / rates.reduce((s, r) => s + perTick / r, 0);
const fmt = (r: number | undefined): string => Math.round(r ?? 0).toLocaleString("en-US");
console.log(
  JSON.stringify({
    ticks,
    flows_per_tick: perTick,
    rows_total: ticks * perTick,
    rows_per_second_overall: Math.round(total),
    rows_per_second_first_tick: Math.round(rates[0] ?? 0),
    rows_per_second_median: Math.round(median),
    rows_per_second_last_tick: Math.round(rates[rates.length - 1] ?? 0),
    ms_per_tick_median: Math.round((perTick / median) * 1000),
    database_bytes: statSync(path).size,
  }),
);
console.error(
  `${fmt(ticks * perTick)} flows in ${ticks} ticks: ${fmt(total)} rows/s overall ` +
    `(first ${fmt(rates[0])}, median ${fmt(median)}, last ${fmt(rates[rates.length - 1])})`,
);
tmp.remove();
