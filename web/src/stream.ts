/**
 * The live stream (`GET /api/stream`, Server-Sent Events) read with `fetch()`, so the session
 * token goes in a header: `EventSource` cannot set one and a token in a URL ends up in
 * histories and logs. It resumes with `Last-Event-ID` after a drop, reconnects with
 * exponential backoff and jitter, and reports its state so the page can say when the data it
 * shows is stale.
 */
import type { TickMessage } from "../../src/contract/types.js";
import { SseParser } from "./sse.js";

export type StreamState =
  /** Opening the first connection. */
  | { kind: "connecting" }
  /** Connected and ticks arriving. */
  | { kind: "live" }
  /** Connected but no tick for a while. */
  | { kind: "stale"; sinceMs: number }
  /** Lost; the next attempt starts at `retryAt` (ms since epoch). */
  | { kind: "reconnecting"; attempt: number; retryAt: number; reason: string }
  | { kind: "stopped" };

export interface StreamOptions {
  token(): string | null;
  onTick(msg: TickMessage): void;
  onState(state: StreamState): void;
  /** The daemon refused the session (401): it ended. */
  onUnauthorized(): void;
  /** A connection was accepted (the daemon saw the session). */
  onConnected(): void;
}

/** The Performance API measure each tick records. */
export const TICK_MEASURE = "netnet:tick";
const MAX_BACKOFF_MS = 30_000;
/**
 * With no tick for this long (or three tick intervals, if longer: `stats.tick_ms` is
 * configurable) the data is called stale...
 */
const STALE_MS = 5_000;
/** ...and after this long (or six intervals) the connection is assumed dead and reopened. */
const DEAD_MS = 20_000;

export class LiveStream {
  private readonly parser: SseParser;
  private controller: AbortController | null = null;
  private stopped = true;
  private attempt = 0;
  private lastTickAt = 0;
  private lastSeq = -1;
  private lastTime = 0;
  private watchdog: number | undefined;
  private state: StreamState = { kind: "stopped" };
  private wake: (() => void) | null = null;
  private measured = 0;
  /** Smoothed milliseconds between ticks (0 until measured). */
  private intervalMs = 0;

  constructor(private readonly opts: StreamOptions) {
    this.parser = new SseParser((e) => {
      if (e.event !== "tick") return;
      // The cost of a tick on the page (parse and every panel), for docs/dashboard.md's budget.
      const t0 = performance.now();
      let msg: TickMessage;
      try {
        msg = JSON.parse(e.data) as TickMessage;
      } catch {
        return;
      }
      // A resumed stream may repeat an event; a restarted daemon counts from 1 again.
      if (msg.seq <= this.lastSeq && msg.time_ms <= this.lastTime) return;
      this.lastSeq = msg.seq;
      this.lastTime = msg.time_ms;
      const now = Date.now();
      if (this.lastTickAt > 0 && this.state.kind === "live") {
        // A smoothed tick interval; gaps while disconnected are not intervals.
        const gap = now - this.lastTickAt;
        this.intervalMs = this.intervalMs === 0 ? gap : this.intervalMs * 0.8 + gap * 0.2;
      }
      this.lastTickAt = now;
      this.attempt = 0;
      if (this.state.kind !== "live") this.setState({ kind: "live" });
      this.opts.onTick(msg);
      // uPlot draws in a microtask queued by setData; this one runs after it, so the measure
      // covers the chart too.
      queueMicrotask(() => {
        performance.measure(TICK_MEASURE, { start: t0 });
        if (++this.measured % 1000 === 0) performance.clearMeasures(TICK_MEASURE);
      });
    });
  }

  get current(): StreamState {
    return this.state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setState({ kind: "connecting" });
    this.watchdog = window.setInterval(() => this.check(), 1000);
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    window.clearInterval(this.watchdog);
    this.controller?.abort();
    this.wake?.();
    this.setState({ kind: "stopped" });
  }

  /** Skips the wait before the next attempt (the "retry now" button). */
  retryNow(): void {
    this.wake?.();
  }

  private setState(s: StreamState): void {
    this.state = s;
    this.opts.onState(s);
  }

  private check(): void {
    if (this.state.kind !== "live" && this.state.kind !== "stale") return;
    const quiet = Date.now() - this.lastTickAt;
    if (quiet > Math.max(DEAD_MS, 6 * this.intervalMs)) this.controller?.abort();
    else if (quiet > Math.max(STALE_MS, 3 * this.intervalMs) && this.state.kind === "live")
      this.setState({ kind: "stale", sinceMs: this.lastTickAt });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let reason = "connection closed";
      try {
        const ended = await this.connect();
        if (ended === "unauthorized") {
          this.stop();
          this.opts.onUnauthorized();
          return;
        }
      } catch (err: unknown) {
        reason = err instanceof Error ? err.message : String(err);
      }
      if (this.stopped) return;
      this.parser.reset();
      const base = this.parser.retryMs ?? 1000;
      const backoff = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(this.attempt, 5));
      // Jitter spreads the reconnects of many dashboards after a daemon restart.
      const wait = Math.round(backoff * (0.5 + Math.random() * 0.5));
      this.attempt++;
      this.setState({
        kind: "reconnecting",
        attempt: this.attempt,
        retryAt: Date.now() + wait,
        reason,
      });
      await new Promise<void>((resolve) => {
        const t = window.setTimeout(resolve, wait);
        this.wake = () => {
          window.clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async connect(): Promise<"closed" | "unauthorized"> {
    const token = this.opts.token();
    if (token === null) return "unauthorized";
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = {
      accept: "text/event-stream",
      "x-session-token": token,
    };
    if (this.parser.lastEventId !== "") headers["last-event-id"] = this.parser.lastEventId;
    const res = await fetch("/api/stream", {
      headers,
      cache: "no-store",
      signal: controller.signal,
    });
    if (res.status === 401) return "unauthorized";
    if (!res.ok || res.body === null) throw new Error(`the daemon answered ${res.status}`);
    this.opts.onConnected();
    this.lastTickAt = Date.now();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "closed";
        this.parser.push(value);
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }
}
