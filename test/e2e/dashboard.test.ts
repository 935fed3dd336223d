/**
 * The dashboard in a real browser against a real daemon that has replayed
 * test/fixtures/mixed.pcap to its end: login, every panel's values against what
 * `netnet replay` reports for the same file, the history range picker, the connection
 * table's sorting and filtering, the host page, and logout.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { fixturePath } from "../support/paths.js";
import {
  bytesText,
  countText,
  type Expected,
  launch,
  login,
  type Opened,
  openPage,
  percentText,
  type RunningDaemon,
  replay,
  startDaemon,
  tempDir,
  until,
} from "./support.js";

const FIXTURE = fixturePath("mixed.pcap");

/** The visible rows of a table as cell texts. */
function rows(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr:not([hidden])`, (trs) =>
    trs.map((tr) =>
      Array.from(tr.children as ArrayLike<{ textContent: string | null }>, (c) =>
        (c.textContent ?? "").trim(),
      ),
    ),
  );
}

const text = async (page: Page, selector: string) =>
  ((await page.textContent(selector)) ?? "").trim();

const total = (f: FlowRecord) => f.bytes + f.bytes_rev;
const packets = (f: FlowRecord) => f.packets + f.packets_rev;

describe("dashboard on a replayed capture (chromium)", () => {
  const dir = tempDir("netnet-e2e-dash-");
  let expected: Expected;
  let daemon: RunningDaemon;
  let browser: Browser;
  let opened: Opened;
  let page: Page;

  before(async () => {
    expected = replay(FIXTURE);
    daemon = await startDaemon({ file: FIXTURE, speed: "max", loop: false }, dir.path);
    browser = await launch();
    opened = await openPage(browser, daemon.url);
    page = opened.page;
    // The whole file is read before the page checks any value.
    await until(async () => {
      const r = await fetch(`${daemon.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "adminpass" }),
      });
      const { token } = (await r.json()) as { token: string };
      const h = await fetch(`${daemon.url}/api/system-health`, {
        headers: { "x-session-token": token },
      });
      const body = (await h.json()) as { packets_received?: number; capture_running?: boolean };
      return body.packets_received === expected.report.packets && body.capture_running === false
        ? true
        : undefined;
    }, "the daemon to replay the whole capture");
  });

  after(async () => {
    await browser?.close();
    await daemon?.stop();
    dir.remove();
  });

  test("a wrong password shows an error and keeps the login page", async () => {
    await login(page, "not-the-password");
    await page.waitForSelector("#login-error:not([hidden])");
    assert.equal(await text(page, "#login-error"), "Wrong user name or password.");
    assert.equal(await page.inputValue("#password"), "", "the password field is cleared");
    assert.equal(await page.$("[data-testid=dashboard]"), null);
  });

  test("the right password opens the dashboard with the user's name, and no password is stored", async () => {
    await login(page);
    await page.waitForSelector("[data-testid=dashboard]");
    assert.equal(await text(page, "[data-testid=user]"), "admin");
    const stored = await page.evaluate<string>(
      "JSON.stringify({ ...sessionStorage, ...localStorage })",
    );
    assert.ok(!stored.includes("adminpass"), "no password in web storage");
    assert.match(stored, /"token/);
    await page.waitForSelector("[data-testid=stream-state][data-state=live]");
  });

  test("totals, protocols and packet sizes are the capture's", async () => {
    const r = expected.report;
    await until(
      async () =>
        (await text(page, "[data-testid=summary-packets]")) === countText(r.packets)
          ? true
          : undefined,
      "the totals",
    );
    assert.equal(await text(page, "[data-testid=summary-bytes]"), bytesText(r.bytes));
    const active = r.flow_count - r.flows_expired - r.flows_evicted;
    assert.equal(await text(page, "[data-testid=summary-flows]"), countText(active));

    const protos = Object.entries(r.protocols)
      .filter(([, c]) => c.bytes > 0)
      .sort((a, b) => b[1].bytes - a[1].bytes);
    assert.deepEqual(
      await rows(page, "#protocols"),
      protos.map(([name, c]) => [
        "",
        name,
        bytesText(c.bytes),
        percentText((c.bytes / r.bytes) * 100),
      ]),
    );
    assert.equal(
      await page.locator("#protocols svg.donut circle[stroke-dasharray]").count(),
      protos.length,
    );

    const sizes = r.packet_sizes as Record<string, number>;
    const sum = Object.values(sizes).reduce((a, b) => a + b, 0);
    assert.equal(sum, r.packets);
    for (const key of ["tiny", "small", "medium", "large", "jumbo"]) {
      const n = sizes[key] ?? 0;
      assert.equal(
        await text(page, `[data-testid=size-${key}]`),
        `${countText(n)} (${percentText((n / sum) * 100)})`,
        key,
      );
    }
  });

  test("top sources, top destinations and ports are the capture's", async () => {
    const r = expected.report;
    const talkers = (list: { ip: string; bytes: number; packets: number }[]) =>
      list.slice(0, 10).map((t) => [t.ip, bytesText(t.bytes), countText(t.packets)]);
    assert.deepEqual(await rows(page, "#top-sources"), talkers(r.top_sources));
    assert.deepEqual(await rows(page, "#top-destinations"), talkers(r.top_destinations));
    assert.deepEqual(
      await rows(page, "#ports"),
      r.ports
        .slice(0, 20)
        .map((p) => [
          String(p.port),
          p.service === "" ? "–" : p.service,
          bytesText(p.bytes),
          countText(p.connections),
        ]),
    );
    assert.ok(
      r.ports.some((p) => p.service === "ssh"),
      "the fixture has named services",
    );
  });

  test("system health shows the replay: packets, no drops, the file, capture ended", async () => {
    const r = expected.report;
    assert.equal(await text(page, "[data-testid=health-received]"), countText(r.packets));
    assert.equal(await text(page, "[data-testid=health-dropped]"), "0");
    assert.equal(await text(page, "[data-testid=health-drop-rate]"), "0.0 %");
    assert.equal(await text(page, "[data-testid=health-interface]"), "mixed.pcap (file)");
    assert.equal(await text(page, "[data-testid=health-running]"), "Stopped");
    assert.equal(await page.isDisabled("#health button:has-text('Stop capture')"), true);
    assert.equal(await page.isEnabled("#health button:has-text('Start capture')"), true);
  });

  test("the alerts panel lists the watched-port connections of the capture, newest first", async () => {
    // alerts.watched_ports' default ports; one alert per initiator, responder and port, its
    // count the connections, its time the last one's start.
    const watched = [23, 445, 3389, 4444, 5900, 6666, 31337];
    const groups = new Map<string, { f: FlowRecord; count: number; last: number }>();
    for (const f of expected.flows) {
      if (f.proto !== 6 || !watched.includes(f.dst_port)) continue;
      const key = `${f.src_ip} ${f.dst_ip} ${f.dst_port}`;
      const g = groups.get(key) ?? { f, count: 0, last: 0 };
      g.count++;
      g.last = Math.max(g.last, f.first_ts);
      groups.set(key, g);
    }
    assert.ok(groups.size > 0, "the fixture has connections to watched ports");
    const utc = (s: number) => new Date(s * 1000).toISOString().slice(0, 19).replace("T", " ");
    const want = [...groups.values()]
      .sort((a, b) => b.last - a.last)
      .map(({ f, count, last }) => [
        "warning",
        `${f.src_ip} opened a connection to watched port ${f.dst_port} on ${f.dst_ip}`,
        `${utc(last)}${count > 1 ? ` · ${count}×` : ""}`,
      ]);
    const items = () =>
      page.$$eval("#alerts li.alert", (lis) =>
        lis.map((li) =>
          Array.from(li.children as ArrayLike<{ textContent: string | null }>, (c) =>
            (c.textContent ?? "").trim(),
          ),
        ),
      );
    await until(
      async () => ((await items()).length === want.length ? true : undefined),
      `${want.length} alerts`,
    );
    assert.deepEqual(await items(), want);
    assert.equal(await text(page, "#alerts .note"), `${want.length} alerts, newest first.`);
  });

  test("the bandwidth chart reads history for a custom range", async () => {
    const r = expected.report;
    const first = r.first_ts as number;
    const last = r.last_ts as number;
    // Windows of 10 s from the first packet's to the last packet's, which closed when the
    // file ended.
    const windows = Math.floor(last / 10) - Math.floor(first / 10) + 1;
    const iso = (s: number) => new Date(s * 1000).toISOString().slice(0, 19);
    await page.click("#bandwidth button[data-range=custom]");
    await page.fill("#bandwidth input[aria-label=From]", iso(Math.floor(first) - 60));
    await page.fill("#bandwidth input[aria-label=To]", iso(Math.ceil(last) + 60));
    await page.click("#bandwidth form.custom button[type=submit]");
    await until(
      async () =>
        (await page.getAttribute("[data-testid=bandwidth-chart]", "data-points")) ===
        String(windows)
          ? true
          : undefined,
      `${windows} history points`,
    );
    assert.match(
      await text(page, "#bandwidth .note"),
      new RegExp(`^${windows} points from .*, 10 s each\\.$`),
    );
    // A range with nothing in it says so.
    await page.fill("#bandwidth input[aria-label=From]", iso(first - 7200));
    await page.fill("#bandwidth input[aria-label=To]", iso(first - 3600));
    await page.click("#bandwidth form.custom button[type=submit]");
    await until(
      async () =>
        (await text(page, "#bandwidth .note")).startsWith("No history") ? true : undefined,
      "an empty range",
    );
    assert.equal(await page.getAttribute("[data-testid=bandwidth-chart]", "data-points"), "0");
    await page.click("#bandwidth button[data-range=live]");
  });

  test("the connection table pages, sorts and filters on the server", async () => {
    const flows = expected.flows;
    const status = "[data-testid=connections-status]";
    const column = async (i: number) => (await rows(page, "#connections")).map((r) => r[i] ?? "");
    await until(
      async () => ((await text(page, status)) === `1–50 of ${flows.length}` ? true : undefined),
      "the first page",
    );
    const byBytes = [...flows].sort((a, b) => total(b) - total(a));
    assert.deepEqual(
      await column(4),
      byBytes.slice(0, 50).map((f) => bytesText(total(f))),
    );

    await page.click("#connections button[data-sort=bytes]");
    await until(
      async () =>
        (await page.getAttribute("#connections button[data-sort=bytes]", "data-order")) === "asc" &&
        (await column(4))[0] === bytesText(total(byBytes[byBytes.length - 1] as FlowRecord))
          ? true
          : undefined,
      "ascending bytes",
    );
    assert.deepEqual(
      await column(4),
      [...byBytes]
        .reverse()
        .slice(0, 50)
        .map((f) => bytesText(total(f))),
    );

    await page.click("#connections button[data-sort=packets]");
    const byPackets = [...flows].sort((a, b) => packets(b) - packets(a));
    await until(
      async () =>
        JSON.stringify(await column(5)) ===
        JSON.stringify(byPackets.slice(0, 50).map((f) => countText(packets(f))))
          ? true
          : undefined,
      "descending packets",
    );

    // The second page holds the rest.
    await page.click("#connections .pager button:has-text('Next')");
    await until(
      async () =>
        (await text(page, status)) === `51–${flows.length} of ${flows.length}` ? true : undefined,
      "the second page",
    );
    assert.equal((await column(5)).length, flows.length - 50);

    const filtered = async (what: string, n: number) =>
      until(
        async () =>
          (await text(page, status)) ===
          (n === 0 ? "No connections match." : `1–${Math.min(n, 50)} of ${n}`)
            ? true
            : undefined,
        `${what}: ${n} flows`,
      );
    const ssh = flows.filter((f) => f.src_port === 22 || f.dst_port === 22);
    assert.ok(ssh.length > 0);
    await page.fill("#connections input[aria-label='Filter by port']", "22");
    await filtered("port 22", ssh.length);
    await page.fill("#connections input[aria-label='Filter by port']", "");
    const udp = flows.filter((f) => f.proto === 17);
    await page.selectOption("#connections select[aria-label='Filter by protocol']", "udp");
    await filtered("udp", udp.length);
    assert.ok((await column(0)).every((p) => p === "UDP"));
    await page.selectOption("#connections select[aria-label='Filter by protocol']", "");
    const s0 = flows.filter((f) => f.conn_state === "S0");
    await page.selectOption("#connections select[aria-label='Filter by state']", "S0");
    await filtered("state S0", s0.length);
    assert.ok((await column(3)).every((s) => s === "S0"));
    await page.selectOption("#connections select[aria-label='Filter by state']", "");
    const ip = "10.1.0.22";
    const withIp = flows.filter((f) => f.src_ip === ip || f.dst_ip === ip);
    await page.fill("#connections input[aria-label='Filter by address']", ip);
    await filtered(ip, withIp.length);
    await page.fill("#connections input[aria-label='Filter by address']", "");
    await filtered("no filter", flows.length);
  });

  test("clicking an address opens its host page with its traffic and peers", async () => {
    const first = expected.report.top_sources[0];
    assert.ok(first !== undefined);
    const ip = first.ip;
    await page.click(`#top-sources a.ip:text-is("${ip}")`);
    await page.waitForSelector("[data-testid=host-view]");
    assert.equal(await text(page, "[data-testid=host-ip]"), ip);
    assert.equal(new URL(page.url()).hash, `#/host/${ip}`);
    const mine = expected.flows.filter((f) => f.src_ip === ip || f.dst_ip === ip);
    let sent = 0;
    let sentPackets = 0;
    const peers = new Map<string, number>();
    for (const f of mine) {
      const init = f.src_ip === ip;
      sent += init ? f.bytes : f.bytes_rev;
      sentPackets += init ? f.packets : f.packets_rev;
      const other = init ? f.dst_ip : f.src_ip;
      peers.set(other, (peers.get(other) ?? 0) + total(f));
    }
    await until(
      async () =>
        (await text(page, "[data-testid=host-sent]")) ===
        `${bytesText(sent)} · ${countText(sentPackets)} packets`
          ? true
          : undefined,
      "the host's sent bytes",
    );
    // From the daemon's host route (GET /api/hosts/{ip}), not summed in the page.
    assert.equal(
      await text(page, "#host-summary .note"),
      `Active flows: ${mine.length} · peers: ${peers.size} · service ports: ${new Set(mine.map((f) => `${f.dst_port}/${f.proto}`)).size}`,
    );
    const ports = new Map<string, number>();
    for (const f of mine) {
      const key = `${f.dst_port}/${f.proto === 6 ? "tcp" : f.proto === 17 ? "udp" : f.proto}`;
      ports.set(key, (ports.get(key) ?? 0) + total(f));
    }
    const topPort = [...ports.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.ok(topPort !== undefined);
    const portRows = await rows(page, "[data-testid=host-ports]");
    assert.deepEqual([portRows[0]?.[0], portRows[0]?.[2]], [topPort[0], bytesText(topPort[1])]);
    const topPeer = [...peers.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.ok(topPeer !== undefined);
    const peerRows = await rows(page, "[data-testid=host-peers]");
    assert.equal(peerRows.length, peers.size);
    assert.deepEqual(peerRows[0]?.slice(0, 2), [topPeer[0], bytesText(topPeer[1])]);
    await until(
      async () =>
        (await text(page, "[data-testid=host-flows-status]")) ===
        `1–${mine.length} of ${mine.length}`
          ? true
          : undefined,
      "the host's flows",
    );
    // A peer is a link to its own page; "Dashboard" goes back.
    await page.click(`[data-testid=host-peers] a.ip:text-is("${topPeer[0]}")`);
    await until(
      async () => ((await text(page, "[data-testid=host-ip]")) === topPeer[0] ? true : undefined),
      "the peer's page",
    );
    await page.click(".crumbs a");
    await page.waitForSelector("[data-testid=dashboard]:not([hidden])");
  });

  test("signing out returns to the login page and ends the session on the daemon", async () => {
    const token = await page.evaluate<string | undefined>(
      'JSON.parse(sessionStorage.getItem("netnet.session") ?? "{}").token',
    );
    assert.ok(typeof token === "string");
    await page.click("[data-testid=logout]");
    await page.waitForSelector("form.login");
    assert.equal(await text(page, "form.login [role=status]"), "You are signed out.");
    const res = await fetch(`${daemon.url}/api/system-health`, {
      headers: { "x-session-token": token },
    });
    assert.equal(res.status, 401);
    await page.reload();
    await page.waitForSelector("form.login");
    assert.deepEqual(opened.errors, []);
  });

  test("everything works from the keyboard: login, every control reachable with Tab, links open with Enter", async () => {
    await page.waitForSelector("form.login");
    // The user name field has the focus.
    await page.keyboard.type("admin");
    await page.keyboard.press("Tab");
    await page.keyboard.type("adminpass");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=stream-state][data-state=live]");
    await until(
      async () =>
        (await text(page, "[data-testid=connections-status]")).includes(" of ") ? true : undefined,
      "the connection table",
    );
    const reached = new Set<string>();
    for (let i = 0; i < 250; i++) {
      await page.keyboard.press("Tab");
      reached.add(
        await page.evaluate<string>(
          `(() => { const e = document.activeElement; return e.tagName.toLowerCase() + ":" + ` +
            `(e.getAttribute("aria-label") ?? e.textContent.trim()); })()`,
        ),
      );
    }
    const source = expected.report.top_sources[0]?.ip ?? "";
    for (const want of [
      "button:Live 5 min",
      "button:Custom",
      "button:byte/s",
      "button:Start capture",
      `a:${source}`,
      "input:Filter by address",
      "select:Filter by state",
      "button:Bytes",
      "button:Last seen",
      "button:Sign out",
    ]) {
      assert.ok(reached.has(want), `${want} is reachable with Tab`);
    }
    await page.focus(`#top-sources a.ip:text-is("${source}")`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=host-view]");
    assert.equal(await text(page, "[data-testid=host-ip]"), source);
  });
});
