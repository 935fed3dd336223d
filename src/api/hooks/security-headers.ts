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

/** Adds the policy to every answer Fastify sends, errors and 404s included. */
export function addSecurityHeaders(app: ApiApp, corsOrigins: readonly string[]): void {
  app.addHook("onSend", async (req, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    const cors = corsHeaders(req.headers.origin, corsOrigins);
    if (cors !== NO_CORS) reply.headers(cors).headers(CORS_REQUEST_HEADERS);
    return payload;
  });
}
