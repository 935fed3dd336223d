/**
 * The HTTP API: the original daemon's routes (shared/reference/API-CONTRACT.md) with the same
 * paths and fields, plus the flow, host and stream routes of net-net. Fastify with JSON-schema
 * validation; every error is `{"error": "..."}` with the right status; security headers on
 * every answer; CORS only for configured origins; the query token never reaches a log.
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { authenticate, type LoginGuard, type SessionManager, type Users } from "../auth/index.js";
import { FLOW_SORT_KEYS, HOST_SORT_KEYS } from "../contract/enums.js";
import { PROTOCOL_FILTER_PATTERN, protocolNumber } from "../contract/protocols.js";
import type { ActiveFlowQuery, FlowPage } from "../engine/flow-pages.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { HostDetail, HostPage, HostQuery, HostSortKey } from "../stats/host-query.js";
import type {
  FlowQuery,
  FlowQueryResult,
  HistoryQuery,
  HistoryResult,
  HostHistoryQuery,
  HostHistoryResult,
} from "../store/types.js";
import { type AlertSource, registerAlertRoutes } from "./alerts-route.js";
import type { ApiApp } from "./api-app.js";
import { ApiError } from "./api-error.js";
import {
  AUTH_FAILURE_LOG_LIMIT,
  AUTH_FAILURE_LOG_WINDOW_MS,
  type AuthenticateDeps,
  addAuthentication,
  PROTECTED,
} from "./hooks/authenticate.js";
import { installErrorHandlers } from "./hooks/error-handler.js";
import { addSecurityHeaders, rawResponseHeaders } from "./hooks/security-headers.js";
import { LogThrottle } from "./log-throttle.js";
import { OPENAPI_PATH, openApiOptions } from "./openapi.js";
import { errorSchema, PAGE_QUERY, RANGE_QUERY, rangeFrom } from "./schemas.js";
import { dashboardPlugin } from "./static.js";
import type { StreamHub } from "./stream.js";
import { sendJson, tickBody, tickBodyCache } from "./tick-body.js";
import { requireHistory, requireSnapshot } from "./unavailable.js";
import {
  contractFlow,
  metricsView,
  packetSizesView,
  portStatsView,
  systemHealthView,
  topTalkersView,
} from "./views.js";

/** What the API needs from the rest of the daemon. */
export interface ApiDeps {
  /** The newest snapshot of the capture worker (null before the first tick). */
  latest(): Snapshot | null;
  startCapture(): Promise<{ interfaces: string[] }>;
  stopCapture(): Promise<void>;
  queryActiveFlows(q: ActiveFlowQuery): Promise<FlowPage>;
  queryHosts(q: HostQuery): Promise<HostPage>;
  hostDetail(ip: string, limit: number): Promise<HostDetail | null>;
  /** Re-reads the config file; throws with the reason when it is invalid. */
  reload(): Promise<{ configPath: string; restartNeeded: string[] }>;
  history: {
    queryHistory(q: HistoryQuery): HistoryResult;
    queryFlows(q: FlowQuery): FlowQueryResult;
    hostHistory(ip: string, q?: HostHistoryQuery): HostHistoryResult;
  } | null;
  auth: {
    users(): Users;
    sessions: SessionManager;
    guard: LoginGuard;
    apiToken(): string;
  };
  stream: StreamHub;
  /** Stored alerts (`GET /api/alerts`); absent or null = none kept (503). */
  alerts?: AlertSource | null;
  /** Wall-clock start of the daemon (ms), for uptime. */
  startedAt: number;
}

export interface ApiOptions {
  /** Origins allowed by CORS; empty = no CORS headers at all (browsers refuse cross-origin). */
  corsOrigins: readonly string[];
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** The daemon's logger (see src/daemon/logger.ts), or false for none (tests). */
  logger: false | Logger;
  /** Seconds between control requests of one client. */
  controlIntervalSeconds: number;
  /** The dashboard's built files (src/api/static.ts), or null to serve the API only. */
  dashboardDir?: string | null;
}

/** Most peers, ports and flows `GET /api/hosts/{ip}` lists for a host. */
export const HOST_DETAIL_LIMIT = 50;

