/**
 * The dashboard's budget, measured in chromium against a daemon holding over 10,000 active
 * flows (a generated capture replayed at its recorded pace in a loop, 1 s ticks):
 * - scripting per tick: the page's own Performance API measure around each tick (parsing it
 *   and updating every panel, the chart's draw included); its median and 95th percentile
 *   over 30 ticks under 16 ms. Chrome's ScriptDuration over the same span divided by the
 *   ticks (all script: stream reading, table refreshes, timers) is reported beside it.
 * - first load: bytes on the wire (compressed) from opening the page to a live dashboard with
 *   its first tick and connection page, under 500 KB.
 * A second suite times the connection table against 100,000 active flows.
 * The figures are printed as test diagnostics, and written to NETNET_BUDGET_OUT if set.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { generateCapture } from "../../bench/capture-gen.js";
import { launch, login, type RunningDaemon, startDaemon, tempDir, until } from "./support.js";

/** At least this many flows active at once. */
const FLOWS = 10_000;
/**
 * Flows in the generated capture. Looping it, the flows that ended with a FIN or were
 * never answered (about a quarter) close and time out, so more are generated than must stay.
 */
const GENERATED_FLOWS = 14_000;
/** Ticks measured; the 95th percentile of 30 is the second longest (one stall tolerated). */
const MEASURE_SECONDS = 30;

const STRETCH = 20;

/**
 * Multiplies the time between packets of a little-endian microsecond pcap (what the
 * generator writes) by `factor`, in place.
 */
function stretchPcap(path: string, factor: number): void {
  const b = readFileSync(path);
  assert.equal(b.readUInt32LE(0), 0xa1b2c3d4, "a little-endian microsecond pcap");
  let first = -1;
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) {
    const us = b.readUInt32LE(off) * 1e6 + b.readUInt32LE(off + 4);
    if (first < 0) first = us;
    const t = first + (us - first) * factor;
    b.writeUInt32LE(Math.floor(t / 1e6), off);
    b.writeUInt32LE(Math.floor(t % 1e6), off + 4);
  }
  writeFileSync(path, b);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

