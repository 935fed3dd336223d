/**
 * Authentication: as soon as a request for a protected route arrives (onRequest: before its
 * body is read, parsed or validated, and before the stream opens), the credentials of the
 * request (session header, Bearer token or `?token=`) are checked and the request carries its
 * principal. Checking first means a client without credentials learns nothing from a
 * protected route, not even which queries or bodies it would accept, and costs no parsing. A failure is a 401 and a warning with the client's
 * address, capped so that a flood of bad requests cannot fill the disk (log-throttle.ts).
 */
import { checkApiToken, extractCredentials, type SessionManager } from "../../auth/index.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { LogThrottle } from "../log-throttle.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated user, or "api-token" for the API token. */
    principal: string | null;
  }
  interface FastifyContextConfig {
    /** Routes that need a session or the API token. */
    protected?: boolean;
  }
}

/** The route options of a route that needs a session or the API token. */
export const PROTECTED = { config: { protected: true } } as const;

/** At most this many "unauthorized request" (and, apart, "login failed") lines per window;
 * the rest are counted. */
export const AUTH_FAILURE_LOG_LIMIT = 20;
export const AUTH_FAILURE_LOG_WINDOW_MS = 10_000;

/** What the check needs: the sessions to validate and the configured API token. */
export interface AuthenticateDeps {
  sessions: Pick<SessionManager, "validate">;
  /** Read at each request, so a reload's new token applies at once. */
  apiToken: () => string;
}

/** Adds the check to every route of `app` whose config says `protected: true`. */
export function addAuthentication(app: ApiApp, deps: AuthenticateDeps): void {
  app.decorateRequest("principal", null);
  const unauthorizedLog = new LogThrottle(AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS);
  app.addHook("onRequest", async (req) => {
    if (req.routeOptions.config.protected !== true) return;
    const creds = extractCredentials(req.headers, req.url);
    if (creds.sessionToken !== undefined) {
      const user = deps.sessions.validate(creds.sessionToken);
      if (user !== null) {
        req.principal = user;
        return;
      }
    }
    if (creds.apiToken !== undefined && checkApiToken(creds.apiToken, deps.apiToken())) {
      req.principal = "api-token";
      return;
    }
    unauthorizedLog.warn(
      req.log,
      { client: req.ip, route: req.routeOptions.url },
      "unauthorized request",
    );
    throw new ApiError("ERR_AUTH_UNAUTHORIZED");
  });
}
