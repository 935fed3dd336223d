/**
 * The error registry (as fastify's errors.test.js): every code of every error class is
 * spelled ERR_*, unique across the whole product, and documented in docs/errors.md; every
 * class that extends NetnetError is known here, nothing else in src/ extends Error, and every
 * ERR_ literal the product or the addon uses is a registered code.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { API_ERRORS } from "../src/api/api-error.js";
import { AUTH_ERRORS, USER_CONFIG_ERRORS } from "../src/auth/auth-error.js";
import { CAPTURE_FILE_ERROR_CODES } from "../src/capture/file/capture-file-errors.js";
import { LIVE_ERROR_CODES } from "../src/capture/live/live-errors.js";
import { HASH_PASSWORD_ERROR_CODES } from "../src/cli/hash-password-command.js";
import { CONFIG_ERROR_CODES } from "../src/config/config.js";
import { DAEMON_ERROR_CODES } from "../src/daemon/daemon-error.js";
import { PRIVILEGE_ERROR_CODES } from "../src/daemon/privileges.js";
import { STORE_ERROR_CODES } from "../src/store/store-error.js";
import { NetnetError } from "../src/util/errors.js";
import { AFFINITY_ERROR_CODES } from "../src/worker/affinity.js";
import { WORKER_ERROR_CODES } from "../src/worker/capture-service.js";
import { sourceFiles } from "./support/architecture.js";
import { REPO_ROOT } from "./support/paths.js";

/** Each error class of src/ and the codes it may carry. */
const REGISTRY: Record<string, readonly string[]> = {
  ConfigError: CONFIG_ERROR_CODES,
  UserConfigError: Object.keys(USER_CONFIG_ERRORS),
  // The API answers the auth component's codes too; they are registered once, under auth.
  ApiError: Object.keys(API_ERRORS).filter((c) => !(c in AUTH_ERRORS)),
  "ApiError (auth answers)": Object.keys(AUTH_ERRORS),
  StoreError: STORE_ERROR_CODES,
  CaptureFileError: CAPTURE_FILE_ERROR_CODES,
  LiveCaptureError: LIVE_ERROR_CODES,
  CaptureCommandError: WORKER_ERROR_CODES,
  AffinityError: AFFINITY_ERROR_CODES,
  PrivilegeError: PRIVILEGE_ERROR_CODES,
  DaemonError: DAEMON_ERROR_CODES,
  "Interrupted, InputError (hash-password)": HASH_PASSWORD_ERROR_CODES,
};

const ALL = Object.values(REGISTRY).flat();

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const productFiles = () => sourceFiles(REPO_ROOT, "src").filter((f) => !f.endsWith(".test.ts"));

test("every code is spelled ERR_<COMPONENT>_<WHAT> and is unique", () => {
  for (const code of ALL) assert.match(code, /^ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/, code);
  const seen = new Set<string>();
  const twice = ALL.filter((c) => seen.size === seen.add(c).size);
  assert.deepEqual(twice, []);
});

test("docs/errors.md lists every code, and no code that does not exist", () => {
  const doc = read("docs/errors.md");
  const documented = new Set(doc.match(/`ERR_[A-Z0-9_]+`/g)?.map((c) => c.slice(1, -1)) ?? []);
  assert.deepEqual(
    ALL.filter((c) => !documented.has(c)),
    [],
    "codes missing from docs/errors.md",
  );
  assert.deepEqual(
    [...documented].filter((c) => !ALL.includes(c)),
    [],
    "docs/errors.md names codes that do not exist",
  );
});

test("the error classes of src/ are the registry's, and only NetnetError extends Error", () => {
  const classes: string[] = [];
  const direct: string[] = [];
  for (const f of productFiles()) {
    const text = read(f);
    for (const m of text.matchAll(/class (\w+)(?:<[^>]*>)? extends (\w+)/g)) {
      if (m[2] === "NetnetError") classes.push(m[1] ?? "");
      if (m[2] === "Error") direct.push(`${f}: ${m[1]}`);
    }
  }
  assert.deepEqual(direct, ["src/util/errors.ts: NetnetError"]);
  const registered = Object.keys(REGISTRY).flatMap((k) =>
    k.startsWith("Interrupted")
      ? ["Interrupted", "InputError"]
      : k.startsWith("ApiError")
        ? []
        : [k],
  );
  assert.deepEqual(classes.sort(), [...registered, "ApiError"].sort());
});

test("every ERR_ code written in the product or the addon is registered", () => {
  const used = new Set<string>();
  const files = [
    ...productFiles().map((f) => read(f)),
    read("native/src/errors.h"),
    read("native/src/errors.cc"),
  ];
  for (const text of files)
    for (const m of text.matchAll(/"(ERR_[A-Z0-9_]+)"/g)) used.add(m[1] ?? "");
  assert.deepEqual(
    [...used].filter((c) => !ALL.includes(c)),
    [],
  );
});

test("a NetnetError keeps its code, message, cause and class name", () => {
  class ExampleError extends NetnetError<"ERR_EXAMPLE"> {}
  const cause = new Error("inner");
  const e = new ExampleError("ERR_EXAMPLE", "outer", { cause });
  assert.equal(e.code, "ERR_EXAMPLE");
  assert.equal(e.message, "outer");
  assert.equal(e.cause, cause);
  assert.equal(e.name, "ExampleError");
  assert.ok(e instanceof Error && e instanceof NetnetError);
});
