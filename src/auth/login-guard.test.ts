import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  clientKey,
  createLoginGuard,
  type LoginAttempt,
  type LoginGuard,
  type LoginRefusal,
} from "./login-guard.js";

const MINUTE = 60_000;

function guardWithClock(opts: Parameters<typeof createLoginGuard>[0] = {}) {
  const clock = { t: 1_700_000_000_000 };
  const guard = createLoginGuard({ ...opts, now: () => clock.t });
  return { clock, guard };
}

function allowed(r: LoginAttempt | LoginRefusal): LoginAttempt {
  assert.equal(r.allowed, true, "the attempt should be let in");
  return r as LoginAttempt;
}

function refused(r: LoginAttempt | LoginRefusal): LoginRefusal {
  assert.equal(r.allowed, false, "the attempt should be refused");
  return r as LoginRefusal;
}

/** Fails `n` logins and returns the delays they were given. */
function fail(guard: LoginGuard, n: number, address: string, username: string): number[] {
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = allowed(guard.begin(address, username));
    delays.push(a.delayMs);
    a.fail();
  }
  return delays;
}

describe("login guard", () => {
  test("5 free failures, then 1 s, 2 s, 4 s, 8 s, 16 s, then 429 for 15 minutes", () => {
    const { guard } = guardWithClock();
    assert.deepEqual(
      fail(guard, 10, "192.0.2.1", "admin"),
      [0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000],
    );
    assert.deepEqual(guard.begin("192.0.2.1", "admin"), {
      allowed: false,
      retryAfterSeconds: 900,
    });
  });

  test("Retry-After counts down and the attempts come back as failures leave the window", () => {
    const { clock, guard } = guardWithClock();
    fail(guard, 5, "192.0.2.1", "admin");
    clock.t += 5 * MINUTE;
    fail(guard, 5, "192.0.2.1", "admin");
    clock.t += 4 * MINUTE;
    // The oldest 5 failures leave the window 15 minutes after they happened: in 6 minutes.
    assert.equal(refused(guard.begin("192.0.2.1", "admin")).retryAfterSeconds, 6 * 60);
    clock.t += 6 * MINUTE - 1;
    assert.equal(refused(guard.begin("192.0.2.1", "admin")).retryAfterSeconds, 1);
    clock.t += 1;
    // Five failures remain in the window: the next attempt waits 1 s again.
    assert.equal(allowed(guard.begin("192.0.2.1", "admin")).delayMs, 1000);
  });

  test("delays are capped", () => {
    const { guard } = guardWithClock({ maxFailures: 20, maxDelayMs: 30_000 });
    assert.deepEqual(
      fail(guard, 12, "192.0.2.1", "admin").slice(5),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000],
    );
  });

  test("a success resets the username's failures", () => {
    const { guard } = guardWithClock();
    fail(guard, 7, "192.0.2.1", "admin");
    const ok = allowed(guard.begin("192.0.2.1", "admin"));
    assert.equal(ok.delayMs, 4000);
    ok.succeed();
    // From another address the user starts afresh.
    assert.deepEqual(fail(guard, 6, "192.0.2.2", "admin"), [0, 0, 0, 0, 0, 1000]);
  });

  test("a success does not clear the address's other failures", () => {
    const { guard } = guardWithClock();
    fail(guard, 6, "192.0.2.1", "alice"); // 6 failures from this address
    allowed(guard.begin("192.0.2.1", "bob")).succeed(); // not counted, clears nothing else
    assert.equal(allowed(guard.begin("192.0.2.1", "carol")).delayMs, 2000);
  });

  test("one address trying many usernames is limited", () => {
    const { guard } = guardWithClock();
    for (let i = 0; i < 10; i++) fail(guard, 1, "198.51.100.7", `user${i}`);
    assert.equal(refused(guard.begin("198.51.100.7", "someone-else")).retryAfterSeconds, 900);
    assert.equal(allowed(guard.begin("198.51.100.8", "someone-else")).delayMs, 0);
  });

  test("one username tried from many addresses is limited", () => {
    const { guard } = guardWithClock();
    for (let i = 0; i < 10; i++) fail(guard, 1, `203.0.113.${i}`, "admin");
    assert.equal(refused(guard.begin("203.0.113.200", "admin")).retryAfterSeconds, 900);
    assert.equal(allowed(guard.begin("203.0.113.200", "ops")).delayMs, 0);
  });

  test("H5: a user locked out by failures from many addresses still gets in from an address it logged in from before", () => {
    const { clock, guard } = guardWithClock();
    // The real user logged in from 192.0.2.10 earlier.
    allowed(guard.begin("192.0.2.10", "admin")).succeed();
    clock.t += 60 * MINUTE;
    // An attacker keeps the user's count at the limit from many addresses ...
    for (let i = 0; i < 10; i++) fail(guard, 1, `203.0.113.${i}`, "admin");
    assert.equal(refused(guard.begin("203.0.113.99", "admin")).retryAfterSeconds, 900);
    // ... and the user's own address is let in at once, without the user's delays.
    const own = allowed(guard.begin("192.0.2.10", "admin"));
    assert.equal(own.delayMs, 0);
    own.succeed();
    // Which does not open the door to the attacker's addresses: they are refused as before.
    clock.t += 5 * MINUTE;
    for (let i = 10; i < 20; i++) fail(guard, 1, `203.0.113.${i}`, "admin");
    assert.equal(refused(guard.begin("203.0.113.98", "admin")).allowed, false);
    assert.equal(allowed(guard.begin("192.0.2.10", "admin")).delayMs, 0);
  });

  test("H5: an address the user logged in from is still limited by its own failures, and forgotten in time", () => {
    const { clock, guard } = guardWithClock({ knownGoodMs: 24 * 60 * MINUTE });
    allowed(guard.begin("192.0.2.10", "admin")).succeed();
    // Its own failures count against it as against any address (per address first).
    assert.deepEqual(
      fail(guard, 10, "192.0.2.10", "admin"),
      [0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000],
    );
    assert.equal(refused(guard.begin("192.0.2.10", "admin")).retryAfterSeconds, 900);
    // A day later the address is no longer known: the user's limit applies to it again.
    clock.t += 24 * 60 * MINUTE + 1;
    for (let i = 0; i < 10; i++) fail(guard, 1, `203.0.113.${i}`, "admin");
    assert.equal(refused(guard.begin("192.0.2.10", "admin")).allowed, false);
  });

  test("H5: an address known for one user is not known for another", () => {
    const { guard } = guardWithClock();
    allowed(guard.begin("192.0.2.10", "alice")).succeed();
    for (let i = 0; i < 10; i++) fail(guard, 1, `203.0.113.${i}`, "bob");
    assert.equal(refused(guard.begin("192.0.2.10", "bob")).allowed, false);
  });

  test("a burst of parallel attempts is counted as it arrives", () => {
    const { guard } = guardWithClock();
    const results = Array.from({ length: 15 }, () => guard.begin("192.0.2.1", "admin"));
    assert.deepEqual(
      results.map((r) => (r.allowed ? r.delayMs : "429")),
      [0, 0, 0, 0, 0, 1000, 2000, 4000, 8000, 16000, "429", "429", "429", "429", "429"],
    );
  });

  test("settling an attempt twice changes nothing", () => {
    const { guard } = guardWithClock();
    fail(guard, 3, "192.0.2.1", "admin");
    const a = allowed(guard.begin("192.0.2.1", "admin"));
    a.fail();
    a.succeed();
    assert.equal(allowed(guard.begin("192.0.2.1", "admin")).delayMs, 0);
    fail(guard, 0, "192.0.2.1", "admin");
    assert.deepEqual(fail(guard, 2, "192.0.2.1", "admin"), [1000, 2000]);
  });

  test("memory stays bounded under a flood of distinct addresses and usernames", () => {
    const { clock, guard } = guardWithClock({ maxEntries: 1000 });
    for (let i = 0; i < 100_000; i++) {
      const r = guard.begin(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `u${i}`);
      if (r.allowed) r.fail();
      if (i % 1000 === 0) clock.t += 1;
    }
    assert.equal(guard.size, 2000);
  });

  test("the least recently used entries are evicted first", () => {
    const { guard } = guardWithClock({ maxEntries: 3 });
    fail(guard, 9, "192.0.2.1", "admin");
    fail(guard, 1, "192.0.2.2", "u2");
    fail(guard, 1, "192.0.2.3", "u3");
    // Touch the first address and user so that they are the most recently used ...
    assert.equal(allowed(guard.begin("192.0.2.1", "admin")).delayMs, 16000);
    fail(guard, 1, "192.0.2.4", "u4");
    // ... and entries 2 are evicted instead: admin from 192.0.2.1 is refused.
    assert.equal(refused(guard.begin("192.0.2.1", "admin")).retryAfterSeconds, 900);
    assert.equal(guard.size, 6);
  });

  test("IPv6 clients share the counter of their /64; IPv4-mapped is IPv4", () => {
    const { guard } = guardWithClock();
    for (let i = 1; i <= 10; i++) fail(guard, 1, `2001:db8:1:2::${i.toString(16)}`, `u${i}`);
    assert.equal(refused(guard.begin("2001:db8:1:2:ffff::1", "x")).allowed, false);
    assert.equal(allowed(guard.begin("2001:db8:1:3::1", "x")).delayMs, 0);

    fail(guard, 6, "::ffff:192.0.2.9", "y");
    assert.equal(allowed(guard.begin("192.0.2.9", "z")).delayMs, 2000);
  });

  test("settings are checked", () => {
    assert.throws(() => createLoginGuard({ freeFailures: 5, maxFailures: 5 }), RangeError);
    assert.throws(() => createLoginGuard({ maxEntries: 0 }), RangeError);
  });
});

describe("clientKey", () => {
  test("keys IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64", () => {
    assert.equal(clientKey("192.0.2.1"), "192.0.2.1");
    assert.equal(clientKey("::ffff:192.0.2.1"), "192.0.2.1");
    assert.equal(clientKey("::ffff:c000:201"), "192.0.2.1");
    assert.equal(clientKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    assert.equal(clientKey("2001:0DB8:0001:0002::9"), "2001:db8:1:2::/64");
    assert.equal(clientKey("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(clientKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(clientKey("::1"), "0:0:0:0::/64");
    assert.equal(clientKey("64:ff9b::192.0.2.1"), "64:ff9b:0:0::/64");
    assert.equal(clientKey("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4::/64");
    assert.equal(clientKey("unix:/run/sock"), "unix:/run/sock");
  });
});
