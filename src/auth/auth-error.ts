/**
 * The auth component's errors: one registry with stable codes. Request-time failures carry
 * the HTTP status and the exact `{"error": ...}` text of the original daemon's contract
 * (shared/reference/API-CONTRACT.md); the API answers them through its own registry, which
 * includes this one. User-config failures stop the daemon at start or reload and never
 * include a password.
 */
import { NetnetError } from "../util/errors.js";

/** Request-time failures, with the status and body text that clients of the original expect. */
export const AUTH_ERRORS = {
  ERR_AUTH_INVALID_CREDENTIALS: { status: 401, message: "invalid credentials" },
  ERR_AUTH_INVALID_SESSION: { status: 401, message: "invalid session" },
  ERR_AUTH_UNAUTHORIZED: { status: 401, message: "unauthorized" },
  ERR_AUTH_RATE_LIMITED: { status: 429, message: "rate limit exceeded" },
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** Problems with `users:` in the config: found when it is loaded, never at request time. */
export const USER_CONFIG_ERRORS = {
  ERR_USER_DUPLICATE: "the same username appears twice",
  ERR_USER_BAD_HASH: "a password that looks like a hash but is not a usable bcrypt hash",
  ERR_USER_PLAINTEXT_PASSWORD: "a plaintext password while the api listens beyond loopback",
  ERR_USER_PASSWORD_TOO_LONG: "a plaintext password longer than bcrypt reads (72 bytes)",
} as const;

export type UserConfigErrorCode = keyof typeof USER_CONFIG_ERRORS;

export class UserConfigError extends NetnetError<UserConfigErrorCode> {
  constructor(
    code: UserConfigErrorCode,
    message: string,
    /** The user the problem is about; the password is never part of the error. */
    readonly username: string,
  ) {
    super(code, message);
  }
}
