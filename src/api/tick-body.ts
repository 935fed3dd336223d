/**
 * Response bodies that change only once per tick (`/metrics`, a page of flows or hosts, a
 * host's details): serialised once per tick and shared by every client that asks within it
 * (tick-memo.ts), gzipped at most once, and only for a client that accepts it.
 */
import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Snapshot } from "../engine/snapshot.js";
import { TickCache } from "./tick-memo.js";

/** A response body serialised once per tick, and gzipped once if a client asks for it. */
export interface TickBody {
  json: string;
  gzip(): Buffer;
}

/** The per-tick answers shared by the metrics, flow and host routes. */
export type TickBodyCache = TickCache<TickBody>;

/** A cache whose tick is the newest snapshot's sequence number (-1 before the first). */
export function tickBodyCache(latest: () => Snapshot | null): TickBodyCache {
  return new TickCache<TickBody>(() => latest()?.seq ?? -1);
}

/** Smaller bodies are sent as they are: compressing them saves less than it costs. */
export const GZIP_MIN_BYTES = 4096;

export function tickBody(value: unknown): TickBody {
  const json = JSON.stringify(value);
  let gz: Buffer | null = null;
  return {
    json,
    // Level 1: most of the gain (JSON compresses 5-10x) for a fraction of the time.
    gzip: () => {
      gz ??= gzipSync(json, { level: 1 });
      return gz;
    },
  };
}

/** Whether an Accept-Encoding header allows gzip (listed, and not with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (
    header !== undefined &&
    /(^|,)\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*(,|$))[0-9.]+)?\s*(,|$)/i.test(header)
  );
}

/** Sends a body as JSON, gzipped when it is big enough and the client accepts it. */
export function sendJson(req: FastifyRequest, reply: FastifyReply, body: TickBody) {
  reply.type("application/json; charset=utf-8").header("vary", "accept-encoding");
  if (body.json.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers["accept-encoding"])) {
    return reply.header("content-encoding", "gzip").send(body.gzip());
  }
  return reply.send(body.json);
}
