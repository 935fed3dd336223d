/**
 * Errors the API answers with: a status, the contract's `{"error": "..."}` body, and
 * optional headers (Retry-After) and details. One registry of codes, so messages stay the
 * same everywhere and a test can check every code is unique.
 */
import { AUTH_ERRORS } from "../auth/auth-error.js";
import { NetnetError } from "../util/errors.js";

export const API_ERRORS = {
  // The contract's authentication answers are the auth component's registry, not a copy.
  ...AUTH_ERRORS,
  ERR_API_BAD_REQUEST: { status: 400, message: "bad request" },
  ERR_API_MALFORMED_JSON: { status: 400, message: "malformed JSON" },
  ERR_API_MISSING_TOKEN: { status: 400, message: "missing session token" },
  ERR_API_NOT_FOUND: { status: 404, message: "not found" },
  ERR_API_PAYLOAD_TOO_LARGE: { status: 413, message: "request body too large" },
  ERR_API_MISDIRECTED: { status: 421, message: "misdirected request: unknown host" },
  ERR_API_RELOAD_FAILED: { status: 500, message: "reload failed" },
  ERR_API_INTERNAL: { status: 500, message: "internal error" },
  ERR_API_UNAVAILABLE: { status: 503, message: "not available" },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends NetnetError<ApiErrorCode> {
  readonly status: number;

  constructor(
    code: ApiErrorCode,
    message?: string,
    readonly extra: { headers?: Record<string, string>; details?: unknown } = {},
  ) {
    super(code, message ?? API_ERRORS[code].message);
    this.status = API_ERRORS[code].status;
  }

  body(): { error: string; details?: unknown } {
    return this.extra.details === undefined
      ? { error: this.message }
      : { error: this.message, details: this.extra.details };
  }
}
