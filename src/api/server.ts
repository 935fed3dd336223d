/**
 * The HTTP API: the original daemon's routes (shared/reference/API-CONTRACT.md) with the same
 * paths and fields, plus the flow, host and stream routes of net-net. This file builds the
 * app: the Fastify instance, its error handler and hooks (hooks/), then one route module per
 * resource (routes/), each given only what it uses. docs/architecture.md says which file
 * holds which route.
 */
import swagger from "@fastify/swagger";
import Fastify, { LogController } from "fastify";
import type { LoginGuard, SessionManager, Users } from "../auth/index.js";
import type { ActiveFlowQuery, FlowPage } from "../engine/flow-pages.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { HostDetail, HostPage, HostQuery } from "../stats/host-query.js";
import type {
  FlowQuery,
  FlowQueryResult,
  HistoryQuery,
  HistoryResult,
  HostHistoryQuery,
  HostHistoryResult,
} from "../store/types.js";
import type { Logger } from "../util/log.js";
import type { ApiApp } from "./api-app.js";
import {
  addressMatcher,
  CONNECTION_LIMIT_DEFAULTS,
  type ConnectionLimits,
  limitConnections,
  timeoutCheckIntervalMs,
} from "./connection-limits.js";
import { type AuthenticateDeps, addAuthentication } from "./hooks/authenticate.js";
import { frameworkErrorHandler, installErrorHandlers } from "./hooks/error-handler.js";
import { addHostCheck } from "./hooks/host-check.js";
import { addSecurityHeaders } from "./hooks/security-headers.js";
import { OPENAPI_PATH, openApiOptions } from "./openapi.js";
import { type AlertSource, registerAlertRoutes } from "./routes/alerts.js";
import { registerControlRoutes } from "./routes/control.js";
import { registerFlowRoutes } from "./routes/flows.js";
import { registerHistoryRoutes } from "./routes/history.js";
import { registerHostRoutes } from "./routes/hosts.js";
import { registerMetricsRoutes } from "./routes/metrics.js";
import { registerSessionRoutes } from "./routes/session.js";
import { registerStreamRoutes } from "./routes/stream.js";
import { dashboardPlugin } from "./static.js";
import type { StreamHub } from "./stream.js";
import { tickBodyCache } from "./tick-body.js";

export { HOST_DETAIL_LIMIT } from "./routes/hosts.js";

/** What the API needs from the rest of the daemon. buildApiServer hands each route module
 * only its part, so the functions here are called on their own, never as methods of this
 * object. */
export interface ApiDeps {
  /** The newest snapshot of the capture worker (null before the first tick). */
  latest: () => Snapshot | null;
  startCapture: () => Promise<{ interfaces: string[] }>;
  stopCapture: () => Promise<void>;
  queryActiveFlows: (q: ActiveFlowQuery) => Promise<FlowPage>;
  queryHosts: (q: HostQuery) => Promise<HostPage>;
  hostDetail: (ip: string, limit: number) => Promise<HostDetail | null>;
  /** Re-reads the config file; throws with the reason when it is invalid. */
  reload: () => Promise<{ configPath: string; restartNeeded: string[] }>;
  /** The stored history; null when none is kept (no database). */
  history: {
    queryHistory(q: HistoryQuery): HistoryResult;
    queryFlows(q: FlowQuery): FlowQueryResult;
    hostHistory(ip: string, q?: HostHistoryQuery): HostHistoryResult;
  } | null;
  auth: {
    users: () => Users;
    sessions: SessionManager;
    guard: LoginGuard;
    apiToken: () => string;
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
  /** The listen address (`api.host`), accepted in the Host header; 127.0.0.1 when absent. */
  host?: string;
  /** More names accepted in the Host header (`api.allowed_hosts`). */
  allowedHosts?: readonly string[];
  /** Timeouts and caps of connections (`api.*_timeout_ms`, `api.max_connections*`); the
   * config's defaults when absent. */
  limits?: ConnectionLimits;
  /** Reverse proxies whose X-Forwarded-For names the client (`api.trusted_proxies`). */
  trustedProxies?: readonly string[];
}

/** What createApiApp needs of ApiOptions. */
export type AppOptions = Pick<ApiOptions, "corsOrigins" | "bodyLimit" | "logger"> &
  Pick<ApiOptions, "host" | "allowedHosts" | "limits" | "trustedProxies">;

/**
 * The Fastify instance with everything that applies to every route: the connection limits,
 * the error handler, the Host check, the header policy, the access log and authentication.
 * Routes added to it afterwards (by buildApiServer, or by a route module's test) get all of
 * them.
 */
export function createApiApp(opts: AppOptions, auth: AuthenticateDeps): ApiApp {
  const limits = opts.limits ?? CONNECTION_LIMIT_DEFAULTS;
  const trusted = opts.trustedProxies ?? [];
  const app = Fastify({
    bodyLimit: opts.bodyLimit,
    // Slow clients (connection-limits.ts): Node measures these while a request is received,
    // never while an answer is sent, so the live stream is not cut by them.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: timeoutCheckIntervalMs(limits),
    },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    // Only the configured proxies' X-Forwarded-For is believed (req.ip is then the client
    // they name): the login throttle, the control limit and the logs count clients, not the
    // proxy; anyone else could name any address in it.
    trustProxy: trusted.length > 0 ? [...trusted] : false,
    ...(opts.logger === false ? { logger: false } : { loggerInstance: opts.logger }),
    // Every request is logged at debug level by the onResponse hook below, not at info: an
    // access log of a busy or flooded API would be most of the log and could fill the disk.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    frameworkErrors: frameworkErrorHandler,
  });
  // A proxy carries every client's connections: it is held only to the total.
  limitConnections(app.server, limits, addressMatcher(trusted), app.log);
  installErrorHandlers(app);
  // First of the onRequest hooks: a request for another host name gets nothing else.
  addHostCheck(app, {
    listenHost: opts.host ?? "127.0.0.1",
    allowedHosts: opts.allowedHosts ?? [],
  });
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

export async function buildApiServer(deps: ApiDeps, opts: ApiOptions): Promise<ApiApp> {
  const app = createApiApp(opts, deps.auth);
  // The document generator sees only the routes added after it.
  await app.register(swagger, openApiOptions());
  app.get(OPENAPI_PATH, async () => app.swagger());

  // Responses that only change once per tick are serialised once per tick and shared by
  // every client that asks within it (see docs/api.md); one cache for every such route.
  const perTick = tickBodyCache(deps.latest);
  const { auth, history } = deps;
  registerSessionRoutes(app, { users: auth.users, sessions: auth.sessions, guard: auth.guard });
  registerMetricsRoutes(app, { latest: deps.latest, startedAt: deps.startedAt, perTick });
  registerHistoryRoutes(app, { history });
  registerFlowRoutes(app, { queryActiveFlows: deps.queryActiveFlows, history, perTick });
  registerHostRoutes(app, {
    queryHosts: deps.queryHosts,
    hostDetail: deps.hostDetail,
    history,
    perTick,
  });
  registerAlertRoutes(app, { alerts: deps.alerts ?? null });
  registerControlRoutes(app, {
    startCapture: deps.startCapture,
    stopCapture: deps.stopCapture,
    reload: deps.reload,
    intervalSeconds: opts.controlIntervalSeconds,
  });
  registerStreamRoutes(app, { stream: deps.stream, corsOrigins: opts.corsOrigins, auth });

  if (opts.dashboardDir !== undefined && opts.dashboardDir !== null) {
    await app.register(dashboardPlugin(opts.dashboardDir));
  }
  return app;
}
