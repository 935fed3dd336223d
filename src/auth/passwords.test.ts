import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ADMINPASS_HASHES, KNOWN_HASHES as KNOWN } from "../../test/support/known-hashes.js";
import { memoryLogger } from "../../test/support/log.js";
import { UserConfigError } from "./auth-error.js";
import {
  authenticate,
  hashPassword,
  isBcryptHash,
  loadUsers,
  type Users,
  verifyPassword,
} from "./passwords.js";

/** A log that remembers what was written. */
function memoryLog() {
  const { log, lines } = memoryLogger();
  return Object.assign(log, { lines });
}

describe("bcrypt prefixes", () => {
  for (const [h, pw] of KNOWN) {
    test(`${h.slice(0, 7)} hash of ${JSON.stringify(pw)} verifies, a wrong password does not`, async () => {
      assert.equal(isBcryptHash(h), true);
      assert.equal(await verifyPassword(pw, h), true);
      assert.equal(await verifyPassword(`${pw}x`, h), false);
      assert.equal(await verifyPassword("", h), false);
    });
  }

  test("adminpass verifies under each prefix", async () => {
    for (const h of Object.values(ADMINPASS_HASHES)) {
      assert.equal(await verifyPassword("adminpass", h), true, h);
      assert.equal(await verifyPassword("adminpas", h), false, h);
    }
  });

  test("malformed and foreign hashes are not bcrypt hashes and never verify", async () => {
    const good = KNOWN[0][0];
    const bad = [
      "",
      "correct horse",
      good.slice(0, -1),
      `${good}x`,
      good.replace("$2y$", "$2x$"),
      good.replace("$2y$", "$2c$"),
      good.replace("$04$", "$03$"),
      good.replace("$04$", "$32$"),
      good.replace("$04$", "$4$"),
      "$6$salt$abcdefghijklmnopqrstuvwxyz",
      "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    ];
    for (const h of bad) {
      assert.equal(isBcryptHash(h), false, h);
      assert.equal(await verifyPassword("correct horse", h), false, h);
    }
  });
});

describe("hashPassword", () => {
  test("makes a $2b$ hash of the given cost that verifies", async () => {
    const h = await hashPassword("s3cret pässword", 4);
    assert.match(h, /^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    assert.equal(await verifyPassword("s3cret pässword", h), true);
    assert.equal(await verifyPassword("s3cret password", h), false);
  });

  test("defaults to cost 12", async () => {
    assert.match(await hashPassword("pw"), /^\$2b\$12\$/);
  });

  test("refuses an empty password, one over 72 bytes and a bad cost", async () => {
    await assert.rejects(hashPassword("", 4), /empty/);
    // 36 two-byte characters are 72 bytes: accepted; one more byte is refused.
    await hashPassword("é".repeat(36), 4);
    await assert.rejects(hashPassword(`${"é".repeat(36)}x`, 4), /longer than 72 bytes/);
    await assert.rejects(hashPassword("pw", 3), /4 to 31/);
    await assert.rejects(hashPassword("pw", 32), /4 to 31/);
    await assert.rejects(hashPassword("pw", 10.5), /4 to 31/);
  });
});

describe("loadUsers", () => {
  const hashed = { username: "admin", password: ADMINPASS_HASHES["2y"] };

  test("keeps bcrypt hashes as they are and logs nothing", async () => {
    const log = memoryLog();
    const users = await loadUsers(
      {
        api: { host: "0.0.0.0" },
        users: [hashed, { username: "ops", password: KNOWN[2][0] }],
      },
      { log },
    );
    assert.deepEqual(
      [...users.hashes],
      [
        ["admin", ADMINPASS_HASHES["2y"]],
        ["ops", KNOWN[2][0]],
      ],
    );
    assert.equal(log.lines.length, 0);
    assert.match(users.dummyHash, /^\$2b\$04\$/, "the dummy costs what the users' hashes cost");
  });

  test("refuses a plaintext password beyond loopback, naming the user and not the password", async () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "", "example.org"]) {
      await assert.rejects(
        loadUsers(
          { api: { host }, users: [hashed, { username: "bob", password: "hunter2-plain" }] },
          { log: memoryLog() },
        ),
        (err: unknown) =>
          err instanceof UserConfigError &&
          err.code === "ERR_USER_PLAINTEXT_PASSWORD" &&
          err.username === "bob" &&
          err.message.includes('user "bob"') &&
          err.message.includes("not loopback") &&
          !err.message.includes("hunter2"),
      );
    }
  });

  test("H5: refuses a plaintext password on loopback behind a trusted proxy", async () => {
    await assert.rejects(
      loadUsers(
        {
          api: { host: "127.0.0.1", trusted_proxies: ["10.0.0.0/8"] },
          users: [{ username: "bob", password: "hunter2-plain" }],
        },
        { log: memoryLog() },
      ),
      (err: unknown) =>
        err instanceof UserConfigError &&
        err.code === "ERR_USER_PLAINTEXT_PASSWORD" &&
        err.message.includes("api.trusted_proxies") &&
        !err.message.includes("hunter2"),
    );
  });

  test("accepts a plaintext password on loopback with a warning, keeping only its hash", async () => {
    for (const host of ["127.0.0.1", "localhost", "::1", "127.1.2.3"]) {
      const log = memoryLog();
      const users = await loadUsers(
        { api: { host }, users: [{ username: "admin", password: "adminpass" }] },
        { log, cost: 4 },
      );
      const h = users.hashes.get("admin") ?? "";
      assert.match(h, /^\$2b\$04\$/);
      assert.equal(await verifyPassword("adminpass", h), true);
      assert.equal(log.lines.length, 1);
      const { level, msg, ...fields } = log.lines[0] ?? { level: "", msg: "" };
      assert.equal(level, "warn");
      assert.deepEqual(fields, { user: "admin", host });
      assert.match(msg, /plaintext password/);
      assert.ok(!JSON.stringify(log.lines).includes("adminpass"), "the password is not logged");
      assert.ok(![...users.hashes.values()].includes("adminpass"));
    }
  });

  test("a plaintext password gets the same hash at every load, and another password another", async () => {
    const load = (password: string) =>
      loadUsers(
        { api: { host: "127.0.0.1" }, users: [{ username: "admin", password }] },
        { log: memoryLog(), cost: 4 },
      );
    const a = (await load("adminpass")).hashes.get("admin");
    const b = (await load("adminpass")).hashes.get("admin");
    const c = (await load("adminpass2")).hashes.get("admin");
    assert.equal(a, b, "a restart keeps the hash, so the sessions tied to it");
    assert.notEqual(a, c);
    assert.equal(await verifyPassword("adminpass", a ?? ""), true);
    // Another user's salt differs, so equal passwords do not give equal hashes.
    const other = await loadUsers(
      { api: { host: "127.0.0.1" }, users: [{ username: "ops", password: "adminpass" }] },
      { log: memoryLog(), cost: 4 },
    );
    assert.notEqual(other.hashes.get("ops"), a);
  });

  test("refuses a duplicate user and a hash it cannot use", async () => {
    await assert.rejects(
      loadUsers({ api: { host: "127.0.0.1" }, users: [hashed, hashed] }, { log: memoryLog() }),
      (err: unknown) =>
        err instanceof UserConfigError &&
        err.code === "ERR_USER_DUPLICATE" &&
        err.message === 'user "admin" appears more than once in users',
    );
    for (const password of [
      ADMINPASS_HASHES["2b"].replace("$2b$", "$2x$"),
      ADMINPASS_HASHES["2b"].slice(0, 40),
      "$6$rounds=5000$salt$hash",
    ]) {
      await assert.rejects(
        loadUsers(
          { api: { host: "127.0.0.1" }, users: [{ username: "eve", password }] },
          {
            log: memoryLog(),
          },
        ),
        (err: unknown) =>
          err instanceof UserConfigError &&
          err.code === "ERR_USER_BAD_HASH" &&
          err.message.startsWith('user "eve": the password looks like a hash') &&
          !err.message.includes(password),
      );
    }
  });

  test("H21: a plaintext password over 72 bytes is refused at load, naming the user and not the password", async () => {
    // 36 two-byte characters are 72 bytes: bcrypt reads all of them, so it is accepted.
    const fits = "é".repeat(36);
    const users = await loadUsers(
      { api: { host: "127.0.0.1" }, users: [{ username: "ok", password: fits }] },
      { log: memoryLog(), cost: 4 },
    );
    assert.equal(await authenticate(users, "ok", fits), true);
    // One byte more, and bcrypt would ignore it: "...x" and "...y" would both log in.
    for (const host of ["127.0.0.1", "0.0.0.0"]) {
      const long = `${fits}x`;
      await assert.rejects(
        loadUsers(
          { api: { host }, users: [{ username: "carol", password: long }] },
          { log: memoryLog(), cost: 4 },
        ),
        (err: unknown) =>
          err instanceof UserConfigError &&
          err.code === "ERR_USER_PASSWORD_TOO_LONG" &&
          err.username === "carol" &&
          err.message.includes('user "carol"') &&
          err.message.includes("72 bytes") &&
          !err.message.includes(long),
      );
    }
    // A bcrypt hash in the config is fine as it is, whatever password it was made from.
    const hashed = await loadUsers(
      { api: { host: "0.0.0.0" }, users: [{ username: "dave", password: KNOWN[0][0] }] },
      { log: memoryLog() },
    );
    assert.equal(hashed.hashes.get("dave"), KNOWN[0][0]);
  });

  test("with no users there is still a dummy hash, and no login succeeds", async () => {
    const users = await loadUsers(
      { api: { host: "127.0.0.1" }, users: [] },
      {
        log: memoryLog(),
        cost: 4,
      },
    );
    assert.equal(users.hashes.size, 0);
    assert.match(users.dummyHash, /^\$2b\$04\$/);
    assert.equal(await authenticate(users, "admin", "adminpass"), false);
  });
});

