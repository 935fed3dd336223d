import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import Database from "better-sqlite3";
import {
  createSessionManager,
  credentialFingerprint,
  REFRESH_GRANULARITY_MS,
  type SessionManager,
  type SessionManagerOptions,
} from "./sessions.js";

/** The table as the store's migrations (2 and 5) leave it. */
const SCHEMA = `
CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  absolute_expires_at INTEGER NOT NULL DEFAULT 0, credential TEXT NOT NULL DEFAULT '');
CREATE INDEX sessions_expires ON sessions(expires_at);
`;

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;

/** The configured users' hashes (any strings do: the sessions only compare them). */
function userHashes(): Map<string, string> {
  return new Map([
    ["admin", "$2b$04$admin-hash"],
    ["ops", "$2b$04$ops-hash"],
  ]);
}

/** Options with a day's lifetime and the users of `hashes`. */
function options(
  db: Database.Database,
  hashes: ReadonlyMap<string, string>,
  more: Partial<SessionManagerOptions> = {},
): SessionManagerOptions {
  return {
    db,
    expirySeconds: 3600,
    maxLifetimeSeconds: DAY_S,
    credentialOf: (name) => hashes.get(name),
    ...more,
  };
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const T0 = 1_700_000_000_000;

interface Row {
  token_hash: string;
  username: string;
  created_at: number;
  last_seen: number;
  expires_at: number;
  absolute_expires_at: number;
  credential: string;
}

function openMemory(): Database.Database {
  const db = new Database(":memory:");
  db.exec(SCHEMA);
  return db;
}

describe("session manager", () => {
  let db: Database.Database;
  let clock: number;
  let hashes: Map<string, string>;
  let sessions: SessionManager;
  const rows = () => db.prepare<[], Row>("SELECT * FROM sessions ORDER BY created_at").all();

  beforeEach(() => {
    db = openMemory();
    clock = T0;
    hashes = userHashes();
    sessions = createSessionManager(options(db, hashes, { now: () => clock }));
  });
  afterEach(() => db.close());

  test("create returns a UUID v4 token and the contract's expires_in", () => {
    const s = sessions.create("admin");
    assert.match(s.token, UUID_V4);
    assert.equal(s.expiresIn, 3600);
    assert.notEqual(sessions.create("admin").token, s.token);
  });

  test("the database holds only the token's SHA-256, never the token", () => {
    const { token } = sessions.create("admin");
    const all = rows();
    assert.equal(all.length, 1);
    assert.deepEqual(all[0], {
      token_hash: createHash("sha256").update(token).digest("hex"),
      username: "admin",
      created_at: T0,
      last_seen: T0,
      expires_at: T0 + 3_600_000,
      absolute_expires_at: T0 + DAY_MS,
      credential: createHash("sha256").update("$2b$04$admin-hash").digest("hex"),
    });
    const dump = JSON.stringify(db.prepare("SELECT * FROM sessions").raw().all());
    assert.ok(!dump.includes(token));
    assert.ok(!dump.includes(token.replace(/-/g, "")));
  });

  test("a valid token gives its user; unknown tokens give null", () => {
    const { token } = sessions.create("admin");
    assert.equal(sessions.validate(token), "admin");
    assert.equal(sessions.validate(token.toUpperCase()), "admin", "UUIDs are case-insensitive");
    assert.equal(sessions.validate("6f1c2f1e-8d2a-4b7c-9e3f-0a1b2c3d4e5f"), null);
  });

  test("malformed tokens are rejected without touching the database", () => {
    sessions.create("admin");
    db.close(); // any query would now throw
    for (const bad of [
      "",
      "admin",
      "6f1c2f1e8d2a4b7c9e3f0a1b2c3d4e5f",
      "6f1c2f1e-8d2a-1b7c-9e3f-0a1b2c3d4e5f", // version 1
      "6f1c2f1e-8d2a-4b7c-7e3f-0a1b2c3d4e5f", // wrong variant
      "6f1c2f1e-8d2a-4b7c-9e3f-0a1b2c3d4e5fa",
      " 6f1c2f1e-8d2a-4b7c-9e3f-0a1b2c3d4e5f",
      "6f1c2f1e-8d2a-4b7c-9e3f-0a1b2c3d4e5g",
      "' OR 1=1 --",
      "x".repeat(100_000),
    ]) {
      assert.equal(sessions.validate(bad), null, bad.slice(0, 40));
      assert.equal(sessions.revoke(bad), false);
    }
    db = openMemory(); // for afterEach
  });

  test("each use slides the expiry forward", () => {
    const { token } = sessions.create("admin");
    for (let i = 1; i <= 5; i++) {
      clock += 3_000_000; // 50 minutes, under the hour each time
      assert.equal(sessions.validate(token), "admin", `use ${i}`);
      assert.equal(rows()[0]?.last_seen, clock);
      assert.equal(rows()[0]?.expires_at, clock + 3_600_000);
    }
    assert.equal(rows()[0]?.created_at, T0);
  });

  test("uses within a second of the last refresh are not written back", () => {
    const { token } = sessions.create("admin");
    clock += REFRESH_GRANULARITY_MS - 1;
    assert.equal(sessions.validate(token), "admin");
    assert.equal(rows()[0]?.last_seen, T0);
    clock += 1;
    assert.equal(sessions.validate(token), "admin");
    assert.equal(rows()[0]?.last_seen, T0 + REFRESH_GRANULARITY_MS);
  });

  test("a session unused for the expiry time is gone", () => {
    const { token } = sessions.create("admin");
    clock += 3_600_000 - 1;
    assert.equal(sessions.validate(token), "admin");
    clock += 3_600_000;
    assert.equal(sessions.validate(token), null);
    assert.equal(rows().length, 0, "an expired session found on use is deleted");
  });

  test("H3: peek names a session's user without sliding its expiry, and null once it has expired", () => {
    const { token } = sessions.create("admin");
    for (let i = 1; i <= 5; i++) {
      clock += 600_000; // 10 minutes, 50 in all
      assert.equal(sessions.peek(token), "admin", `peek ${i}`);
    }
    assert.deepEqual(
      [rows()[0]?.last_seen, rows()[0]?.expires_at],
      [T0, T0 + 3_600_000],
      "nothing written back",
    );
    clock = T0 + 3_600_000;
    assert.equal(sessions.peek(token), null, "expired at its time, however often it was peeked");
    assert.equal(sessions.peek("not-a-token"), null);
    const other = sessions.create("ops");
    sessions.revoke(other.token);
    assert.equal(sessions.peek(other.token), null);
  });

  test("H3: peek refuses what validate refuses: a removed user, a changed password, the absolute lifetime", () => {
    const a = sessions.create("admin");
    hashes.set("admin", "$2b$04$another-admin-hash");
    assert.equal(sessions.peek(a.token), null, "the password changed");
    hashes.set("admin", "$2b$04$admin-hash");
    const b = sessions.create("admin");
    hashes.delete("admin");
    assert.equal(sessions.peek(b.token), null, "the user was removed");
    hashes.set("admin", "$2b$04$admin-hash");
    const c = sessions.create("admin");
    // Used every 30 minutes, so never idle; still over after the day's lifetime.
    for (let i = 0; i < 49; i++) {
      clock += 1_800_000;
      sessions.validate(c.token);
    }
    assert.equal(sessions.peek(c.token), null, "past the absolute lifetime");
  });

  test("revoke ends one session (logout), and only once", () => {
    const a = sessions.create("admin");
    const b = sessions.create("admin");
    assert.equal(sessions.revoke(a.token), true);
    assert.equal(sessions.revoke(a.token), false);
    assert.equal(sessions.validate(a.token), null);
    assert.equal(sessions.validate(b.token), "admin");
  });

  test("revokeUser ends every session of one user", () => {
    const a = sessions.create("admin");
    const b = sessions.create("admin");
    const c = sessions.create("ops");
    assert.equal(sessions.revokeUser("admin"), 2);
    assert.equal(sessions.validate(a.token), null);
    assert.equal(sessions.validate(b.token), null);
    assert.equal(sessions.validate(c.token), "ops");
    assert.equal(sessions.revokeUser("nobody"), 0);
  });

  test("purgeExpired deletes only expired sessions", () => {
    const old = sessions.create("admin");
    clock += 1_800_000;
    const recent = sessions.create("ops");
    clock += 1_800_000; // `old` expires exactly now
    assert.equal(sessions.purgeExpired(), 1);
    assert.deepEqual(
      rows().map((r) => r.username),
      ["ops"],
    );
    assert.equal(sessions.validate(old.token), null);
    assert.equal(sessions.validate(recent.token), "ops");
  });

  test("the expiry must be a positive whole number of seconds", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => createSessionManager(options(db, hashes, { expirySeconds: bad })),
        RangeError,
      );
      assert.throws(
        () => createSessionManager(options(db, hashes, { maxLifetimeSeconds: bad })),
        RangeError,
      );
    }
    assert.throws(() => sessions.create(""), RangeError);
    assert.throws(() => sessions.create("mallory"), RangeError, "only configured users log in");
  });
  test("H2: a session of a user no longer in the config is refused and deleted", () => {
    const a = sessions.create("admin");
    const o = sessions.create("ops");
    hashes.delete("ops"); // a reload without ops, or a restart on a config without ops
    assert.equal(sessions.validate(o.token), null);
    assert.deepEqual(
      rows().map((r) => r.username),
      ["admin"],
    );
    assert.equal(sessions.validate(a.token), "admin");
    // Added again (same name, same hash): the old session stays gone.
    hashes.set("ops", "$2b$04$ops-hash");
    assert.equal(sessions.validate(o.token), null);
  });

  test("H2: a changed password ends the user's sessions; a session made after it works", () => {
    const before = sessions.create("admin");
    hashes.set("admin", "$2b$04$new-admin-hash");
    assert.equal(sessions.validate(before.token), null);
    const after = sessions.create("admin");
    assert.equal(sessions.validate(after.token), "admin");
    hashes.set("admin", "$2b$04$admin-hash"); // and back: the first one is deleted for good
    assert.equal(sessions.validate(before.token), null);
    assert.equal(sessions.validate(after.token), null);
  });

  test("H2: purgeStale deletes the sessions of removed users, old passwords and expired ones", () => {
    const expired = sessions.create("admin");
    clock += 3_600_000;
    const kept = sessions.create("admin");
    const removed = sessions.create("ops");
    const oldPassword = sessions.create("admin");
    db.prepare("UPDATE sessions SET credential = ? WHERE token_hash = ?").run(
      credentialFingerprint("$2b$04$older-hash"),
      createHash("sha256").update(oldPassword.token).digest("hex"),
    );
    hashes.delete("ops");
    assert.equal(sessions.purgeStale(), 3);
    assert.equal(rows().length, 1);
    assert.equal(sessions.validate(kept.token), "admin");
    for (const gone of [expired, removed, oldPassword]) {
      assert.equal(sessions.validate(gone.token), null);
    }
    assert.equal(sessions.purgeStale(), 0);
  });

  test("H2: no use keeps a session past api.session_max_lifetime", () => {
    const short = createSessionManager(
      options(db, hashes, { maxLifetimeSeconds: 7200, now: () => clock }),
    );
    const { token, expiresIn } = short.create("admin");
    assert.equal(expiresIn, 3600);
    for (let i = 1; i <= 3; i++) {
      clock += 2_400_000; // 40 minutes, well within the idle expiry each time
      const alive = clock < T0 + 7_200_000;
      assert.equal(short.validate(token), alive ? "admin" : null, `use ${i}`);
      if (alive) assert.ok((rows()[0]?.expires_at ?? 0) <= T0 + 7_200_000, "never past it");
    }
    assert.equal(rows().length, 0);
    // A lifetime shorter than the idle expiry is the expiry the client is told.
    const tiny = createSessionManager(options(db, hashes, { maxLifetimeSeconds: 60 }));
    assert.equal(tiny.create("admin").expiresIn, 60);
  });

  test("H2: a lowered api.session_max_lifetime applies to sessions made before it", () => {
    // Idle expiry a day too, so that only the lifetime can end the session here.
    const before = createSessionManager(
      options(db, hashes, { expirySeconds: DAY_S, now: () => clock }),
    );
    const { token } = before.create("admin");
    clock += 3 * 3_600_000 - 1;
    assert.equal(before.validate(token), "admin");
    const restarted = createSessionManager(
      options(db, hashes, { expirySeconds: DAY_S, maxLifetimeSeconds: 3 * 3600, now: () => clock }),
    );
    assert.equal(restarted.validate(token), "admin");
    clock += 1;
    assert.equal(restarted.purgeExpired(), 1);
    assert.equal(restarted.validate(token), null);
  });
});

test("sessions survive a restart: a file database reopened", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-sessions-"));
  try {
    const path = join(dir, "netnet.db");
    let clock = T0;
    const first = new Database(path);
    first.pragma("journal_mode = WAL");
    first.exec(SCHEMA);
    const hashes = userHashes();
    const { token } = createSessionManager(
      options(first, hashes, { expirySeconds: 60, now: () => clock }),
    ).create("admin");
    first.close();

    clock += 30_000;
    const second = new Database(path);
    try {
      const sessions = createSessionManager(
        options(second, hashes, { expirySeconds: 60, now: () => clock }),
      );
      assert.equal(sessions.validate(token), "admin");
      assert.equal(sessions.revoke(token), true);
      assert.equal(sessions.validate(token), null);
    } finally {
      second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