describe("dashboard budget with 10k active flows (chromium)", () => {
  const dir = tempDir("netnet-e2e-budget-");
  let daemon: RunningDaemon;
  let browser: Browser;

  before(async () => {
    // 14,000 flows in 56,000 packets, stretched from 0.56 s to 11 s and looped: about 5,000
    // packets per second. The page's cost depends on the flows, not the packet rate, and on
    // a shared 2-core machine a faster replay would mostly measure the daemon's CPU use.
    const file = join(dir.path, "flows-14k.pcap");
    const meta = generateCapture(file, { packets: 56_000, flows: GENERATED_FLOWS });
    assert.equal(meta.flows, GENERATED_FLOWS);
    stretchPcap(file, STRETCH);
    daemon = await startDaemon({ file, speed: "recorded", loop: true, tickMs: 1000 }, dir.path);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    dir.remove();
  });

  test("first load under 500 KB compressed, and under 16 ms of script per tick", async (t) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Performance.enable");
    const urls = new Map<string, string>();
    const transferred = new Map<string, number>();
    cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
    cdp.on("Network.loadingFinished", (e) => transferred.set(e.requestId, e.encodedDataLength));
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    await page.goto(daemon.url);
    await login(page);
    await page.waitForSelector("[data-testid=stream-state][data-state=live]");
    // First load: from opening the page to a live dashboard with its first tick, its first
    // page of connections and its alerts.
    await until(
      async () =>
        /^1–[0-9]+ of [0-9,]+$/.test(
          (await page.textContent("[data-testid=connections-status]"))?.trim() ?? "",
        ) && (await page.textContent("#alerts .note"))?.trim() !== "Loading alerts…"
          ? true
          : undefined,
      "the first page of connections",
    );
    const firstLoad = [...transferred.values()].reduce((a, b) => a + b, 0);
    const firstRequests = transferred.size;
    const assets = [...transferred.entries()]
      .filter(([id]) =>
        /\/(assets\/.*|index\.html|)$/.test(new URL(urls.get(id) ?? "http://x/?").pathname),
      )
      .reduce((a, [, b]) => a + b, 0);

    const active = async () =>
      Number(((await page.textContent("[data-testid=summary-flows]")) ?? "").replace(/,/g, ""));
    await until(
      async () => ((await active()) >= FLOWS ? true : undefined),
      "10,000 active flows",
      40_000,
    );

    // Steady state: ticks with a new chart point each second and the table refreshing.
    await page.evaluate<void>('performance.clearMeasures("netnet:tick")');
    const metric = async () => {
      const m = (await cdp.send("Performance.getMetrics")).metrics;
      return m.find((x) => x.name === "ScriptDuration")?.value ?? Number.NaN;
    };
    const script0 = await metric();
    await new Promise((r) => setTimeout(r, MEASURE_SECONDS * 1000));
    const script1 = await metric();
    const ticks = await page.evaluate<number[]>(
      'performance.getEntriesByName("netnet:tick").map((e) => e.duration)',
    );
    ticks.sort((a, b) => a - b);
    assert.ok(ticks.length >= MEASURE_SECONDS - 2, `${ticks.length} ticks in ${MEASURE_SECONDS} s`);
    const mean = ticks.reduce((a, b) => a + b, 0) / ticks.length;
    const p95 = quantile(ticks, 0.95);
    const median = quantile(ticks, 0.5);
    const max = ticks[ticks.length - 1] as number;
    const allScriptPerTick = ((script1 - script0) * 1000) / ticks.length;

    const activeAtEnd = await active();
    assert.ok(activeAtEnd >= FLOWS, `${activeAtEnd} active flows at the end`);
    const figures = {
      active_flows: activeAtEnd,
      ticks: ticks.length,
      tick_ms: {
        mean: +mean.toFixed(2),
        median: +median.toFixed(2),
        p95: +p95.toFixed(2),
        max: +max.toFixed(2),
      },
      all_script_ms_per_tick: +allScriptPerTick.toFixed(2),
      first_load_kb: +(firstLoad / 1000).toFixed(1),
      first_load_assets_kb: +(assets / 1000).toFixed(1),
      first_load_requests: firstRequests,
    };
    t.diagnostic(JSON.stringify(figures));
    if (process.env.NETNET_BUDGET_OUT !== undefined) {
      writeFileSync(process.env.NETNET_BUDGET_OUT, `${JSON.stringify(figures, null, 2)}\n`);
    }
    assert.ok(firstLoad < 500_000, `first load ${firstLoad} bytes`);
    assert.ok(median < 16, `median tick ${median} ms`);
    assert.ok(p95 < 16, `p95 tick ${p95} ms`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe("connection table with 100k active flows (chromium)", () => {
  const dir = tempDir("netnet-e2e-100k-");
  const FLOWS_100K = 100_000;
  let daemon: RunningDaemon;
  let browser: Browser;

  before(async () => {
    // Read at full speed: every flow stays active afterwards (no packet time passes).
    const file = join(dir.path, "flows-100k.pcap");
    generateCapture(file, { packets: 200_000, flows: FLOWS_100K });
    daemon = await startDaemon({ file, speed: "max", loop: false }, dir.path);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    dir.remove();
  });

  test("sorting, filtering and paging answer within half a second, and ticks stay cheap", async (t) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(daemon.url);
    await login(page);
    const status = "[data-testid=connections-status]";
    await until(
      async () =>
        (await page.textContent(status))?.trim() === "1–50 of 100,000" ? true : undefined,
      "a page of the 100,000 flows",
      60_000,
    );
    /**
     * Waits, checking every animation frame, until the table holds an answer (no request in
     * flight) whose status reads `text` (any when null) and whose active sort is `sort`.
     */
    const settled = (text: string | null, sort: string | null) =>
      page.waitForFunction(
        ([text, sort]) => {
          type El = { textContent: string | null; dataset: Record<string, string | undefined> };
          const d = (globalThis as unknown as { document: { querySelector(s: string): El | null } })
            .document;
          const table = d.querySelector("#connections");
          const status = d.querySelector("[data-testid=connections-status]");
          const sorted =
            sort === null ? null : d.querySelector(`#connections button[data-sort=${sort}]`);
          return (
            table !== null &&
            table.dataset.busy === undefined &&
            (text === null || status?.textContent === text) &&
            (sorted === null || sorted.dataset.active === "true")
          );
        },
        [text, sort] as const,
        { polling: "raf", timeout: 10_000 },
      );
    const timed = async (act: () => Promise<unknown>, text: string | null, sort: string | null) => {
      const t0 = Date.now();
      await act();
      await settled(text, sort);
      return Date.now() - t0;
    };
    const sortBy = (key: string) =>
      timed(() => page.click(`#connections button[data-sort=${key}]`), null, key);
    const ms = {
      sort_packets: await sortBy("packets"),
      sort_last_seen: await sortBy("last_ts"),
      next_page: await timed(
        () => page.click("#connections .pager button:has-text('Next')"),
        "51–100 of 100,000",
        null,
      ),
      filter_port_53: 0,
    };
    const port53 = Number(
      (
        (await (
          await fetch(`${daemon.url}/api/flows?port=53&limit=1`, {
            headers: {
              "x-session-token": await page.evaluate<string>(
                'JSON.parse(sessionStorage.getItem("netnet.session")).token',
              ),
            },
          })
        ).json()) as { total: number }
      ).total,
    );
    assert.ok(port53 > 0);
    ms.filter_port_53 = await timed(
      () => page.fill("#connections input[aria-label='Filter by port']", "53"),
      `1–50 of ${port53.toLocaleString("en-US")}`,
      null,
    );
    await page.evaluate<void>('performance.clearMeasures("netnet:tick")');
    await new Promise((r) => setTimeout(r, 10_000));
    const ticks = await page.evaluate<number[]>(
      'performance.getEntriesByName("netnet:tick").map((e) => e.duration)',
    );
    ticks.sort((a, b) => a - b);
    assert.ok(ticks.length >= 8, `${ticks.length} ticks in 10 s`);
    const tickMedian = quantile(ticks, 0.5);
    const tickMax = ticks[ticks.length - 1] as number;
    // The 250 ms typing pause is part of the wait, not of the daemon's answer.
    t.diagnostic(
      JSON.stringify({
        flows: FLOWS_100K,
        ms,
        tick_ms_median: +tickMedian.toFixed(2),
        tick_ms_max: +tickMax.toFixed(2),
      }),
    );
    assert.ok(tickMedian < 16, `the median tick took ${tickMedian} ms`);
    for (const [what, v] of Object.entries(ms)) {
      const allowance = what.startsWith("filter") ? 250 : 0;
      assert.ok(v - allowance < 500, `${what} took ${v} ms`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
});
