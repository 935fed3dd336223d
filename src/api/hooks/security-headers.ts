/**
 * The header policy of every answer: the security headers, `cache-control: no-store` unless a
 * route chose its own, and CORS only for the configured origins. One module, so the answers
 * Fastify sends (the onSend hook) and the live stream, which writes its own response head,
 * cannot drift apart.
 */
import type { ApiApp } from "../api-app.js";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; " +
    "form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/**
 * What a cross-origin caller may send. A browser reads these only from the answer to a
 * preflight, and preflights are answered through Fastify (the onSend hook), never by the
 * stream, so the stream's head goes without them.
 */
const CORS_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-headers": "content-type, authorization, x-session-token",
  "access-control-allow-methods": "GET, POST",
};

/** Seconds a browser may reuse a preflight's answer before it asks again. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The answer to a request from no origin or from one that is not configured. */
const NO_CORS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The CORS decision: the headers that let a page from `origin` read the answer, or none when
 * the request has no Origin or its origin is not configured (the browser then refuses).
 */
export function corsHeaders(
  origin: string | undefined,
  allowed: readonly string[],
): Readonly<Record<string, string>> {
  if (origin === undefined || !allowed.includes(origin)) return NO_CORS;
  return { "access-control-allow-origin": origin, vary: "Origin" };
}

/** The head of an answer written without Fastify (the live stream): the same policy. */
export function rawResponseHeaders(
  origin: string | undefined,
  allowed: readonly string[],
): Record<string, string> {
  return { ...SECURITY_HEADERS, ...corsHeaders(origin, allowed) };
}

/**
 * A Vary header that also names `field`: a route that varies by Accept-Encoding (a gzipped
 * body, a pre-compressed file) must keep saying so when CORS adds Origin, or a cache would
 * serve one encoding to a client that asked for another.
 */
export function appendVary(current: unknown, field: string): string {
  const existing = Array.isArray(current)
    ? current.join(", ")
    : typeof current === "string"
      ? current
      : "";
  const names = existing
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.some((n) => n === "*" || n.toLowerCase() === field.toLowerCase())) return existing;
  return [...names, field].join(", ");
}

/**
 * Adds the policy to every answer Fastify sends, errors and 404s included, and answers the
 * CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) of a configured origin with
 * 204 on any path. A preflight carries no credentials, so it is answered without them; the
 * request that follows is authenticated as usual. Any other `OPTIONS` request is a 404.
 */
export function addSecurityHeaders(app: ApiApp, corsOrigins: readonly string[]): void {
  app.addHook("onSend", async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    const cors = corsHeaders(req.headers.origin, corsOrigins);
    if (cors !== NO_CORS) {
      for (const [k, v] of Object.entries(cors)) {
        reply.header(k, k === "vary" ? appendVary(reply.getHeader("vary"), v) : v);
      }
      reply.headers(CORS_REQUEST_HEADERS);
    }
    return payload;
  });
  if (corsOrigins.length === 0) return;
  app.options("*", { schema: { hide: true } }, async (req, reply) => {
    const preflight = req.headers["access-control-request-method"] !== undefined;
    if (!preflight || corsHeaders(req.headers.origin, corsOrigins) === NO_CORS) {
      return reply.callNotFound();
    }
    return reply
      .code(204)
      .header("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS))
      .send();
  });
}
