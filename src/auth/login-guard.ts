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
 * The address is checked first, and its limit always applies. The username's limit stops a
 * guessing attack spread over many addresses, but on its own it would let anyone lock a user
 * out: ten failures from anywhere, repeated every 15 minutes, would refuse the real user for
 * as long as the attacker likes. So an address that has logged in as a user (a known-good
 * address, remembered for `knownGoodMs`, 30 days by default) is exempt from that user's limit
 * and delays: the user gets in from where they logged in before, while every other address
 * stays refused. Knowing an address takes the user's password, so an attacker cannot make
 * one; the attacker's own addresses stay limited as before. A user locked out this way from a
 * new address (and after a restart, which forgets known addresses) still has the API token.
 *
 * State is two maps (addresses, usernames) kept in least-recently-used order and capped at
 * `maxEntries` each, so a flood of distinct addresses evicts old entries instead of growing
 * memory; known-good addresses are made only by successful logins, at most
 * `KNOWN_GOOD_PER_USER` per user and `maxEntries` users. IPv6 clients are keyed by their /64,
 * the block one host usually controls.
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
  /** How long an address that logged in as a user is exempt from that user's limit (30 days). */
  knownGoodMs?: number;
}

export const LOGIN_GUARD_DEFAULTS = {
  freeFailures: 5,
  maxFailures: 10,
  windowMs: 15 * 60 * 1000,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxEntries: 10_000,
  knownGoodMs: 30 * 24 * 60 * 60 * 1000,
} as const;

/** Known-good addresses kept per user; the least recently used is forgotten beyond. */
export const KNOWN_GOOD_PER_USER = 16;

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
  const knownGoodMs = opts.knownGoodMs ?? LOGIN_GUARD_DEFAULTS.knownGoodMs;
  if (!(freeFailures >= 0 && maxFailures > freeFailures && windowMs > 0 && maxEntries > 0)) {
    throw new RangeError("login guard needs 0 <= freeFailures < maxFailures, a window and room");
  }

  const byAddress = new Map<string, Failures>();
  const byUser = new Map<string, Failures>();
  /** Per user, the addresses that logged in as it and when they last did, oldest first. */
  const knownGood = new Map<string, Map<string, number>>();

  function isKnownGood(uKey: string, aKey: string, t: number): boolean {
    const at = knownGood.get(uKey)?.get(aKey);
    return at !== undefined && t - at < knownGoodMs;
  }

  function rememberGood(uKey: string, aKey: string, t: number): void {
    let addresses = knownGood.get(uKey);
    if (addresses === undefined) {
      if (knownGood.size >= maxEntries) {
        const oldest = knownGood.keys().next();
        if (oldest.done !== true) knownGood.delete(oldest.value);
      }
      addresses = new Map();
      knownGood.set(uKey, addresses);
    }
    addresses.delete(aKey);
    addresses.set(aKey, t);
    if (addresses.size > KNOWN_GOOD_PER_USER) {
      const oldest = addresses.keys().next();
      if (oldest.done !== true) addresses.delete(oldest.value);
    }
  }

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
      // The address's limit always holds; the user's, except from an address that has
      // logged in as this user.
      const known = isKnownGood(uKey, aKey, t);
      const n = known ? (a?.length ?? 0) : Math.max(a?.length ?? 0, u?.length ?? 0);
      if (n >= maxFailures) {
        const waitMs = Math.max(waitFor(a, t), known ? 0 : waitFor(u, t));
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
          rememberGood(uKey, aKey, t);
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