describe("authenticate", () => {
  test("accepts the right password only, for known users only", async () => {
    const users = await loadUsers(
      {
        api: { host: "0.0.0.0" },
        users: [
          { username: "admin", password: ADMINPASS_HASHES["2a"] },
          { username: "ops", password: KNOWN[0][0] },
        ],
      },
      { log: memoryLog() },
    );
    assert.equal(await authenticate(users, "admin", "adminpass"), true);
    assert.equal(await authenticate(users, "ops", "correct horse"), true);
    assert.equal(await authenticate(users, "admin", "correct horse"), false);
    assert.equal(await authenticate(users, "Admin", "adminpass"), false, "usernames are exact");
    assert.equal(await authenticate(users, "nobody", "adminpass"), false);
    assert.equal(await authenticate(users, "__proto__", "adminpass"), false);
  });

  test("H11: a user whose hash has a lower cost takes as long to check as a missing user", async (t) => {
    // Costs three apart: without the fix, the low-cost user's check is 8 times faster than
    // the missing user's, which names the low-cost users to anyone who times the login.
    const users: Users = await loadUsers(
      {
        api: { host: "0.0.0.0" },
        users: [
          { username: "high", password: await hashPassword("right", 9) },
          { username: "low", password: await hashPassword("right", 6) },
        ],
      },
      { log: memoryLog() },
    );
    assert.equal(await authenticate(users, "low", "right"), true);
    assert.equal(await authenticate(users, "high", "right"), true);
    const time = async (username: string) => {
      const t0 = process.hrtime.bigint();
      assert.equal(await authenticate(users, username, "wrong"), false);
      return Number(process.hrtime.bigint() - t0);
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] ?? 0;
    const names = ["high", "low", "nobody"] as const;
    for (const n of names) await time(n); // warm-up
    // Up to three rounds, as above; a real leak is a factor of 8 in every round.
    let medians: number[] = [];
    let spread = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3 && spread >= 1.3; round++) {
      const samples: number[][] = [[], [], []];
      for (let i = 0; i < 15; i++) {
        // Rotate the order, so that no path always runs first.
        for (let j = 0; j < 3; j++) {
          const k = (i + j) % 3;
          samples[k]?.push(await time(names[k] ?? "nobody"));
        }
      }
      medians = samples.map(median);
      spread = Math.max(...medians) / Math.min(...medians);
    }
    const [high = 0, low = 0, missing = 0] = medians;
    t.diagnostic(`medians: cost 9 user ${high} ns, cost 6 user ${low} ns, missing ${missing} ns`);
    assert.ok(
      spread < 1.3,
      `medians: cost 9 user ${high} ns, cost 6 user ${low} ns, missing ${missing} ns`,
    );
  });

  test("takes the same time whether the user exists or not", async () => {
    const cost = 6;
    const users: Users = await loadUsers(
      {
        api: { host: "0.0.0.0" },
        users: [{ username: "admin", password: await hashPassword("right", cost) }],
      },
      { log: memoryLog() },
    );
    assert.match(users.dummyHash, /^\$2b\$06\$/);
    const time = async (username: string) => {
      const t0 = process.hrtime.bigint();
      assert.equal(await authenticate(users, username, "wrong"), false);
      return Number(process.hrtime.bigint() - t0);
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1] ?? 0;
    await time("admin"); // warm-up
    // Up to three rounds, so that a burst of load from other test files cannot fail the
    // test; a real leak (no bcrypt for a missing user) is hundreds of times off every round.
    let a = 0;
    let b = 0;
    let ratio = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3 && ratio >= 1.3; round++) {
      const existing: number[] = [];
      const missing: number[] = [];
      for (let i = 0; i < 21; i++) {
        // Alternate which path goes first, so neither always runs on a warmer cache.
        if (i % 2 === 0) {
          existing.push(await time("admin"));
          missing.push(await time("nobody"));
        } else {
          missing.push(await time("nobody"));
          existing.push(await time("admin"));
        }
      }
      a = median(existing);
      b = median(missing);
      ratio = Math.max(a, b) / Math.min(a, b);
    }
    assert.ok(ratio < 1.3, `medians ${a} ns (user exists) and ${b} ns (missing): ratio ${ratio}`);
    // And the missing path really does a bcrypt check: far slower than a map lookup.
    assert.ok(b > 200_000, `a missing user took only ${b} ns`);
  });
});
