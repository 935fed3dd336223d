// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} placeholders in config text.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  ConfigError,
  defaultConfig,
  loadConfigFile,
  parseConfig,
  substituteEnv,
} from "./config.js";
import { DEFAULTS } from "./defaults.js";

test("${VAR} and ${VAR:-default} are replaced from the environment", () => {
  const env = { NETNET_IFACE: "eth1", EMPTY: "" };
  assert.equal(
    substituteEnv("a: ${NETNET_IFACE} b: ${MISSING:-lo} c: ${MISSING} d: ${EMPTY:-x}", env),
    "a: eth1 b: lo c:  d: x",
  );
});

test("an empty config is exactly the defaults module", () => {
  assert.deepEqual(parseConfig({}), DEFAULTS);
});

test("defaults match the original daemon's sample config", () => {
  const c = defaultConfig();
  assert.equal(c.api.port, 8082);
  assert.equal(c.api.session_expiry, 3600);
  assert.equal(c.tracking.idle_timeout, 300);
  assert.equal(c.tracking.cleanup_interval, 60);
  assert.equal(c.tracking.max_flows, 1 << 20);
  assert.equal(c.stats.window_size, 60);
  assert.equal(c.stats.history_depth, 24);
  assert.equal(c.database.retention_days, 7);
});

test("an error names the key, the bad value and what is allowed", () => {
  assert.throws(
    () => parseConfig({ tracking: { idle_timeout: "soon" } }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message.includes("tracking.idle_timeout") &&
      err.message.includes('"soon"') &&
      err.message.includes("number"),
  );
  assert.throws(
    () => parseConfig({ stats: { window_size: -5 } }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /stats\.window_size: Too small: expected number to be >0 \(got -5\)/.test(err.message),
    "a range error says what is allowed, not that it is not a number",
  );
  assert.throws(
    () => parseConfig({ tracking: { idle_timout: 5 } }),
    (err: unknown) =>
      err instanceof ConfigError && err.message.includes('unknown key "tracking.idle_timout"'),
  );
});

test("a config file is read, substituted and validated; bad YAML says so", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-config-"));
  try {
    const good = join(dir, "good.yaml");
    writeFileSync(good, "interface:\n  name: ${TEST_IF:-lo}\ntracking:\n  idle_timeout: 30\n");
    const c = loadConfigFile(good, {});
    assert.equal(c.interface.name, "lo");
    assert.equal(c.tracking.idle_timeout, 30);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "tracking: [unclosed\n");
    assert.throws(() => loadConfigFile(bad, {}), /not valid YAML/);
    assert.throws(() => loadConfigFile(join(dir, "missing.yaml"), {}), /cannot read config file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("H12: an error about a password, the token or a webhook of the wrong type gives its type, never its value", () => {
  const secrets = ["918273645", "hunter2-secret", "s3cretpw", "tok-5f2c9a"];
  const cases: [unknown, RegExp][] = [
    [{ api: { token: 918273645 } }, /api\.token: .*\(got a number, not shown/],
    [
      { users: [{ username: "admin", password: ["hunter2-secret"] }] },
      /users\.0\.password: .*\(got a list, not shown/,
    ],
    [
      { users: [{ username: "admin", password: 918273645 }] },
      /users\.0\.password: .*\(got a number/,
    ],
    [{ users: { admin: "hunter2-secret" } }, /users: .*\(got a mapping, not shown/],
    [{ api: "tok-5f2c9a" }, /api: .*\(got a string, not shown/],
    [
      { alerts: { scan: { webhook: "ftp://alice:s3cretpw@hooks.example/x" } } },
      /alerts\.scan\.webhook: must be an http or https URL \(got a string, not shown/,
    ],
  ];
  for (const [doc, expected] of cases) {
    assert.throws(
      () => parseConfig(doc),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError && err.code === "ERR_CONFIG_INVALID");
        assert.match(err.message, expected);
        for (const secret of secrets) assert.ok(!err.message.includes(secret), err.message);
        return true;
      },
    );
  }
  // Other keys still show the value that was refused, beside the secret ones too.
  assert.throws(
    () =>
      parseConfig({
        alerts: { resolve_after: -5, scan: { port_threshold: -7 } },
        users: [{ username: 42, password: "$2b$04$x" }],
      }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message.includes("alerts.resolve_after: Too small: expected number to be >0 (got -5)") &&
      err.message.includes("(got -7)") &&
      err.message.includes(
        "users.0.username: Invalid input: expected string, received number (got 42)",
      ),
  );
  assert.throws(
    () => parseConfig({ api: { token: 5, port: "eighty" } }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message.includes(
        'api.port: Invalid input: expected number, received string (got "eighty")',
      ) &&
      !err.message.includes("(got 5)"),
  );
});

test("api.allowed_hosts takes host names and addresses without a port", () => {
  const ok = parseConfig({
    api: { allowed_hosts: ["netnet.example.com", "NetNet.local.", "192.0.2.1", "[2001:db8::1]"] },
  });
  assert.deepEqual(ok.api.allowed_hosts, [
    "netnet.example.com",
    "NetNet.local.",
    "192.0.2.1",
    "[2001:db8::1]",
  ]);
  for (const bad of ["netnet.example.com:443", "http://netnet.example.com", "", "a b"]) {
    assert.throws(
      () => parseConfig({ api: { allowed_hosts: [bad] } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes("api.allowed_hosts.0") &&
        err.message.includes("without a port"),
      bad,
    );
  }
});

test("api.trusted_proxies takes addresses and CIDR blocks", () => {
  const ok = parseConfig({ api: { trusted_proxies: ["127.0.0.1", "10.0.0.0/8", "::1/128"] } });
  assert.deepEqual(ok.api.trusted_proxies, ["127.0.0.1", "10.0.0.0/8", "::1/128"]);
  for (const bad of ["10.0.0.0/33", "proxy.example", "10.0.0.0/8/1", "::1/129", "10.0.0.0/x"]) {
    assert.throws(
      () => parseConfig({ api: { trusted_proxies: [bad] } }),
      (err: unknown) => err instanceof ConfigError && err.message.includes("CIDR"),
      bad,
    );
  }
});

test("the API's timeouts are positive, and the headers' no longer than the request's", () => {
  const c = parseConfig({ api: { headers_timeout_ms: 500, request_timeout_ms: 500 } });
  assert.deepEqual([c.api.headers_timeout_ms, c.api.request_timeout_ms], [500, 500]);
  assert.throws(
    () => parseConfig({ api: { headers_timeout_ms: 40_000, request_timeout_ms: 30_000 } }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message.includes("api.headers_timeout_ms: headers_timeout_ms must not be more"),
  );
  assert.throws(() => parseConfig({ api: { idle_timeout_ms: 0 } }), ConfigError);
  assert.throws(() => parseConfig({ api: { max_connections_per_address: 0 } }), ConfigError);
});
