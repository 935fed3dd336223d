import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AUTH_ERRORS,
  AuthError,
  USER_CONFIG_ERRORS,
  UserConfigError,
  type UserConfigErrorCode,
} from "./auth-error.js";

test("every auth error code is unique across both registries", () => {
  const codes = [...Object.keys(AUTH_ERRORS), ...Object.keys(USER_CONFIG_ERRORS)];
  assert.equal(new Set(codes).size, codes.length);
});

test("request errors carry the contract's exact bodies and statuses", () => {
  const cases = [
    ["invalid_credentials", 401, "invalid credentials"],
    ["invalid_session", 401, "invalid session"],
    ["unauthorized", 401, "unauthorized"],
    ["rate_limited", 429, "rate limit exceeded"],
  ] as const;
  for (const [code, status, text] of cases) {
    const err = new AuthError(code);
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    assert.deepEqual(err.body(), { error: text });
    assert.equal(err.name, "AuthError");
    assert.ok(err instanceof Error);
  }
  assert.equal(Object.keys(AUTH_ERRORS).length, cases.length);
});

test("a rate-limit error carries its Retry-After seconds", () => {
  assert.equal(new AuthError("rate_limited", 42).retryAfterSeconds, 42);
  assert.equal(new AuthError("unauthorized").retryAfterSeconds, undefined);
});

test("a user-config error names its user and code", () => {
  const code: UserConfigErrorCode = "user_duplicate";
  const err = new UserConfigError('user "admin" appears twice', code, "admin");
  assert.equal(err.name, "UserConfigError");
  assert.equal(err.code, "user_duplicate");
  assert.equal(err.username, "admin");
});
