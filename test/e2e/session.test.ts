/**
 * A session that expires (a daemon with api.session_expiry: 3) takes the page back to the
 * login form with a notice, without errors, and signing in again works.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { fixturePath } from "../support/paths.js";
import {
  launch,
  login,
  type Opened,
  openPage,
  type RunningDaemon,
  startDaemon,
  tempDir,
} from "./support.js";

describe("session expiry (chromium)", () => {
  const dir = tempDir("netnet-e2e-session-");
  let daemon: RunningDaemon;
  let browser: Browser;
  let opened: Opened;

  before(async () => {
    daemon = await startDaemon(
      { file: fixturePath("tcp-states.pcap"), speed: "max", loop: false, sessionExpiry: 3 },
      dir.path,
    );
    browser = await launch();
    opened = await openPage(browser, daemon.url);
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    dir.remove();
  });

  test("an expired session returns to login, and signing in again works", async () => {
    const page = opened.page;
    await login(page);
    await page.waitForSelector("[data-testid=stream-state][data-state=live]");
    const shown = Date.now();
    await page.waitForSelector("form.login", { timeout: 15_000 });
    const after = (Date.now() - shown) / 1000;
    assert.ok(after >= 2, `back to login after ${after} s, not before the 3 s expiry`);
    assert.equal(
      ((await page.textContent("form.login [role=status]")) ?? "").trim(),
      "Your session has ended. Sign in again.",
    );
    assert.equal(
      await page.evaluate<string | null>('sessionStorage.getItem("netnet.session")'),
      null,
    );
    await login(page);
    await page.waitForSelector("[data-testid=dashboard]");
    assert.deepEqual(opened.errors, []);
  });
});
