/**
 * The auth component's errors: one registry with stable codes. Request-time failures carry
 * the HTTP status and the exact `{"error": ...}` text of the original daemon's contract
 * (shared/reference/API-CONTRACT.md); user-config failures stop the daemon at start or
 * reload and never include a password.
 */

/** Request-time failures, with the status and body text that clients of the original expect. */
export const AUTH_ERRORS = {
  invalid_credentials: { status: 401, message: "invalid credentials" },
  invalid_session: { status: 401, message: "invalid session" },
  unauthorized: { status: 401, message: "unauthorized" },
  rate_limited: { status: 429, message: "rate limit exceeded" },
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly status: number;
  /** Set only for `rate_limited`: the value of the `Retry-After` header. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: AuthErrorCode,
    retryAfterSeconds?: number,
  ) {
    super(AUTH_ERRORS[code].message);
    this.status = AUTH_ERRORS[code].status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The response body, exactly as the contract spells it. */
  body(): { error: string } {
    return { error: this.message };
  }
}

/** Problems with `users:` in the config: found when it is loaded, never at request time. */
export const USER_CONFIG_ERRORS = {
  user_duplicate: "the same username appears twice",
  user_bad_hash: "a password that looks like a hash but is not a usable bcrypt hash",
  user_plaintext_password: "a plaintext password while the api listens beyond loopback",
} as const;

export type UserConfigErrorCode = keyof typeof USER_CONFIG_ERRORS;

export class UserConfigError extends Error {
  override readonly name = "UserConfigError";
  constructor(
    message: string,
    readonly code: UserConfigErrorCode,
    /** The user the problem is about; the password is never part of the error. */
    readonly username: string,
  ) {
    super(message);
  }
}
