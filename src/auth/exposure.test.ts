import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ADMINPASS_HASHES, KNOWN_HASHES } from "../../test/support/known-hashes.js";
import { checkExposure, type ExposureConfig } from "./exposure.js";
import { isLoopbackHost } from "./loopback.js";

describe("isLoopbackHost", () => {
  test("127.0.0.0/8, ::1 in any spelling and localhost are loopback", () => {
    for (const host of [
      "127.0.0.1",
      "127.0.0.0",
      "127.255.255.255",
      "127.1.2.3",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "0000:0000:0000:0000:0000:0000:0000:0001",
      "::ffff:127.0.0.1",
      "localhost",
      "LocalHost",
      "localhost.",
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  test("everything else is exposed", () => {
    for (const host of [
      "",
      "0.0.0.0",
      "::",
      "128.0.0.1",
      "126.255.255.255",
      "192.168.1.10",
      "::2",
      "::ffff:10.0.0.1",
      "fe80::1",
      "127.0.0.1.example.org",
      "localhost.example.org",
      "my-laptop",
      "127.0.0.256",
      " 127.0.0.1",
    ]) {
      assert.equal(isLoopbackHost(host), false, JSON.stringify(host));
    }
  });
});

describe("checkExposure", () => {
  const strongToken = "a".repeat(32);
  const cfg = (host: string, token: string, users: ExposureConfig["users"]): ExposureConfig => ({
    api: { host, token },
    users,
  });

  test("a loopback API has no problems, whatever its users and token", async () => {
    const users = [{ username: "admin", password: "adminpass" }];
    assert.deepEqual(await checkExposure(cfg("127.0.0.1", "short", users)), []);
    assert.deepEqual(await checkExposure(cfg("::1", "short", users)), []);
    assert.deepEqual(await checkExposure(cfg("localhost", "short", users)), []);
  });

  test("a disabled API has no problems", async () => {
    const c: ExposureConfig = {
      api: { enabled: false, host: "0.0.0.0", token: "short" },
      users: [{ username: "admin", password: ADMINPASS_HASHES["2b"] }],
    };
    assert.deepEqual(await checkExposure(c), []);
  });

  test("the demo password is found under every prefix beyond loopback", async () => {
    for (const h of Object.values(ADMINPASS_HASHES)) {
      const problems = await checkExposure(
        cfg("0.0.0.0", strongToken, [
          { username: "ops", password: KNOWN_HASHES[0][0] },
          { username: "admin", password: h },
        ]),
      );
      assert.deepEqual(problems, [
        {
          code: "demo_password",
          message:
            'user "admin" has the demo password and api.host "0.0.0.0" is not loopback; ' +
            "set a new one with netnet hash-password",
        },
      ]);
    }
  });

  test("a plaintext password beyond loopback is a problem, and the demo one two", async () => {
    const problems = await checkExposure(
      cfg("192.0.2.1", "", [
        { username: "admin", password: "adminpass" },
        { username: "bob", password: "hunter2" },
      ]),
    );
    assert.deepEqual(
      problems.map((p) => p.code),
      ["plaintext_password", "demo_password", "plaintext_password"],
    );
    assert.ok(problems.every((p) => !p.message.includes("adminpass")));
    assert.ok(problems.every((p) => !p.message.includes("hunter2")));
  });

  test("an API token shorter than 32 characters is a problem beyond loopback; empty is not", async () => {
    const users = [{ username: "ops", password: KNOWN_HASHES[2][0] }];
    assert.deepEqual(await checkExposure(cfg("0.0.0.0", "", users)), []);
    assert.deepEqual(await checkExposure(cfg("0.0.0.0", strongToken, users)), []);
    const weak = "s3cret-token-31-characters-long";
    assert.equal(weak.length, 31);
    assert.deepEqual(await checkExposure(cfg("::", weak, users)), [
      {
        code: "weak_api_token",
        message:
          'api.token has 31 characters and api.host "::" is not loopback; ' +
          "use at least 32 (for example: openssl rand -hex 32)",
      },
    ]);
  });

  test("good users and a long token on 0.0.0.0 pass", async () => {
    const users = KNOWN_HASHES.map(([password], i) => ({ username: `u${i}`, password }));
    assert.deepEqual(await checkExposure(cfg("0.0.0.0", strongToken, users)), []);
  });

  test("H5: behind a trusted proxy a loopback API is held to every exposure rule", async () => {
    const c: ExposureConfig = {
      api: { host: "127.0.0.1", token: "short", trusted_proxies: ["127.0.0.1"] },
      users: [
        { username: "admin", password: ADMINPASS_HASHES["2b"] },
        { username: "bob", password: "hunter2" },
      ],
    };
    const problems = await checkExposure(c);
    assert.deepEqual(
      problems.map((p) => p.code),
      ["demo_password", "plaintext_password", "weak_api_token"],
    );
    for (const p of problems) {
      assert.match(p.message, /api\.trusted_proxies is set: the API is reached through a proxy/);
    }
    // Without the proxies the same config is a loopback demo, which is allowed.
    assert.deepEqual(await checkExposure({ ...c, api: { ...c.api, trusted_proxies: [] } }), []);
  });
});
