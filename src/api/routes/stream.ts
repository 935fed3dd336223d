/**
 * `GET /api/stream`: the live stream (stream.ts). Authentication runs first, like on any
 * protected route; then the hub takes the raw response over, so the answer's head carries the
 * header policy of hooks/security-headers.ts itself (Fastify's onSend never runs for it).
 * The hub checks the stream's credentials again while it is open, and ends it when they no
 * longer hold. A HEAD request is answered by Fastify with the same head and no stream.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiApp } from "../api-app.js";
import { PROTECTED, principalRecheck, type RecheckDeps } from "../hooks/authenticate.js";
import { rawResponseHeaders } from "../hooks/security-headers.js";
import { STREAM_HEAD, type StreamHub } from "../stream.js";

export interface StreamRouteDeps {
  stream: Pick<StreamHub, "attach">;
  /** Origins allowed by CORS, as for every other answer. */
  corsOrigins: readonly string[];
  /** The sessions and API token, to check an open stream's credentials again. */
  auth: RecheckDeps;
}

export function registerStreamRoutes(app: ApiApp, deps: StreamRouteDeps): void {
  app.get("/api/stream", PROTECTED, (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === "HEAD") {
      // The head a GET would get, and no stream: a HEAD answer has no body, so a stream
      // attached to it would never end and would hold one of the hub's slots for good.
      return reply.headers(STREAM_HEAD).send();
    }
    const last = req.headers["last-event-id"];
    const principal = req.principal ?? "";
    deps.stream.attach(req.raw, reply.raw, {
      lastEventId: typeof last === "string" ? last : undefined,
      headers: rawResponseHeaders(req.headers.origin, deps.corsOrigins),
      stillAllowed: principalRecheck(deps.auth, req.headers, req.url, principal),
    });
    reply.hijack();
    return reply;
  });
}
