/**
 * Every error becomes `{"error": ...}` with its status: the API's own errors (api-error.ts)
 * with their headers and details, Fastify's validation and body errors with the contract's
 * messages, the router's errors (a URL that cannot be decoded) in the same shape, and anything
 * else as a logged 500 that tells the client nothing more.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { ApiApp } from "../api-app.js";
import { API_ERRORS, ApiError } from "../api-error.js";
import { SECURITY_HEADERS } from "./security-headers.js";

/** The router's errors and the answers they get; the URL itself is never sent back. */
const FRAMEWORK_ERRORS: Readonly<Record<string, { status: number; error: string }>> = {
  FST_ERR_BAD_URL: { status: 400, error: "bad request: the URL is not valid" },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, error: "a path segment is too long" },
};

/**
 * Fastify's `frameworkErrors` option: the router's errors, which happen before a route is
 * found. Fastify's own answer to them echoes the URL and skips every hook, so this one sends
 * the `{"error"}` body and sets the header policy itself (the onSend hook does not run here).
 */
export function frameworkErrorHandler(
  err: FastifyError,
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = FRAMEWORK_ERRORS[err.code];
  reply
    .headers(SECURITY_HEADERS)
    .header("cache-control", "no-store")
    .code(known?.status ?? 500)
    .send({ error: known?.error ?? API_ERRORS.ERR_API_INTERNAL.message });
}

/** Installs the error handler and the 404 answer (on the root, so every route inherits them). */
export function installErrorHandlers(app: ApiApp): void {
  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      return reply.code(err.status).send(err.body());
    }
    const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
    if (e.validation !== undefined) {
      return reply.code(400).send({ error: `invalid request: ${e.message ?? "bad input"}` });
    }
    if (e.code === "FST_ERR_CTP_INVALID_JSON_BODY" || e.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      return reply.code(400).send({ error: API_ERRORS.ERR_API_MALFORMED_JSON.message });
    }
    if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ error: API_ERRORS.ERR_API_PAYLOAD_TOO_LARGE.message });
    }
    if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.code(415).send({ error: "unsupported content type: send application/json" });
    }
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.message ?? "bad request" });
    }
    req.log.error({ err }, "request failed");
    return reply.code(500).send({ error: API_ERRORS.ERR_API_INTERNAL.message });
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: API_ERRORS.ERR_API_NOT_FOUND.message }),
  );
}
