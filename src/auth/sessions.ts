/**
 * Login sessions in SQLite: UUID v4 tokens (as the original's contract), stored only as their
 * SHA-256 so that a copy of the database holds no usable token, with a sliding expiry of
 * `api.session_expiry` seconds and an absolute one of `api.session_max_lifetime` seconds
 * after the login (ASVS 3.3.2). They survive a restart because nothing is kept in memory.
 *
 * A session is tied to its user's password: it stores a fingerprint (SHA-256) of the bcrypt
 * hash the user had at login, and is valid only while the running config gives that user the
 * same hash. A user removed from the config, or given a new password, loses every session at
 * once, whether the change came by reload or while the daemon was stopped.
 *
 * A plain, unsalted SHA-256 is enough for the token: it carries 122 random bits, so there is
 * no dictionary to try and nothing for a salt or a slow hash to protect. The fingerprint of a
 * bcrypt hash reveals nothing a guesser could use without the hash itself (and its salt).
 *
 * The table is created by the store's migrations (2 and 5):
 *   CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
 *     created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,
 *     absolute_expires_at INTEGER NOT NULL, credential TEXT NOT NULL);
 *   CREATE INDEX sessions_expires ON sessions(expires_at);
 * with times in unix milliseconds; `expires_at` never passes `absolute_expires_at`.
 */
import { createHash, randomUUID } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";

/** A UUID v4 as `crypto.randomUUID()` writes it; upper case is accepted and folded. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * A session seen again within this long is not written back: a dashboard polling every
 * second would otherwise cost one database write per request. The expiry slides in steps
 * of at most this much, so a session can end up to a second before its exact sliding time.
 */
export const REFRESH_GRANULARITY_MS = 1000;

export interface SessionManagerOptions {
  /** An open better-sqlite3 database that has the `sessions` table. */
  db: BetterSqlite3.Database;
  /** `api.session_expiry`: seconds of inactivity after which a session ends. */
  expirySeconds: number;
  /** `api.session_max_lifetime`: seconds after the login at which a session ends, used or not. */
  maxLifetimeSeconds: number;
  /**
   * The bcrypt hash the user has in the running config, or undefined when there is no such
   * user. Asked at every check, so that a reload applies at once.
   */
  credentialOf: (username: string) => string | undefined;
  /** Clock in unix milliseconds; tests inject one. */
  now?: () => number;
}

export interface NewSession {
  /** The token to give the client; it is not stored anywhere. */
  token: string;
  /** Seconds until the session expires without use: the contract's `expires_in`. */
  expiresIn: number;
}

export interface SessionManager {
  create(username: string): NewSession;
  /** The session's user, refreshing its expiry; null for an unknown, expired or malformed token. */
  validate(token: string): string | null;
  /**
   * The session's user without refreshing its expiry or writing anything; null for an unknown,
   * expired or malformed token. For checking again a session that was validated once (an open
   * stream), so that the check itself does not keep the session alive.
   */
  peek(token: string): string | null;
  /** Ends one session (logout); false when there was no such session. */
  revoke(token: string): boolean;
  /** Ends every session of a user (removed from the config, say); returns how many. */
  revokeUser(username: string): number;
  /** Deletes expired sessions; returns how many. */
  purgeExpired(): number;
  /**
   * Deletes every session `validate` would refuse: expired ones, and those whose user is no
   * longer configured or has another password. Run at start; returns how many.
   */
  purgeStale(): number;
}

/** Hex SHA-256 of a token: the only form in which a token is stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token.toLowerCase()).digest("hex");
}

/** The fingerprint of a bcrypt hash that a session keeps, to notice a changed password. */
export function credentialFingerprint(bcryptHash: string): string {
  return createHash("sha256").update(bcryptHash).digest("hex");
}

/** True when `token` has the shape of a session token (checked before any database work). */
export function isSessionTokenShape(token: string): boolean {
  return token.length === 36 && UUID_V4.test(token);
}

interface SessionRow {
  username: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
  absolute_expires_at: number;
  credential: string;
}