/** Per client, one control request per interval (the contract's 1 per 2 s per IP). */
class ControlLimiter {
  private readonly last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}
  check(client: string, now: number): void {
    const prev = this.last.get(client);
    if (prev !== undefined && now - prev < this.intervalMs) {
      const retry = Math.ceil((this.intervalMs - (now - prev)) / 1000);
      throw new ApiError("rate_limited", undefined, { headers: { "retry-after": String(retry) } });
    }
    this.last.set(client, now);
    if (this.last.size > 10_000) {
      for (const [k, t] of this.last) if (now - t >= this.intervalMs) this.last.delete(k);
    }
  }
}

/**
 * The Fastify instance with everything that applies to every route: the error handler, the
 * header policy, the access log and authentication. Routes added to it afterwards get all of
 * them.
 */
export function createApiApp(
  opts: Pick<ApiOptions, "corsOrigins" | "bodyLimit" | "logger">,
  auth: AuthenticateDeps,
): ApiApp {
  const app = Fastify({
    bodyLimit: opts.bodyLimit,
    // Behind a reverse proxy the rate limits would count the proxy; net-net listens directly.
    trustProxy: false,
    ...(opts.logger === false ? { logger: false } : { loggerInstance: opts.logger }),
    // Every request is logged at debug level by the onResponse hook below, not at info: an
    // access log of a busy or flooded API would be most of the log and could fill the disk.
    disableRequestLogging: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  installErrorHandlers(app);
  addSecurityHeaders(app, opts.corsOrigins);
  // The access log: one line per request at debug level (`logging.level: debug`), its URL
  // without `token=` values (the logger's req serializer).
  app.addHook("onResponse", async (req, reply) => {
    req.log.debug(
      { req, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      "request",
    );
  });
  addAuthentication(app, auth);
  return app;
}

export async function buildApiServer(deps: ApiDeps, opts: ApiOptions) {
  const app = createApiApp(opts, deps.auth);
  // Login failures: every one is worth a line with its client, but a flood of them must not
  // fill the disk (log-throttle.ts).
  const failedLoginLog = new LogThrottle(AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS);

  await app.register(swagger, openApiOptions());
  app.get(OPENAPI_PATH, async () => app.swagger());
  const guarded = PROTECTED;
  const limiter = new ControlLimiter(opts.controlIntervalSeconds * 1000);

  app.post(
    "/login",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            username: { type: "string", minLength: 1, maxLength: 256 },
            password: { type: "string", minLength: 1, maxLength: 1024 },
          },
          required: ["username", "password"],
        },
        response: {
          200: {
            type: "object",
            properties: {
              token: { type: "string" },
              username: { type: "string" },
              expires_in: { type: "integer" },
            },
          },
          400: errorSchema,
          401: errorSchema,
          429: errorSchema,
        },
      },
    },
    async (req: FastifyRequest<{ Body: { username: string; password: string } }>) => {
      const { username, password } = req.body;
      const attempt = deps.auth.guard.begin(req.ip, username);
      if (!attempt.allowed) {
        throw new ApiError("rate_limited", undefined, {
          headers: { "retry-after": String(attempt.retryAfterSeconds) },
        });
      }
      if (attempt.delayMs > 0) await new Promise((r) => setTimeout(r, attempt.delayMs));
      const ok = await authenticate(deps.auth.users(), username, password);
      if (!ok) {
        attempt.fail();
        // The username is not logged: people type passwords into it.
        failedLoginLog.warn(req.log, { client: req.ip }, "login failed");
        throw new ApiError("invalid_credentials");
      }
      attempt.succeed();
      const session = deps.auth.sessions.create(username);
      req.log.info({ client: req.ip, user: username }, "login");
      return { token: session.token, username, expires_in: session.expiresIn };
    },
  );

  app.post(
    "/logout",
    { schema: { response: { 400: errorSchema, 401: errorSchema } } },
    async (req) => {
      const token = req.headers["x-session-token"];
      if (typeof token !== "string" || token === "") throw new ApiError("missing_token");
      if (!deps.auth.sessions.revoke(token)) throw new ApiError("invalid_session");
      return { status: "logged out" };
    },
  );

  // Responses that only change once per tick are serialised once per tick and shared by
  // every client that asks within it (see docs/api.md).
  const perTick = tickBodyCache(() => deps.latest());
  const snapshotRoute =
    (name: string, view: (s: Snapshot) => unknown) =>
    async (req: FastifyRequest, reply: FastifyReply) =>
      sendJson(
        req,
        reply,
        await perTick.get(name, async () => tickBody(view(requireSnapshot(deps.latest())))),
      );

  app.get("/metrics", guarded, snapshotRoute("metrics", metricsView));

  app.get(
    "/metrics/history",
    { ...guarded, schema: { querystring: RANGE_QUERY } },
    async (
      req: FastifyRequest<{ Querystring: { start?: string; end?: string; limit?: string } }>,
    ) => {
      const history = requireHistory(deps.history);
      const q = rangeFrom(req.query);
      const resolvedEnd = q.end ?? Date.now() / 1000;
      if (q.start !== undefined && q.start >= resolvedEnd) {
        throw new ApiError("bad_request", "start must be before end");
      }
      return history.queryHistory(q);
    },
  );

  app.get("/api/top-talkers", guarded, snapshotRoute("top-talkers", topTalkersView));
  app.get("/api/port-stats", guarded, snapshotRoute("port-stats", portStatsView));
  app.get("/api/packet-sizes", guarded, snapshotRoute("packet-sizes", packetSizesView));
  app.get("/api/system-health", guarded, async () =>
    systemHealthView(requireSnapshot(deps.latest()), (Date.now() - deps.startedAt) / 1000),
  );

  const flowQuerySchema = {
    type: "object",
    properties: {
      ip: { type: "string", maxLength: 64 },
      port: { type: "string", pattern: "^[0-9]{1,5}$" },
      proto: { type: "string", pattern: PROTOCOL_FILTER_PATTERN },
      state: { type: "string", pattern: "^[A-Z0-9]{2,6}$" },
      sort: { type: "string", enum: FLOW_SORT_KEYS },
      ...PAGE_QUERY,
      from: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?$" },
      to: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?$" },
    },
    additionalProperties: false,
  } as const;
  type FlowQs = Partial<Record<keyof typeof flowQuerySchema.properties, string>>;

  app.get(
    "/api/flows",
    { ...guarded, schema: { querystring: flowQuerySchema } },
    async (req: FastifyRequest<{ Querystring: FlowQs }>, reply: FastifyReply) => {
      const qs = req.query;
      const limit = Math.min(Number(qs.limit ?? 100), 1000);
      const offset = Number(qs.offset ?? 0);
      const proto =
        qs.proto === undefined
          ? undefined
          : /^[0-9]+$/.test(qs.proto)
            ? Number(qs.proto)
            : protocolNumber(qs.proto);
      const port = qs.port === undefined ? undefined : Number(qs.port);
      if (port !== undefined && port > 65535)
        throw new ApiError("bad_request", "port must be 0 to 65535");
      const filters = {
        ...(qs.ip !== undefined ? { ip: qs.ip } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(proto !== undefined ? { proto } : {}),
        ...(qs.state !== undefined ? { state: qs.state } : {}),
        ...(qs.sort !== undefined ? { sort: qs.sort as "bytes" } : {}),
        ...(qs.order !== undefined ? { order: qs.order as "asc" | "desc" } : {}),
        limit,
        offset,
      };
      if (qs.from !== undefined || qs.to !== undefined) {
        // Finished flows from the history.
        const r = requireHistory(deps.history).queryFlows({
          ...filters,
          ...(qs.from !== undefined ? { from: Number(qs.from) } : {}),
          ...(qs.to !== undefined ? { to: Number(qs.to) } : {}),
        });
        return {
          source: "history",
          total: r.total,
          limit,
          offset,
          flows: r.flows.map(contractFlow),
        };
      }
      const body = await perTick.get(`flows:${JSON.stringify(filters)}`, async () => {
        const page = await deps.queryActiveFlows(filters);
        return tickBody({
          source: "active",
          total: page.total,
          limit,
          offset,
          flows: page.flows.map(contractFlow),
        });
      });
      return sendJson(req, reply, body);
    },
  );

  const hostsQuerySchema = {
    type: "object",
    properties: {
      ip: { type: "string", maxLength: 64 },
      sort: { type: "string", enum: HOST_SORT_KEYS },
      ...PAGE_QUERY,
    },
    additionalProperties: false,
  } as const;
  type HostsQs = Partial<Record<keyof typeof hostsQuerySchema.properties, string>>;

  app.get(
    "/api/hosts",
    { ...guarded, schema: { querystring: hostsQuerySchema } },
    async (req: FastifyRequest<{ Querystring: HostsQs }>, reply: FastifyReply) => {
      const qs = req.query;
      const limit = Math.min(Number(qs.limit ?? 100), 1000);
      const offset = Number(qs.offset ?? 0);
      const query = {
        ...(qs.ip !== undefined ? { ip: qs.ip } : {}),
        ...(qs.sort !== undefined ? { sort: qs.sort as HostSortKey } : {}),
        ...(qs.order !== undefined ? { order: qs.order as "asc" | "desc" } : {}),
        limit,
        offset,
      };
      const body = await perTick.get(`hosts:${JSON.stringify(query)}`, async () => {
        const page = await deps.queryHosts(query);
        return tickBody({ source: "active", total: page.total, limit, offset, hosts: page.hosts });
      });
      return sendJson(req, reply, body);
    },
  );

  app.get(
    "/api/hosts/:ip",
    {
      ...guarded,
      schema: {
        params: {
          type: "object",
          properties: { ip: { type: "string", minLength: 2, maxLength: 64 } },
          required: ["ip"],
        },
        querystring: {
          ...RANGE_QUERY,
          properties: {
            ...RANGE_QUERY.properties,
            token: { type: "string" },
          },
          additionalProperties: false,
        },
      },
    },
    async (
      req: FastifyRequest<{
        Params: { ip: string };
        Querystring: { start?: string; end?: string; limit?: string };
      }>,
      reply: FastifyReply,
    ) => {
      const q: HostHistoryQuery = rangeFrom(req.query);
      const key = `host:${req.params.ip}:${JSON.stringify(q)}`;
      const body = await perTick.get(key, async () => {
        const detail = await deps.hostDetail(req.params.ip, HOST_DETAIL_LIMIT);
        if (detail === null) throw new ApiError("bad_request", "not an IPv4 or IPv6 address");
        const history = deps.history?.hostHistory(detail.ip, q) ?? null;
        if (
          detail.live === null &&
          detail.flow_count === 0 &&
          (history?.points.length ?? 0) === 0
        ) {
          throw new ApiError("not_found", `no traffic of ${detail.ip} is known`);
        }
        return tickBody({
          ...detail,
          flows: detail.flows.map(contractFlow),
          history:
            history === null
              ? null
              : {
                  start: history.start,
                  end: history.end,
                  resolution_seconds: history.resolution_seconds,
                  points: history.points,
                },
        });
      });
      return sendJson(req, reply, body);
    },
  );
  registerAlertRoutes(app, deps.alerts ?? null);

  const control = (req: FastifyRequest) => limiter.check(req.ip, Date.now());

  app.post("/control/start", guarded, async (req) => {
    control(req);
    const r = await deps.startCapture();
    req.log.info({ principal: req.principal, interfaces: r.interfaces }, "capture started");
    return { status: "started", interface: r.interfaces.join(","), interfaces: r.interfaces };
  });

  app.post("/control/stop", guarded, async (req) => {
    control(req);
    await deps.stopCapture();
    req.log.info({ principal: req.principal }, "capture stopped");
    return { status: "stopped" };
  });

  app.post("/control/reload", guarded, async (req) => {
    control(req);
    try {
      const r = await deps.reload();
      return { status: "reloaded", config_path: r.configPath, restart_needed: r.restartNeeded };
    } catch (err: unknown) {
      const details = err instanceof Error ? err.message : String(err);
      throw new ApiError("reload_failed", undefined, { details });
    }
  });

  app.get("/api/stream", guarded, (req: FastifyRequest, reply: FastifyReply) => {
    const last = req.headers["last-event-id"];
    deps.stream.attach(
      req.raw,
      reply.raw,
      typeof last === "string" ? last : undefined,
      rawResponseHeaders(req.headers.origin, opts.corsOrigins),
    );
    reply.hijack();
  });

  if (opts.dashboardDir !== undefined && opts.dashboardDir !== null) {
    await app.register(dashboardPlugin(opts.dashboardDir));
  }

  return app;
}
