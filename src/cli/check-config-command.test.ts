import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../../test/support/paths.js";

const BIN = fileURLToPath(new URL("../../../bin/netnet.js", import.meta.url));
const BAD_HASH = `$2b$99$${"a".repeat(53)}`;

describe("netnet check-config", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-check-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function check(yaml: string) {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const r = spawnSync(process.execPath, [BIN, "check-config", "--config", file], {
      encoding: "utf8",
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, file };
  }

  test("the shipped example is valid and summarised on one line", () => {
    const r = spawnSync(
      process.execPath,
      [BIN, "check-config", "-c", join(REPO_ROOT, "examples/netnet.yaml")],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /netnet\.yaml: valid \(live capture on the default-route interface; API on 127\.0\.0\.1:8082; history in \.\/data\/netnet\.db\)\n$/,
    );
  });

  test("a bad value names the key, the value and what is allowed", () => {
    const r = check("stats:\n  window_size: -3\n");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /stats\.window_size: .*>0 \(got -3\)/);
    assert.equal(r.stdout, "");
  });

  test("every problem beyond the schema is listed: filter, file, exposure", () => {
    const r = check(
      [
        "interface:",
        '  bpf_filter: "tcp port"',
        "offline:",
        `  file: ${join(dir, "missing.pcap")}`,
        "api:",
        "  host: 0.0.0.0",
        "  token: short",
        "users:",
        "  - username: admin",
        "    password: adminpass",
        "",
      ].join("\n"),
    );
    assert.equal(r.code, 1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 5, r.stderr);
    assert.match(
      errors[0] ?? "",
      /^error: interface\.bpf_filter: invalid filter "tcp port": .*syntax error/,
    );
    assert.match(errors[1] ?? "", /^error: offline\.file: cannot read ".*missing\.pcap"/);
    assert.ok(errors.some((e) => /demo password/.test(e)));
    assert.ok(errors.some((e) => /plaintext password/.test(e)));
    assert.ok(errors.some((e) => /token/.test(e)));
    assert.match(r.stderr, /: 5 error\(s\)\n$/);
    assert.ok(!r.stderr.includes("adminpass"), "never the password");
  });

  test("H5: behind a trusted proxy a loopback config is checked as exposed, as the daemon checks it", () => {
    const r = check(
      [
        "api:",
        "  host: 127.0.0.1",
        "  token: short",
        "  trusted_proxies: [127.0.0.1]",
        "users:",
        "  - username: admin",
        "    password: adminpass",
        "",
      ].join("\n"),
    );
    assert.equal(r.code, 1, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 3, r.stderr);
    assert.ok(errors.some((e) => /demo password/.test(e)));
    assert.ok(errors.some((e) => /plaintext password/.test(e)));
    assert.ok(errors.some((e) => /api\.token has 5 characters/.test(e)));
    assert.ok(errors.every((e) => e.includes("api.trusted_proxies")));
    assert.ok(!r.stderr.includes("adminpass"), "never the password");
  });

  test("performance.capture_cpu must name a CPU this process may use", () => {
    const r = check("performance:\n  capture_cpu: 1023\n");
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: performance\.capture_cpu: CPU 1023 is not one this process may use \(\d/m,
    );
    const auto = check("performance:\n  capture_cpu: auto\n");
    assert.equal(auto.code, 0, auto.stderr);
  });

  test("warnings pass: a plaintext password on loopback, no users", () => {
    const plain = check("users:\n  - username: ops\n    password: s3cret-enough\n");
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /^warning: users: plaintext password in config/m);
    assert.ok(!plain.stderr.includes("s3cret-enough"));
    const none = check("api:\n  port: 9000\n");
    assert.equal(none.code, 0);
    assert.match(none.stderr, /warning: users: none configured/);
    assert.match(none.stdout, /API on 127\.0\.0\.1:9000/);
    const hashed = check(`users:\n  - username: ops\n    password: "${BAD_HASH}"\n`);
    assert.equal(hashed.code, 1, "a malformed hash is an error");
    assert.match(hashed.stderr, /not a usable bcrypt hash/);
  });
});
