/**
 * Errors the API answers with: a status, the contract's `{"error": "..."}` body, and
 * optional headers (Retry-After) and details. One registry of codes, so messages stay the
 * same everywhere and a test can check every code is unique.
 */
export const API_ERRORS = {
  bad_request: { status: 400, message: "bad request" },
  malformed_json: { status: 400, message: "malformed JSON" },
  missing_token: { status: 400, message: "missing session token" },
  invalid_credentials: { status: 401, message: "invalid credentials" },
  invalid_session: { status: 401, message: "invalid session" },
  unauthorized: { status: 401, message: "unauthorized" },
  not_found: { status: 404, message: "not found" },
  payload_too_large: { status: 413, message: "request body too large" },
  rate_limited: { status: 429, message: "rate limit exceeded" },
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
