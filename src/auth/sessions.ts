/**
 * Login sessions in SQLite: UUID v4 tokens (as the original's contract), stored only as their
 * SHA-256 so that a copy of the database holds no usable token, with a sliding expiry of
 * `api.session_expiry` seconds. They survive a restart because nothing is kept in memory.
 *
 * A plain, unsalted SHA-256 is enough here: a token carries 122 random bits, so there is no
 * dictionary to try and nothing for a salt or a slow hash to protect.
 *
 * The table is created by the store's migrations:
 *   CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
 *     created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL);
 *   CREATE INDEX sessions_expires ON sessions(expires_at);
 * with times in unix milliseconds.
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
}

/** Hex SHA-256 of a token: the only form in which a token is stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token.toLowerCase()).digest("hex");
}

/** True when `token` has the shape of a session token (checked before any database work). */
export function isSessionTokenShape(token: string): boolean {
  return token.length === 36 && UUID_V4.test(token);
}

interface SessionRow {
  username: string;
  last_seen: number;
  expires_at: number;
}

export function createSessionManager(opts: SessionManagerOptions): SessionManager {
  const { db, expirySeconds } = opts;
  if (!Number.isInteger(expirySeconds) || expirySeconds <= 0) {
    throw new RangeError(`session expiry must be a positive whole number of seconds`);
  }
  const now = opts.now ?? Date.now;
  const expiryMs = expirySeconds * 1000;

  const insert = db.prepare<[string, string, number, number, number]>(
    "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)",
  );
  const select = db.prepare<[string], SessionRow>(
    "SELECT username, last_seen, expires_at FROM sessions WHERE token_hash = ?",
  );
  const touch = db.prepare<[number, number, string]>(
    "UPDATE sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?",
  );
  const remove = db.prepare<[string]>("DELETE FROM sessions WHERE token_hash = ?");
  const removeUser = db.prepare<[string]>("DELETE FROM sessions WHERE username = ?");
  const removeExpired = db.prepare<[number]>("DELETE FROM sessions WHERE expires_at <= ?");

  return {
    create(username) {
      if (username.length === 0) throw new RangeError("a session needs a username");
      const token = randomUUID();
      const t = now();
      insert.run(hashToken(token), username, t, t, t + expiryMs);
      return { token, expiresIn: expirySeconds };
    },

    validate(token) {
      if (!isSessionTokenShape(token)) return null;
      const key = hashToken(token);
      const row = select.get(key);
      if (row === undefined) return null;
      const t = now();
      if (row.expires_at <= t) {
        remove.run(key);
        return null;
      }
      if (t - row.last_seen >= REFRESH_GRANULARITY_MS) touch.run(t, t + expiryMs, key);
      return row.username;
    },

    peek(token) {
      if (!isSessionTokenShape(token)) return null;
      const row = select.get(hashToken(token));
      if (row === undefined || row.expires_at <= now()) return null;
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
      return removeExpired.run(now()).changes;
    },
  };
}
