/**
 * Passwords: bcrypt hashes from the config's `users:` list, checked in the same time whether
 * the user exists or not.
 *
 * The `bcrypt` package (OpenBSD's implementation, its binaries shipped inside the npm package)
 * verifies `$2a$` and `$2b$`. `$2y$` (PHP and htpasswd) is the same algorithm under
 * crypt_blowfish's name for the fixed `$2a$`, so it is checked as `$2b$`; the stored hash is
 * not rewritten. The tests check each prefix against hashes made by Python's bcrypt and
 * Apache's htpasswd.
 */
import { createHash, randomBytes } from "node:crypto";
import bcrypt from "bcrypt";
import type { Logger } from "../util/log.js";
import { UserConfigError } from "./auth-error.js";
import { exposureReason, type ReachConfig } from "./loopback.js";

/** The cost of new hashes unless told otherwise: about 170 ms per check on a 2020s core. */
export const DEFAULT_COST = 12;

/** Bcrypt reads at most this many bytes of a password and silently ignores the rest. */
export const MAX_PASSWORD_BYTES = 72;

/** `$2a$`, `$2b$` or `$2y$`, a two-digit cost from 04 to 31, 22 salt and 31 hash characters. */
const BCRYPT_HASH = /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * A crypt(3)-style `$id$...` string: some hash, though maybe not a usable one (`$2x$`,
 * `$6$`, `$argon2id$`). Such a value is an error, never taken for a plaintext password.
 */
const CRYPT_STYLE = /^\$[0-9a-z]+\$/;

/** True for a well-formed `$2a$`/`$2b$`/`$2y$` bcrypt hash that the verifier can read. */
export function isBcryptHash(value: string): boolean {
  return BCRYPT_HASH.test(value);
}

/** The cost written in a hash that `isBcryptHash` accepted. */
function costOf(bcryptHash: string): number {
  return Number(bcryptHash.slice(4, 6));
}

/** `$2y$` is `$2b$` under another name (see the top of this file). */
function forVerifier(bcryptHash: string): string {
  return bcryptHash.startsWith("$2y$") ? `$2b$${bcryptHash.slice(4)}` : bcryptHash;
}

/** The 64 characters of bcrypt's base64, in its order. */
const BCRYPT_BASE64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A hash at `cost` that no password matches: a fresh salt and a random digest. Checking a
 * password against it does the work of a real check at that cost, and making it costs
 * nothing (nothing is hashed).
 */
function dummyAt(cost: number): string {
  const digest = [...randomBytes(31)].map((b) => BCRYPT_BASE64[b & 63]).join("");
  return `${bcrypt.genSaltSync(cost)}${digest}`;
}

function hash(password: string, opts: { cost: number }): Promise<string> {
  return bcrypt.hash(password, opts.cost);
}

/** bcrypt's base-64 alphabet (its salt and digest are written in it). */
const BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The salt of a plaintext (loopback-only) password's hash: derived from the username, so the
 * same password gives the same hash at every start. A session is tied to its user's hash;
 * with a fresh salt at each start, every demo session would end at a restart. The hash stays
 * a bcrypt hash (a guess costs a bcrypt check), and a changed password still changes it.
 */
function plaintextSalt(username: string, cost: number): string {
  const digest = createHash("sha256")
    .update(`netnet plaintext password salt\0${username}`)
    .digest();
  let salt = "";
  for (let i = 0; i < 22; i++) salt += BCRYPT_B64[(digest[i] ?? 0) & 0x3f];
  return `$2b$${String(cost).padStart(2, "0")}$${salt}`;
}

function verify(password: string, bcryptHash: string): Promise<boolean> {
  return bcrypt.compare(password, forVerifier(bcryptHash));
}

/**
 * Hashes a password for the config's `users:` list. Refuses an empty password and one longer
 * than bcrypt reads (72 bytes), rather than silently ignoring its end.
 */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
    throw new RangeError(`bcrypt cost must be a whole number from 4 to 31 (got ${cost})`);
  }
  if (password.length === 0) throw new RangeError("the password is empty");
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    throw new RangeError(
      `the password is longer than ${MAX_PASSWORD_BYTES} bytes; bcrypt would ignore the rest`,
    );
  }
  return hash(password, { cost });
}

/**
 * Checks a password against a bcrypt hash; false for a wrong password and for anything
 * `isBcryptHash` refuses (the library alone would also accept `$2x$` and `+4` costs).
 */
export async function verifyPassword(password: string, bcryptHash: string): Promise<boolean> {
  return BCRYPT_HASH.test(bcryptHash) && verify(password, bcryptHash);
}

/** The users the API accepts, with nothing but their hashes. */
export interface Users {
  /** Username to bcrypt hash. */
  readonly hashes: ReadonlyMap<string, string>;
  /**
   * A hash at the users' highest cost that no password matches. An unknown username is
   * checked against it, and its cost is the work every login does (`authenticate`).
   */
  readonly dummyHash: string;
}

/** The part of the config that `loadUsers` reads (a `NetnetConfig` fits). */
export interface UsersConfig {
  readonly api: ReachConfig;
  readonly users: readonly { readonly username: string; readonly password: string }[];
}

