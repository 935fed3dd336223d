/**
 * Errors the API answers with: a status, the contract's `{"error": "..."}` body, and
 * optional headers (Retry-After) and details. One registry of codes, so messages stay the
 * same everywhere and a test can check every code is unique.
 */
import { AUTH_ERRORS } from "../auth/auth-error.js";

export const API_ERRORS = {
  // The contract's authentication answers are the auth component's registry, not a copy.
  ...AUTH_ERRORS,
  bad_request: { status: 400, message: "bad request" },
  malformed_json: { status: 400, message: "malformed JSON" },
  missing_token: { status: 400, message: "missing session token" },
  not_found: { status: 404, message: "not found" },
  payload_too_large: { status: 413, message: "request body too large" },
  reload_failed: { status: 500, message: "reload failed" },
  internal: { status: 500, message: "internal error" },
  unavailable: { status: 503, message: "not available" },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message?: string,
    readonly extra: { headers?: Record<string, string>; details?: unknown } = {},
  ) {
    super(message ?? API_ERRORS[code].message);
    this.status = API_ERRORS[code].status;
  }

  body(): { error: string; details?: unknown } {
    return this.extra.details === undefined
      ? { error: this.message }
      : { error: this.message, details: this.extra.details };
  }
}
