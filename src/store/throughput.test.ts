import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { HOUR0, makeFlows, makeWindow, tempDir } from "../../test/support/store-fixtures.js";
import { createStore } from "./store.js";

test("a tick of 50,000 flows is written in one transaction, quickly", (t) => {
  const tmp = tempDir();
  try {
    const store = createStore({ path: join(tmp.dir, "netnet.db"), retentionDays: 3650 });
    const flows = makeFlows(50_000, HOUR0);
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      store.writeTick({ windows: [makeWindow(HOUR0 + i * 10, 10)], flows });
      rates.push(50_000 / ((performance.now() - t0) / 1000));
    }
    t.diagnostic(`flow rows/s per tick: ${rates.map((r) => Math.round(r)).join(", ")}`);
    assert.equal(store.queryFlows({}).total, 150_000);
    assert.equal(store.metrics().flows_written, 150_000);
    // A loose floor that only a regression (a lost transaction, a missing prepare) breaks:
    // the measured rate on a laptop-class machine is about 100,000 rows/s.
    assert.ok(Math.min(...rates) > 10_000, `too slow: ${rates.join(", ")} rows/s`);
    store.stop();
  } finally {
    tmp.remove();
  }
});
