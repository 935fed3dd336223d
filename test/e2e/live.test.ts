/**
 * The live side of the dashboard against a daemon replaying mixed.pcap at its recorded pace
 * in a loop: the chart gains a point per second, the unit switch, capture stop and start,
 * the stream going down with the daemon and recovering when it is back, and a session ended
 * elsewhere. With NETNET_SCREENSHOTS=<dir> it also writes the README's screenshots there.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { fixturePath } from "../support/paths.js";
import {
  launch,
  login,
  type Opened,
  openPage,
  type RunningDaemon,
  startDaemon,
  tempDir,
  until,
} from "./support.js";

const FIXTURE = fixturePath("mixed.pcap");
/** HTTPS is the capture's most frequent service: new connections to it every few seconds. */
const ALERTS = ["alerts:", "  watched_ports:", "    ports: [443]", "    severity: critical"];
const SHOTS = process.env.NETNET_SCREENSHOTS;

const text = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? "").trim();

async function points(page: Page): Promise<number> {
  return Number((await page.getAttribute("[data-testid=bandwidth-chart]", "data-points")) ?? "0");
}

describe("live dashboard (chromium, recorded-pace replay)", () => {
  const dir = tempDir("netnet-e2e-live-");
  let daemon: RunningDaemon;
  let browser: Browser;
  let opened: Opened;
  let page: Page;

  before(async () => {
    daemon = await startDaemon(
      { file: FIXTURE, speed: "recorded", loop: true, extra: ALERTS },
      dir.path,
    );
    browser = await launch();
    opened = await openPage(browser, daemon.url, {
      colorScheme: "dark",
      width: 1440,
      height: 1000,
    });
    page = opened.page;
    if (SHOTS !== undefined) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, "login.png") });
    }
    await login(page);
    await page.waitForSelector("[data-testid=stream-state][data-state=live]");
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    dir.remove();
  });

  test("the bandwidth chart gains a point every second", async () => {
    const p0 = await until(async () => {
      const p = await points(page);
      return p >= 2 ? p : undefined;
    }, "the first points");
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const p1 = await points(page);
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(p1 - p0 >= Math.floor(seconds) - 1, `${p1 - p0} new points in ${seconds} s`);
    assert.ok(p1 - p0 <= Math.ceil(seconds) + 1, `${p1 - p0} new points in ${seconds} s`);
    assert.match(await text(page, "[data-testid=current-rate]"), /^[0-9.]+ [kMG]?b\/s$/);
  });

  test("alerts arrive with the stream, newest first, with their severity", async () => {
    // Nothing polls /api/alerts: a change in the list after loading came from the stream.
    const items = () =>
      page.$$eval("#alerts li.alert", (lis) =>
        lis.map((li) =>
          Array.from(li.children as ArrayLike<{ textContent: string | null }>, (c) =>
            (c.textContent ?? "").trim(),
          ).join(" | "),
        ),
      );
    const first = await items();
    const changed = await until(
      async () => {
        const now = await items();
        return now.length > 0 && JSON.stringify(now) !== JSON.stringify(first) ? now : undefined;
      },
      "an alert from the stream",
      30_000,
    );
    const top = changed[0] ?? "";
    assert.match(
      top,
      /^critical \| [0-9a-f.:]+ opened a connection to watched port 443 on [0-9a-f.:]+ \| /,
    );
    // Newest first: the times in the list never increase downwards.
    const times = changed.map((t) => t.split(" | ")[2]?.slice(0, 19) ?? "");
    assert.deepEqual(times, [...times].sort().reverse());
  });

  test("rates switch between bits and bytes per second", async () => {
    await page.click("#bandwidth button:text-is('byte/s')");
    await until(
      async () =>
        /^[0-9.]+ [KMG]?B\/s$/.test(await text(page, "[data-testid=summary-rate]"))
          ? true
          : undefined,
      "bytes per second",
    );
    assert.match(await text(page, "[data-testid=current-rate]"), /B\/s$/);
    await page.click("#bandwidth button:text-is('bit/s')");
    await until(
      async () =>
        /^[0-9.]+ [kMG]?b\/s$/.test(await text(page, "[data-testid=summary-rate]"))
          ? true
          : undefined,
      "bits per second",
    );
  });

  test("dark and light themes render differently (and make the README's screenshots)", async () => {
    const out = SHOTS ?? dir.path;
    // Fuller charts for the committed pictures.
    const wanted = SHOTS === undefined ? 5 : 40;
    await until(
      async () => ((await points(page)) >= wanted ? true : undefined),
      "a fuller chart",
      60_000,
    );
    await page.emulateMedia({ colorScheme: "dark" });
    await until(
      async () => ((await page.getAttribute("html", "data-theme")) === "dark" ? true : undefined),
      "dark",
    );
    const dark = await page.screenshot({ path: join(out, "dashboard-dark.png"), fullPage: true });
    const darkBg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    await page.emulateMedia({ colorScheme: "light" });
    await until(
      async () => ((await page.getAttribute("html", "data-theme")) === "light" ? true : undefined),
      "light",
    );
    const light = await page.screenshot({ path: join(out, "dashboard-light.png"), fullPage: true });
    const lightBg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    assert.equal(darkBg, "rgb(13, 17, 23)");
    assert.equal(lightBg, "rgb(244, 246, 248)");
    assert.ok(dark.length > 10_000 && light.length > 10_000);
    assert.notDeepEqual(dark, light);
    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, "dashboard-phone.png") });
    const overflow = await page.evaluate<number>(
      "document.documentElement.scrollWidth - window.innerWidth",
    );
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a phone`);
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  test("the theme follows the system until a choice is made", async () => {
    const theme = (t: string) =>
      until(
        async () => ((await page.getAttribute("html", "data-theme")) === t ? true : undefined),
        t,
      );
    await page.emulateMedia({ colorScheme: "light" });
    await theme("light");
    await page.emulateMedia({ colorScheme: "dark" });
    await theme("dark");
    await page.click("[data-testid=theme]"); // system -> light
    assert.equal(await page.getAttribute("html", "data-theme"), "light");
    await page.click("[data-testid=theme]"); // light -> dark
    assert.equal(await page.getAttribute("html", "data-theme"), "dark");
    await page.click("[data-testid=theme]"); // dark -> system
    assert.equal(await text(page, "[data-testid=theme]"), "Theme: system");
  });

  test("stop and start capture from the health panel", async () => {
    const running = "[data-testid=health-running]";
    await until(
      async () => ((await text(page, running)) === "Running" ? true : undefined),
      "running",
    );
    await page.click("#health button:has-text('Stop capture')");
    await until(
      async () => ((await text(page, running)) === "Stopped" ? true : undefined),
      "stopped",
    );
    assert.equal(await text(page, "#health [role=status]"), "Capture stopped.");
    // The daemon takes one control request per 2 s from a client.
    await new Promise((r) => setTimeout(r, 2100));
    await page.click("#health button:has-text('Start capture')");
    await until(
      async () => ((await text(page, running)) === "Running" ? true : undefined),
      "running again",
    );
    assert.match(await text(page, "#health [role=status]"), /^Capture started on .*mixed\.pcap\.$/);
  });

  test("a stream that stays open but goes quiet is shown as stale, then live again", async () => {
    // SIGSTOP freezes the daemon: its connections stay open, no tick comes.
    daemon.child.kill("SIGSTOP");
    try {
      await page.waitForSelector("[data-testid=stream-state][data-state=stale]", {
        timeout: 15_000,
      });
      assert.match(await text(page, "[data-testid=stream-state]"), /^Stale [0-9]+ s$/);
      assert.match(
        await text(page, "[data-testid=stream-banner]"),
        /^No live data for [0-9]+ s\. Showing data from [0-9:]+\./,
      );
    } finally {
      daemon.child.kill("SIGCONT");
    }
    await page.waitForSelector("[data-testid=stream-state][data-state=live]", { timeout: 30_000 });
    assert.equal(await page.isHidden("[data-testid=stream-banner]"), true);
  });

  test("when the daemon goes away the page says so, and it recovers when it is back", async () => {
    const port = daemon.port;
    await daemon.stop();
    await page.waitForSelector("[data-testid=stream-banner]:not([hidden])");
    assert.equal(
      await page.getAttribute("[data-testid=stream-state]", "data-state"),
      "reconnecting",
    );
    assert.match(
      await text(page, "[data-testid=stream-banner]"),
      /Live data interrupted .*Showing data from [0-9:]+\./,
    );
    assert.equal(await page.getAttribute("body", "data-stream"), "reconnecting");
    const before = await points(page);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await points(page), before, "no points while the stream is down");

    // Same port and database: the session is still valid after the restart.
    daemon = await startDaemon(
      { file: FIXTURE, speed: "recorded", loop: true, port, extra: ALERTS },
      dir.path,
    );
    await page.waitForSelector("[data-testid=stream-state][data-state=live]", { timeout: 30_000 });
    assert.equal(await page.isHidden("[data-testid=stream-banner]"), true);
    await until(
      async () => ((await points(page)) > before ? true : undefined),
      "new points after recovery",
    );
  });

  test("a session ended elsewhere returns the page to login", async () => {
    const token = await page.evaluate<string | undefined>(
      'JSON.parse(sessionStorage.getItem("netnet.session") ?? "{}").token',
    );
    assert.ok(typeof token === "string");
    const res = await fetch(`${daemon.url}/logout`, {
      method: "POST",
      headers: { "x-session-token": token },
    });
    assert.equal(res.status, 200);
    // The connection table's next refresh (every 5 s) meets the 401.
    await page.waitForSelector("form.login", { timeout: 15_000 });
    assert.equal(
      await text(page, "form.login [role=status]"),
      "Your session has ended. Sign in again.",
    );
    assert.deepEqual(opened.errors, []);
  });
});
