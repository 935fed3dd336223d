/**
 * `GET /api/stream`: the live stream (stream.ts). Authentication runs first, like on any
 * protected route; then the hub takes the raw response over, so the answer's head carries the
 * header policy of hooks/security-headers.ts itself (Fastify's onSend never runs for it).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiApp } from "../api-app.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { rawResponseHeaders } from "../hooks/security-headers.js";
import type { StreamHub } from "../stream.js";

export interface StreamRouteDeps {
  stream: Pick<StreamHub, "attach">;
  /** Origins allowed by CORS, as for every other answer. */
  corsOrigins: readonly string[];
}

export function registerStreamRoutes(app: ApiApp, deps: StreamRouteDeps): void {
  app.get("/api/stream", PROTECTED, (req: FastifyRequest, reply: FastifyReply) => {
    const last = req.headers["last-event-id"];
    deps.stream.attach(
      req.raw,
      reply.raw,
      typeof last === "string" ? last : undefined,
      rawResponseHeaders(req.headers.origin, deps.corsOrigins),
    );
    reply.hijack();
  });
}
