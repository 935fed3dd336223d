/**
 * Webhooks: an alert POSTed as JSON to the URL its rule names, off the tick. `send` only
 * queues and returns. Each destination (a receiver: scheme, host and port) has its own queue
 * and sender, one request at a time, so a slow or dead receiver delays its own alerts only,
 * never another rule's. Every queue is bounded, and so is the number of queues (a queue goes
 * away once empty): an alert that finds no room is not sent and is counted (`dropped`), so a
 * flood costs bounded memory and never delays a tick.
 *
 * Each attempt has one deadline (`timeoutMs`) for everything: connecting, sending, the answer
 * and its whole body; only a complete 2xx answer within it counts as sent. A failure that may
 * pass (no connection, the deadline, a 5xx, 408 or 429) is retried up to `retries` times,
 * after `backoffMs`, then twice that, and so on; a client error (another 4xx, a redirect) is
 * not. The last failure is logged with the URL's scheme, host and path only (never its user,
 * password or query, which often hold a secret) and counted (`failed`).
 */
import { type Logger, silentLogger } from "../util/log.js";
import type { Alert } from "./types.js";

export interface WebhookOptions {
  /** Milliseconds an attempt may take, answer included (`alerts.webhook_timeout_ms`). */
  timeoutMs: number;
  /** Alerts waiting at most, per destination (`alerts.webhook_queue`). */
  queueSize: number;
  /** Attempts after the first, for failures that may pass (default 2). */
  retries?: number;
  /** Delay before the first retry; each next one doubles it (default 1000 ms). */
  backoffMs?: number;
  /** Destinations with a queue at once (default 32). */
  maxDestinations?: number;
}

export const WEBHOOK_DEFAULTS = { retries: 2, backoffMs: 1000, maxDestinations: 32 } as const;

/** The longest delay between two attempts, however many retries. */
const MAX_BACKOFF_MS = 60_000;

