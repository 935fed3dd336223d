/**
 * Login throttling, per client address and per username. The first `freeFailures` failures
 * within `windowMs` cost nothing; each later attempt waits `baseDelayMs`, doubling per
 * failure up to `maxDelayMs`; at `maxFailures` the attempt is refused (429 with Retry-After)
 * until the oldest failure leaves the window. A success clears the username's failures.
 *
 * An attempt counts as a failure from the moment it is let in until it succeeds, so a burst
 * of parallel logins is counted as it arrives and cannot slip past the limit while the first
 * bcrypt checks are still running; an attempt whose outcome is never reported stays a failure.
 *
 * State is two maps (addresses, usernames) kept in least-recently-used order and capped at
 * `maxEntries` each, so a flood of distinct addresses evicts old entries instead of growing
 * memory. IPv6 clients are keyed by their /64, the block one host usually controls.
 */
import { isIPv6 } from "node:net";

export interface LoginGuardOptions {
  /** Clock in unix milliseconds; tests inject one. */
  now?: () => number;
  /** Failures within the window that cost nothing (default 5). */
  freeFailures?: number;
  /** Failures within the window at which attempts are refused (default 10). */
  maxFailures?: number;
  /** How long a failure counts (default 15 minutes). */
  windowMs?: number;
  /** Delay after `freeFailures` failures; doubles with each further one (default 1 s). */
  baseDelayMs?: number;
  /** Longest delay (default 30 s). */
  maxDelayMs?: number;
  /** Entries kept per map, addresses and usernames (default 10,000). */
  maxEntries?: number;
}

export const LOGIN_GUARD_DEFAULTS = {
  freeFailures: 5,
  maxFailures: 10,
  windowMs: 15 * 60 * 1000,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxEntries: 10_000,
} as const;

/** Usernames longer than this are keyed by their start: keys stay small whatever is sent. */
const MAX_USERNAME_KEY = 256;

/** An attempt let in: wait `delayMs` before checking the password, then report the outcome. */
export interface LoginAttempt {
  allowed: true;
  delayMs: number;
  /** The password was right: clears the username's failures (the address keeps its own). */
  succeed(): void;
  /** The password was wrong. The failure is already counted; this only settles the attempt. */
  fail(): void;
}

/** An attempt refused: answer 429 with `Retry-After: retryAfterSeconds`. */
export interface LoginRefusal {
  allowed: false;
  retryAfterSeconds: number;
}

export interface LoginGuard {
  begin(address: string, username: string): LoginAttempt | LoginRefusal;
  /** Entries held (addresses + usernames), for tests and metrics. */
  readonly size: number;
}

/** Failure times of one key, oldest first. */
type Failures = number[];

/** Expands an IPv6 address to its eight 16-bit groups, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const zone = address.indexOf("%");
  const a = zone < 0 ? address : address.slice(0, zone);
  if (!isIPv6(a)) return null;
  let head = a;
  const tail: number[] = [];
  const lastColon = a.lastIndexOf(":");
  if (a.indexOf(".", lastColon) > 0) {
    // An embedded IPv4 address (::ffff:1.2.3.4) forms the last two groups.
    const v4 = a
      .slice(lastColon + 1)
      .split(".")
      .map(Number);
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    head = a.slice(0, lastColon + 1);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const gap = head.indexOf("::");
  let groups: number[];
  if (gap < 0) {
    groups = [...parse(head), ...tail];
  } else {
    const left = parse(head.slice(0, gap));
    const right = [...parse(head.slice(gap + 2)), ...tail];
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  return groups.length === 8 ? groups : null;
}

/**
 * The key a client address is counted under: IPv4 as it is, IPv4-mapped IPv6 as its IPv4
 * address, other IPv6 addresses by their /64 prefix.
 */
export function clientKey(address: string): string {
  const g = ipv6Groups(address);
  if (g === null) return address;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    const w6 = g[6] ?? 0;
    const w7 = g[7] ?? 0;
    return `${w6 >> 8}.${w6 & 0xff}.${w7 >> 8}.${w7 & 0xff}`;
  }
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(":")}::/64`;
}

export function createLoginGuard(opts: LoginGuardOptions = {}): LoginGuard {
  const now = opts.now ?? Date.now;
  const freeFailures = opts.freeFailures ?? LOGIN_GUARD_DEFAULTS.freeFailures;
  const maxFailures = opts.maxFailures ?? LOGIN_GUARD_DEFAULTS.maxFailures;
  const windowMs = opts.windowMs ?? LOGIN_GUARD_DEFAULTS.windowMs;
  const baseDelayMs = opts.baseDelayMs ?? LOGIN_GUARD_DEFAULTS.baseDelayMs;
  const maxDelayMs = opts.maxDelayMs ?? LOGIN_GUARD_DEFAULTS.maxDelayMs;
  const maxEntries = opts.maxEntries ?? LOGIN_GUARD_DEFAULTS.maxEntries;
  if (!(freeFailures >= 0 && maxFailures > freeFailures && windowMs > 0 && maxEntries > 0)) {
    throw new RangeError("login guard needs 0 <= freeFailures < maxFailures, a window and room");
  }

  const byAddress = new Map<string, Failures>();
  const byUser = new Map<string, Failures>();

  /** The key's failures still in the window, marked most recently used; undefined when none. */
  function current(map: Map<string, Failures>, key: string, t: number): Failures | undefined {
    const f = map.get(key);
    if (f === undefined) return undefined;
    map.delete(key);
    let stale = 0;
    while (stale < f.length && (f[stale] ?? 0) <= t - windowMs) stale++;
    if (stale > 0) f.splice(0, stale);
    if (f.length === 0) return undefined;
    map.set(key, f);
    return f;
  }

  function record(map: Map<string, Failures>, key: string, f: Failures | undefined, t: number) {
    if (f !== undefined) {
      f.push(t);
      return;
    }
    if (map.size >= maxEntries) {
      // Evict the least recently used key: the first in insertion order.
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(key, [t]);
  }

  function unrecord(map: Map<string, Failures>, key: string, t: number) {
    const f = map.get(key);
    if (f === undefined) return;
    const i = f.lastIndexOf(t);
    if (i >= 0) f.splice(i, 1);
    if (f.length === 0) map.delete(key);
  }

  /** Milliseconds until `f` holds fewer than `maxFailures` failures. */
  function waitFor(f: Failures | undefined, t: number): number {
    if (f === undefined || f.length < maxFailures) return 0;
    return (f[f.length - maxFailures] ?? t) + windowMs - t;
  }

  return {
    begin(address, username) {
      const t = now();
      const aKey = clientKey(address);
      const uKey =
        username.length > MAX_USERNAME_KEY ? username.slice(0, MAX_USERNAME_KEY) : username;
      const a = current(byAddress, aKey, t);
      const u = current(byUser, uKey, t);
      const n = Math.max(a?.length ?? 0, u?.length ?? 0);
      if (n >= maxFailures) {
        const waitMs = Math.max(waitFor(a, t), waitFor(u, t));
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      const delayMs =
        n < freeFailures ? 0 : Math.min(baseDelayMs * 2 ** (n - freeFailures), maxDelayMs);
      record(byAddress, aKey, a, t);
      record(byUser, uKey, u, t);

      let settled = false;
      return {
        allowed: true,
        delayMs,
        succeed() {
          if (settled) return;
          settled = true;
          byUser.delete(uKey);
          unrecord(byAddress, aKey, t);
        },
        fail() {
          settled = true;
        },
      };
    },
    get size() {
      return byAddress.size + byUser.size;
    },
  };
}
