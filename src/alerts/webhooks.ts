/**
 * Webhooks: an alert POSTed as JSON to the URL its rule names, off the tick. `send` only
 * queues and returns; a single sender drains the queue one request at a time, each with a
 * timeout. The queue is bounded: when it is full the alert is not sent and is counted
 * (`dropped`), so a slow or dead receiver costs bounded memory and never delays a tick.
 * Failures (network error, timeout, a status other than 2xx) are logged with the URL's
 * scheme, host and path only (never its user, password or query, which often hold a secret)
 * and counted.
 */
import { type Logger, silentLogger } from "../util/log.js";
import type { Alert } from "./types.js";

export interface WebhookOptions {
  /** Milliseconds before a request is abandoned (`alerts.webhook_timeout_ms`). */
  timeoutMs: number;
  /** Alerts waiting at most (`alerts.webhook_queue`). */
  queueSize: number;
}

export interface WebhookMetrics {
  sent: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface WebhookSender {
  /** Queues one alert for `url`; never throws, never waits. */
  send(url: string, alert: Alert): void;
  /** Applies new options (reload); the queue keeps what it holds. */
  configure(opts: WebhookOptions): void;
  metrics(): WebhookMetrics;
  /** Resolves once the queue is empty (tests, shutdown). */
  idle(): Promise<void>;
  /** Drops what is queued and abandons the request in flight. */
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

export function createWebhookSender(
  initial: WebhookOptions,
  deps: { log?: Logger; fetch?: typeof fetch } = {},
): WebhookSender {
  let opts = initial;
  const log = deps.log ?? silentLogger;
  const doFetch = deps.fetch ?? fetch;
  const queue: { url: string; auth: string | null; body: string }[] = [];
  const m = { sent: 0, failed: 0, dropped: 0 };
  let running: Promise<void> | null = null;
  let stopped = false;
  let inFlight: AbortController | null = null;

  async function post(url: string, auth: string | null, body: string): Promise<void> {
    const ctrl = new AbortController();
    inFlight = ctrl;
    const timer = setTimeout(() => ctrl.abort(new Error("timeout")), opts.timeoutMs);
    try {
      const res = await doFetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "net-net",
          ...(auth !== null ? { authorization: auth } : {}),
        },
        body,
        signal: ctrl.signal,
        redirect: "manual",
      });
      // The body is not needed; reading it frees the connection.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) {
        m.failed++;
        log.warn({ url: safeUrl(url), status: res.status }, "webhook failed");
      } else {
        m.sent++;
      }
    } catch (err: unknown) {
      if (stopped) return;
      m.failed++;
      const reason = ctrl.signal.aborted
        ? `no answer within ${opts.timeoutMs} ms`
        : err instanceof Error
          ? (err.cause instanceof Error ? err.cause.message : err.message).replace(
              url,
              safeUrl(url),
            )
          : String(err);
      log.warn({ url: safeUrl(url), error: reason }, "webhook failed");
    } finally {
      clearTimeout(timer);
      inFlight = null;
    }
  }

  async function drain(): Promise<void> {
    for (let next = queue.shift(); next !== undefined && !stopped; next = queue.shift()) {
      await post(next.url, next.auth, next.body);
    }
    running = null;
  }

  return {
    send(url, alert) {
      if (stopped) return;
      if (queue.length >= opts.queueSize) {
        m.dropped++;
        if (m.dropped === 1 || m.dropped % 100 === 0) {
          log.warn(
            {
              url: safeUrl(url),
              dropped: m.dropped,
            },
            "webhook queue full, alert not sent",
          );
        }
        return;
      }
      queue.push({ ...splitCredentials(url), body: JSON.stringify(alert) });
      running ??= drain();
    },
    configure(next) {
      opts = next;
    },
    metrics: () => ({ ...m, queued: queue.length }),
    async idle() {
      while (running !== null) await running;
    },
    async stop() {
      stopped = true;
      queue.length = 0;
      inFlight?.abort(new Error("stopped"));
      if (running !== null) await running;
    },
  };
}
