/**
 * The Host check: every request must name this daemon in its `Host` header, or it is answered
 * 421 before anything else runs (authentication, the login, the stream, the dashboard's
 * files). This is what stops DNS rebinding: a page on an attacker's name that resolves first
 * to the attacker and then to 127.0.0.1 is same-origin with that name for the browser, but its
 * requests still carry the attacker's name as Host. Without the check such a page could reach
 * a daemon on loopback and log in with the demo password, which loopback allows.
 *
 * Accepted: the listen address (`api.host`), `localhost`, `127.0.0.1`, `[::1]`, the names of
 * `api.allowed_hosts`, and the address the connection arrived at (an address literal is never
 * a rebound name: only a page served from that very address sends it). Ports are ignored,
 * names compared in lower case without a trailing dot, IPv6 addresses in brackets.
 */
import { isIP } from "node:net";
import { LogThrottle } from "../../util/log-throttle.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS } from "./authenticate.js";

/** Names always accepted: this machine's own. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"] as const;

/** A Host header: a bracketed IPv6 address or a name without `:`, then an optional port. */
const HOST_HEADER = /^(?:\[([0-9a-f:.]+)\]|([^:[\]@/\\?#\s]+))(?::([0-9]{1,5}))?$/i;

/** The IPv6 address in the canonical form a URL gives it, in brackets; null if it is none. */
function bracketedIPv6(address: string): string | null {
  if (isIP(address) !== 6) return null;
  return new URL(`http://[${address}]/`).hostname;
}

/**
 * The host name of a Host header as it is compared: lower case, no port, no trailing dot,
 * IPv6 in brackets in its canonical form; null when the header is missing or malformed.
 */
export function hostName(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = HOST_HEADER.exec(header);
  if (m === null) return null;
  const [, v6, name, port] = m;
  if (port !== undefined && Number(port) > 65535) return null;
  if (v6 !== undefined) return bracketedIPv6(v6);
  if (name === undefined) return null;
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** A configured name or address (`api.host`, an entry of `api.allowed_hosts`) as compared. */
export function configuredHostName(host: string): string | null {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const v6 = bracketedIPv6(bare);
  if (v6 !== null) return v6;
  return hostName(host);
}

/** A socket's local address as a Host would name it (IPv4-mapped IPv6 as IPv4). */
function localName(address: string | undefined): string | null {
  if (address === undefined) return null;
  const mapped = /^::ffff:([0-9.]+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  return isIP(address) === 6 ? bracketedIPv6(address) : address;
}

export interface HostCheckOptions {
  /** The listen address (`api.host`). */
  listenHost: string;
  /** More names accepted (`api.allowed_hosts`). */
  allowedHosts: readonly string[];
}

/** Longest Host value written to the log. */
const LOGGED_HOST_CHARS = 100;

/** Adds the check as the app's first onRequest hook: nothing runs for an unknown Host. */
export function addHostCheck(app: ApiApp, opts: HostCheckOptions): void {
  const accepted = new Set<string>(LOOPBACK_NAMES);
  for (const h of [opts.listenHost, ...opts.allowedHosts]) {
    const name = configuredHostName(h);
    if (name !== null) accepted.add(name);
  }
  const refusedLog = new LogThrottle(AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS);
  app.addHook("onRequest", async (req) => {
    const name = hostName(req.headers.host);
    if (name !== null && (accepted.has(name) || name === localName(req.socket.localAddress))) {
      return;
    }
    refusedLog.warn(
      req.log,
      { client: req.ip, host: (req.headers.host ?? "").slice(0, LOGGED_HOST_CHARS) },
      "request for an unknown host",
    );
    throw new ApiError("ERR_API_MISDIRECTED");
  });
}
