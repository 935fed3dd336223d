/**
 * How long a client may take and how many connections it may hold. Node's HTTP server, as
 * Fastify creates it, waits five minutes for a request and has no cap on connections, so a
 * few dozen clients sending a byte now and then could hold the daemon's sockets and memory
 * indefinitely. The limits here are nginx's in spirit (client_header_timeout,
 * client_body_timeout, keepalive_timeout, limit_conn), tighter because every request the API
 * accepts is small.
 *
 * The timeouts measure receiving a request, never sending an answer, so the live stream (an
 * answer that does not end) is not cut by them; the hub also lifts the idle timeout from the
 * stream's socket, which is quiet between ticks.
 */
import type { Server } from "node:http";
import { BlockList, isIP, type Socket } from "node:net";
import { clientKey } from "../auth/index.js";
import { DEFAULTS } from "../config/defaults.js";
import { LogThrottle } from "../util/log-throttle.js";

export interface ConnectionLimits {
  /** A request's headers must have arrived this long after it started. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived this long after it started. */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A connection without traffic either way for this long is closed (not the stream). */
  idleTimeoutMs: number;
  /** Open connections at once. */
  maxConnections: number;
  /** Open connections of one client address (an IPv6 client by its /64). */
  maxConnectionsPerAddress: number;
}

/** The keys of the `api` config section that hold the limits. */
export interface ConnectionLimitKeys {
  headers_timeout_ms: number;
  request_timeout_ms: number;
  keep_alive_timeout_ms: number;
  idle_timeout_ms: number;
  max_connections: number;
  max_connections_per_address: number;
}

/** The limits of an `api` config section. */
export function connectionLimitsOf(api: ConnectionLimitKeys): ConnectionLimits {
  return {
    headersTimeoutMs: api.headers_timeout_ms,
    requestTimeoutMs: api.request_timeout_ms,
    keepAliveTimeoutMs: api.keep_alive_timeout_ms,
    idleTimeoutMs: api.idle_timeout_ms,
    maxConnections: api.max_connections,
    maxConnectionsPerAddress: api.max_connections_per_address,
  };
}

export const CONNECTION_LIMIT_DEFAULTS: ConnectionLimits = connectionLimitsOf(DEFAULTS.api);

/**
 * How often Node looks for requests past their timeouts. Its default (30 s) would let a
 * request run up to 30 s past its limit; a quarter of the shortest limit keeps the overrun
 * small, within 0.1 to 5 s.
 */
export function timeoutCheckIntervalMs(limits: ConnectionLimits): number {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return Math.max(100, Math.min(5000, Math.floor(shortest / 4)));
}

/** A matcher of addresses against a list of addresses and CIDR blocks. */
export function addressMatcher(list: readonly string[]): (address: string) => boolean {
  if (list.length === 0) return () => false;
  const blocks = new BlockList();
  for (const entry of list) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) blocks.addAddress(address, family);
    else blocks.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const family = isIP(address);
    if (family === 0) return false;
    return blocks.check(address, family === 6 ? "ipv6" : "ipv4");
  };
}

/** Open connections, for tests and metrics. */
export interface ConnectionCounts {
  open: () => number;
  /** Connections closed as they were accepted, for being over a cap. */
  refused: () => number;
}

/** At most this many "connection refused" lines per window; the rest are counted. */
const REFUSED_LOG_LIMIT = 20;
const REFUSED_LOG_WINDOW_MS = 10_000;

/**
 * Caps the server's open connections, in all and per client address: a connection over a cap
 * is destroyed as it is accepted, before a byte of it is read. Addresses that `exempt`
 * matches (the trusted proxies, through which every client comes) count only in the total.
 */
export function limitConnections(
  server: Server,
  limits: Pick<ConnectionLimits, "maxConnections" | "maxConnectionsPerAddress">,
  exempt: (address: string) => boolean,
  log: { warn(obj: object, msg: string): void },
): ConnectionCounts {
  const perAddress = new Map<string, number>();
  let open = 0;
  let refused = 0;
  const refusedLog = new LogThrottle(REFUSED_LOG_LIMIT, REFUSED_LOG_WINDOW_MS);
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const counted = !exempt(address);
    const key = clientKey(address);
    const mine = counted ? (perAddress.get(key) ?? 0) : 0;
    if (open >= limits.maxConnections || mine >= limits.maxConnectionsPerAddress) {
      refused++;
      refusedLog.warn(
        log,
        { client: address, open, ofClient: mine },
        "connection refused: too many connections",
      );
      socket.destroy();
      return;
    }
    open++;
    if (counted) perAddress.set(key, mine + 1);
    socket.once("close", () => {
      open--;
      if (!counted) return;
      const n = (perAddress.get(key) ?? 1) - 1;
      if (n === 0) perAddress.delete(key);
      else perAddress.set(key, n);
    });
  });
  return { open: () => open, refused: () => refused };
}