export interface LoadUsersOptions {
  log: Logger;
  /**
   * Cost for hashing plaintext passwords (loopback only) and for the dummy hash when no user
   * has a hash; otherwise the highest cost among the configured hashes is used.
   */
  cost?: number;
  /**
   * The users loaded before (a reload): a plaintext password that still matches its user's
   * previous hash keeps that hash, so the user's sessions, tied to the hash, stay valid.
   */
  previous?: Users;
}

/**
 * Reads `users:` into username → bcrypt hash. A plaintext password is refused unless the API
 * listens only on loopback and no proxy forwards to it; there it is hashed here (with a
 * warning) so that only the hash is kept. Errors name the user, never the password.
 */
export async function loadUsers(config: UsersConfig, opts: LoadUsersOptions): Promise<Users> {
  const host = config.api.host;
  const exposed = exposureReason(config.api);
  const hashed = new Map<string, string>();
  const plaintext = new Map<string, string>();
  let highest = 0;

  for (const { username, password } of config.users) {
    const who = JSON.stringify(username);
    if (hashed.has(username) || plaintext.has(username)) {
      throw new UserConfigError(
        "ERR_USER_DUPLICATE",
        `user ${who} appears more than once in users`,
        username,
      );
    }
    if (isBcryptHash(password)) {
      hashed.set(username, password);
      highest = Math.max(highest, costOf(password));
    } else if (CRYPT_STYLE.test(password)) {
      throw new UserConfigError(
        "ERR_USER_BAD_HASH",
        `user ${who}: the password looks like a hash but is not a usable bcrypt hash ` +
          "($2a$, $2b$ or $2y$, cost 04 to 31, 60 characters); make one with netnet hash-password",
        username,
      );
    } else if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
      // Bcrypt would silently ignore the rest: every password sharing the first 72 bytes
      // would log in. Checked before the loopback rule, as no hash can fix it.
      throw new UserConfigError(
        "ERR_USER_PASSWORD_TOO_LONG",
        `user ${who}: the password is longer than ${MAX_PASSWORD_BYTES} bytes, and bcrypt ` +
          "would ignore the rest; choose a shorter one and store its hash from netnet hash-password",
        username,
      );
    } else if (exposed !== null) {
      throw new UserConfigError(
        "ERR_USER_PLAINTEXT_PASSWORD",
        `user ${who}: a plaintext password is refused because ${exposed}; ` +
          "replace it with a bcrypt hash from netnet hash-password",
        username,
      );
    } else {
      plaintext.set(username, password);
    }
  }

  const cost = opts.cost ?? (highest > 0 ? highest : DEFAULT_COST);
  // Plaintext passwords are hashed in parallel (bcrypt runs on the libuv pool) and dropped.
  const fromPlain = new Map(
    await Promise.all(
      [...plaintext].map(async ([username, password]) => {
        opts.log.warn(
          { user: username, host },
          "plaintext password in config, allowed only because the api listens on loopback; " +
            "replace it with the output of netnet hash-password",
        );
        const before = opts.previous?.hashes.get(username);
        if (before !== undefined && (await verify(password, before))) {
          return [username, before] as const;
        }
        return [username, await bcrypt.hash(password, plaintextSalt(username, cost))] as const;
      }),
    ),
  );
  plaintext.clear();
  const hashes = new Map<string, string>();
  for (const { username } of config.users) {
    const h = hashed.get(username) ?? fromPlain.get(username);
    if (h !== undefined) hashes.set(username, h);
  }
  // The dummy costs what the dearest real check costs, so an unknown user is never faster.
  let dummyCost = fromPlain.size > 0 ? Math.max(highest, cost) : highest;
  if (dummyCost === 0) dummyCost = cost;
  return { hashes, dummyHash: dummyAt(dummyCost) };
}

/**
 * Checks a login, doing the same bcrypt work whoever the user is: the work of one check at
 * the highest cost among the users (H), that of the dummy hash.
 *
 * An unknown username is checked against the dummy hash. A user whose hash has a lower cost
 * c is checked against it, then against dummies of costs c, c+1, ..., H-1: bcrypt's work
 * doubles with each step of cost, and 2^c + (2^c + 2^(c+1) + ... + 2^(H-1)) = 2^H, so the
 * login costs what a check at cost H costs (within one key setup per extra check, under
 * 0.1% at cost 10). Without this, a login for a user with a cheaper hash answers sooner than
 * one for a missing user, which tells who exists.
 *
 * Equal work rather than a sleep up to a measured time: the checks run one after another on
 * the same pool as every other check, so they slow down together when the machine is busy,
 * where a time measured once would be too short (the dear path shows) or too long.
 */
export async function authenticate(
  users: Users,
  username: string,
  password: string,
): Promise<boolean> {
  const stored = users.hashes.get(username);
  if (stored === undefined) {
    await verify(password, users.dummyHash);
    return false;
  }
  const ok = await verify(password, stored);
  for (let c = costOf(stored); c < costOf(users.dummyHash); c++) {
    await verify(password, dummyAt(c));
  }
  return ok;
}
