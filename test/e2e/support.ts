/**
 * Shared by the browser tests: a real daemon process on a replayed capture, Debian's
 * chromium driven by playwright-core (never a downloaded browser), and what a capture
 * implies, computed by `netnet replay` rather than written down by hand.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { ReplayReport } from "../../src/engine/report.js";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { exited, startDaemonProcess } from "../support/daemon-process.js";
import { REPO_ROOT } from "../support/paths.js";

export const CHROMIUM = process.env.NETNET_CHROMIUM ?? "/usr/bin/chromium";
export const PASSWORD = "adminpass";

export interface DaemonOptions {
  file: string;
  speed: "max" | "recorded";
  loop: boolean;
  /** api.session_expiry in seconds. */
  sessionExpiry?: number;
  port?: number;
  /** Directory for the database (reused across a restart). */
  dir?: string;
  tickMs?: number;
  /** More top-level YAML (e.g. an `alerts:` block). */
  extra?: string[];
}

export interface RunningDaemon {
  url: string;
  port: number;
  dir: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts `netnet daemon` with a config written for the test; resolves once it listens. */
export async function startDaemon(o: DaemonOptions, dir: string): Promise<RunningDaemon> {
  const config = join(dir, "netnet.yaml");
  writeFileSync(
    config,
    [
      "offline:",
      `  file: ${JSON.stringify(o.file)}`,
      `  speed: ${o.speed}`,
      `  loop: ${o.loop}`,
      "api:",
      "  host: 127.0.0.1",
      `  port: ${o.port ?? 0}`,
      ...(o.sessionExpiry !== undefined ? [`  session_expiry: ${o.sessionExpiry}`] : []),
      "users:",
      "  - username: admin",
      `    password: ${PASSWORD}`,
      "stats:",
      "  window_size: 10",
      `  tick_ms: ${o.tickMs ?? 1000}`,
      "database:",
      `  path: ${JSON.stringify(join(dir, "netnet.db"))}`,
      // The fixtures are from 2023: keep their history.
      "  retention_days: 36500",
      "logging:",
      "  level: warn",
      ...(o.extra ?? []),
      "",
    ].join("\n"),
  );
  const d = await startDaemonProcess(config, 20_000);
  return {
    url: d.url,
    port: Number(new URL(d.url).port),
    dir,
    child: d.child,
    stop: async () => {
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill("SIGTERM");
      await exited(d.child);
    },
  };
}

export async function launch(): Promise<Browser> {
  const args = ["--disable-gpu", "--disable-dev-shm-usage"];
  // Chromium's sandbox refuses to run as root (CI runs as root).
  if (process.getuid?.() === 0) args.push("--no-sandbox");
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors other than failed requests. */
  errors: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  o: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<Opened> {
  const context = await browser.newContext({
    viewport: { width: o.width ?? 1400, height: o.height ?? 1000 },
    colorScheme: o.colorScheme ?? "light",
    timezoneId: "UTC",
    locale: "en-US",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  await page.goto(url);
  return { context, page, errors };
}

export async function login(page: Page, password = PASSWORD): Promise<void> {
  await page.fill("#username", "admin");
  await page.fill("#password", password);
  await page.click("form.login button[type=submit]");
}

export interface Expected {
  report: ReplayReport;
  flows: FlowRecord[];
}

/** What `netnet replay` says about a capture: the report and every flow. */
export function replay(file: string): Expected {
  const dir = tempDir("netnet-e2e-replay-");
  try {
    const flowsOut = join(dir.path, "flows.jsonl");
    const r = spawnSync(
      process.execPath,
      [
        `${REPO_ROOT}bin/netnet.js`,
        "replay",
        "--json",
        "--no-progress",
        "--flows-out",
        flowsOut,
        file,
      ],
      { encoding: "utf8", maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`replay failed: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as ReplayReport;
    const flows = readFileSync(flowsOut, "utf8")
      .trim()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as FlowRecord);
    return { report, flows };
  } finally {
    dir.remove();
  }
}

/**
 * How the dashboard writes quantities (web/src/format.ts), restated independently so that a
 * formatting change is noticed: decimal prefixes, three significant digits.
 */
export function bytesText(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1000;
  let i = 0;
  while (v >= 999.5 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${text} ${units[i]}`;
}

export function countText(n: number): string {
  return n.toLocaleString("en-US");
}

export function percentText(p: number): string {
  return `${(Math.round(p * 10) / 10).toFixed(1)} %`;
}

/** Polls `fn` until it returns a value other than undefined. */
export async function until<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err: unknown) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
