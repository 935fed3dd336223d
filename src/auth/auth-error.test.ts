import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AUTH_ERRORS,
  USER_CONFIG_ERRORS,
  UserConfigError,
  type UserConfigErrorCode,
} from "./auth-error.js";

test("every auth error code is unique across both registries", () => {
  const codes = [...Object.keys(AUTH_ERRORS), ...Object.keys(USER_CONFIG_ERRORS)];
  assert.equal(new Set(codes).size, codes.length);
});

test("request errors carry the contract's exact bodies and statuses", () => {
  assert.deepEqual(AUTH_ERRORS, {
    ERR_AUTH_INVALID_CREDENTIALS: { status: 401, message: "invalid credentials" },
    ERR_AUTH_INVALID_SESSION: { status: 401, message: "invalid session" },
    ERR_AUTH_UNAUTHORIZED: { status: 401, message: "unauthorized" },
    ERR_AUTH_RATE_LIMITED: { status: 429, message: "rate limit exceeded" },
  });
});

test("a user-config error names its user and code", () => {
  const code: UserConfigErrorCode = "ERR_USER_DUPLICATE";
  const err = new UserConfigError(code, 'user "admin" appears twice', "admin");
  assert.equal(err.name, "UserConfigError");
  assert.equal(err.code, "ERR_USER_DUPLICATE");
  assert.equal(err.username, "admin");
  assert.equal(err.message, 'user "admin" appears twice');
});
