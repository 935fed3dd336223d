/**
 * The type of the API's Fastify instance, as the hooks and route modules take it. The daemon's
 * pino logger fixes the instance's logger type, and Fastify instances with different logger
 * types are not assignable to one another, so every module names this one type.
 */
import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Logger } from "../util/log.js";

export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;