export interface WebhookMetrics {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface WebhookSender {
  /** Queues one alert for `url`; never throws, never waits. */
  send(url: string, alert: Alert): void;
  /** Applies new options (reload); the queues keep what they hold. */
  configure(opts: WebhookOptions): void;
  metrics(): WebhookMetrics;
  /** Resolves once every queue is empty (tests, shutdown). */
  idle(): Promise<void>;
  /** Drops what is queued and abandons the requests in flight and the retries waiting. */
  stop(): Promise<void>;
}

/** A URL as a log line may show it: scheme, host, port and path, nothing else. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/**
 * fetch refuses URLs with credentials (WHATWG fetch), so `https://user:pass@host/` becomes the
 * URL without them and a Basic Authorization header.
 */
function splitCredentials(url: string): { url: string; auth: string | null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, auth: null };
  }
  if (u.username === "" && u.password === "") return { url, auth: null };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = "";
  u.password = "";
  return {
    url: u.toString(),
    auth: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`,
  };
}

/** The receiver a URL names (its queue's key): scheme, host and port. */
function destinationOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Whether a failed attempt may succeed if made again. */
function retryable(status: number | null): boolean {
  return status === null || status >= 500 || status === 408 || status === 429;
}

interface Job {
  url: string;
  auth: string | null;
  body: string;
}

/** What one attempt came to: sent, or why not (an HTTP status, or an error's words). */
type Outcome = { ok: true } | { ok: false; status: number | null; error: string };

interface Destination {
  queue: Job[];
  draining: Promise<void>;
  /** The request in flight, or the wait before a retry. */
  abort: AbortController | null;
}

export function createWebhookSender(
  initial: WebhookOptions,
  deps: { log?: Logger; fetch?: typeof fetch } = {},
): WebhookSender {
  let opts = initial;
  const log = deps.log ?? silentLogger;
  const doFetch = deps.fetch ?? fetch;
  const destinations = new Map<string, Destination>();
  const m = { sent: 0, failed: 0, dropped: 0 };
  let stopped = false;

  const setting = <K extends keyof typeof WEBHOOK_DEFAULTS>(k: K): number =>
    opts[k] ?? WEBHOOK_DEFAULTS[k];

  /** One POST with one deadline for all of it, the answer's body included. */
  async function attempt(job: Job, ctrl: AbortController): Promise<Outcome> {
    const timeoutMs = opts.timeoutMs;
    const timer = setTimeout(() => ctrl.abort(new Error("timeout")), timeoutMs);
    let status: number | null = null;
    try {
      const res = await doFetch(job.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "net-net",
          ...(job.auth !== null ? { authorization: job.auth } : {}),
        },
        body: job.body,
        signal: ctrl.signal,
        redirect: "manual",
      });
      status = res.status;
      // The whole answer, within the same deadline: a receiver that sends its status and then
      // drips the rest has not answered yet.
      await res.arrayBuffer();
      if (status < 200 || status > 299) return { ok: false, status, error: "" };
      return { ok: true };
    } catch (err: unknown) {
      const error = ctrl.signal.aborted
        ? status === null
          ? `no answer within ${timeoutMs} ms`
          : `no full answer within ${timeoutMs} ms`
        : err instanceof Error
          ? (err.cause instanceof Error ? err.cause.message : err.message).replace(
              job.url,
              safeUrl(job.url),
            )
          : String(err);
      return { ok: false, status: null, error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves after `ms`, or at once when `ctrl` is aborted (stop). */
  function pause(ms: number, ctrl: AbortController): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      ctrl.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async function deliver(d: Destination, job: Job): Promise<void> {
    const attempts = 1 + Math.max(0, setting("retries"));
    for (let n = 1; ; n++) {
      const ctrl = new AbortController();
      d.abort = ctrl;
      const outcome = await attempt(job, ctrl);
      if (stopped) return;
      if (outcome.ok) {
        m.sent++;
        return;
      }
      const url = safeUrl(job.url);
      const why = outcome.status !== null ? { status: outcome.status } : { error: outcome.error };
      if (n >= attempts || !retryable(outcome.status)) {
        m.failed++;
        log.warn({ url, ...why, ...(n > 1 ? { attempts: n } : {}) }, "webhook failed");
        return;
      }
      const delay = Math.min(setting("backoffMs") * 2 ** (n - 1), MAX_BACKOFF_MS);
      log.debug({ url, ...why, attempt: n, retry_in_ms: delay }, "webhook attempt failed");
      const wait = new AbortController();
      d.abort = wait;
      await pause(delay, wait);
      if (stopped) return;
    }
  }

  async function drain(key: string, d: Destination): Promise<void> {
    for (let job = d.queue.shift(); job !== undefined && !stopped; job = d.queue.shift()) {
      await deliver(d, job);
    }
    d.abort = null;
    // An empty queue makes room for another destination.
    if (destinations.get(key) === d) destinations.delete(key);
  }

  function drop(url: string, msg: string): void {
    m.dropped++;
    if (m.dropped === 1 || m.dropped % 100 === 0) {
      log.warn({ url: safeUrl(url), dropped: m.dropped }, msg);
    }
  }

  return {
    send(url, alert) {
      if (stopped) return;
      const key = destinationOf(url);
      let d = destinations.get(key);
      if (d === undefined) {
        if (destinations.size >= setting("maxDestinations")) {
          drop(url, "webhook destinations full, alert not sent");
          return;
        }
        const fresh: Destination = { queue: [], draining: Promise.resolve(), abort: null };
        d = fresh;
        destinations.set(key, fresh);
        fresh.queue.push({ ...splitCredentials(url), body: JSON.stringify(alert) });
        fresh.draining = drain(key, fresh);
        return;
      }
      if (d.queue.length >= opts.queueSize) {
        drop(url, "webhook queue full, alert not sent");
        return;
      }
      d.queue.push({ ...splitCredentials(url), body: JSON.stringify(alert) });
    },
    configure(next) {
      opts = { ...opts, ...next };
    },
    metrics: () => {
      let queued = 0;
      for (const d of destinations.values()) queued += d.queue.length;
      return { ...m, queued };
    },
    async idle() {
      while (destinations.size > 0) {
        await Promise.all([...destinations.values()].map((d) => d.draining));
      }
    },
    async stop() {
      stopped = true;
      const all = [...destinations.values()];
      for (const d of all) {
        d.queue.length = 0;
        d.abort?.abort(new Error("stopped"));
      }
      await Promise.all(all.map((d) => d.draining));
      destinations.clear();
    },
  };
}