function positiveSeconds(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${what} must be a positive whole number of seconds`);
  }
  return value;
}

export function createSessionManager(opts: SessionManagerOptions): SessionManager {
  const { db, credentialOf } = opts;
  const expirySeconds = positiveSeconds(opts.expirySeconds, "session expiry");
  const maxLifetimeSeconds = positiveSeconds(opts.maxLifetimeSeconds, "session lifetime");
  const now = opts.now ?? Date.now;
  const expiryMs = expirySeconds * 1000;
  const maxLifetimeMs = maxLifetimeSeconds * 1000;

  const insert = db.prepare<[string, string, number, number, number, number, string]>(
    "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at, " +
      "absolute_expires_at, credential) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const select = db.prepare<[string], SessionRow>(
    "SELECT username, created_at, last_seen, expires_at, absolute_expires_at, credential " +
      "FROM sessions WHERE token_hash = ?",
  );
  const selectAll = db.prepare<[], SessionRow & { token_hash: string }>(
    "SELECT token_hash, username, created_at, last_seen, expires_at, absolute_expires_at, " +
      "credential FROM sessions",
  );
  const touch = db.prepare<[number, number, string]>(
    "UPDATE sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?",
  );
  const remove = db.prepare<[string]>("DELETE FROM sessions WHERE token_hash = ?");
  const removeUser = db.prepare<[string]>("DELETE FROM sessions WHERE username = ?");
  // A lifetime lowered since the login applies too: the deadline is also created_at + max.
  const removeExpired = db.prepare<[number, number, number]>(
    "DELETE FROM sessions WHERE expires_at <= ? OR absolute_expires_at <= ? OR created_at <= ?",
  );

  /** The moment the session ends however much it is used: the earlier of the stored deadline
   * and one computed with the running lifetime. */
  const deadlineOf = (row: SessionRow) =>
    Math.min(row.absolute_expires_at, row.created_at + maxLifetimeMs);

  /** True while the session may be used at `t`: not expired, and its user still has the
   * password the session was made with. */
  const valid = (row: SessionRow, t: number) => {
    if (row.expires_at <= t || deadlineOf(row) <= t) return false;
    const current = credentialOf(row.username);
    return current !== undefined && credentialFingerprint(current) === row.credential;
  };

  return {
    create(username) {
      if (username.length === 0) throw new RangeError("a session needs a username");
      const current = credentialOf(username);
      if (current === undefined) throw new RangeError("a session needs a configured user");
      const token = randomUUID();
      const t = now();
      const deadline = t + maxLifetimeMs;
      const expires = Math.min(t + expiryMs, deadline);
      insert.run(
        hashToken(token),
        username,
        t,
        t,
        expires,
        deadline,
        credentialFingerprint(current),
      );
      return { token, expiresIn: Math.min(expirySeconds, maxLifetimeSeconds) };
    },

    validate(token) {
      if (!isSessionTokenShape(token)) return null;
      const key = hashToken(token);
      const row = select.get(key);
      if (row === undefined) return null;
      const t = now();
      if (!valid(row, t)) {
        remove.run(key);
        return null;
      }
      if (t - row.last_seen >= REFRESH_GRANULARITY_MS) {
        touch.run(t, Math.min(t + expiryMs, deadlineOf(row)), key);
      }
      return row.username;
    },

    peek(token) {
      if (!isSessionTokenShape(token)) return null;
      const row = select.get(hashToken(token));
      // The same rules as validate (idle and absolute expiry, the user and their password),
      // without sliding or deleting anything.
      if (row === undefined || !valid(row, now())) return null;
      return row.username;
    },

    revoke(token) {
      if (!isSessionTokenShape(token)) return false;
      return remove.run(hashToken(token)).changes > 0;
    },

    revokeUser(username) {
      return removeUser.run(username).changes;
    },

    purgeExpired() {
      const t = now();
      return removeExpired.run(t, t, t - maxLifetimeMs).changes;
    },

    purgeStale() {
      const t = now();
      return db.transaction(() => {
        let n = 0;
        for (const row of selectAll.all()) {
          if (!valid(row, t)) n += remove.run(row.token_hash).changes;
        }
        return n;
      })();
    },
  };
}
