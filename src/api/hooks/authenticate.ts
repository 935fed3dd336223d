/**
 * Authentication: as soon as a request for a protected route arrives (onRequest: before its
 * body is read, parsed or validated, and before the stream opens), the credentials of the
 * request (session header, Bearer token or `?token=`) are checked and the request carries its
 * principal. Checking first means a client without credentials learns nothing from a
 * protected route, not even which queries or bodies it would accept, and costs no parsing. A failure is a 401 and a warning with the client's
 * address, capped so that a flood of bad requests cannot fill the disk (util/log-throttle.ts).
 */
import {
  type Credentials,
  checkApiToken,
  extractCredentials,
  type SessionManager,
} from "../../auth/index.js";
import { LogThrottle } from "../../util/log-throttle.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";

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

/** The principal of a request authenticated by the API token rather than a session. */
export const API_TOKEN_PRINCIPAL = "api-token";

/** What a later check of the same credentials needs: a session check that does not slide. */
export interface RecheckDeps {
  sessions: Pick<SessionManager, "peek">;
  apiToken: () => string;
}

/**
 * The principal that `creds` stand for, or null: the session's user when the session token
 * is good, else the API token's principal when the API token is. `session` is the check of a
 * session token (one that slides the expiry for a request, one that does not for a re-check).
 */
function principalOf(
  creds: Credentials,
  session: (token: string) => string | null,
  apiToken: () => string,
): string | null {
  if (creds.sessionToken !== undefined) {
    const user = session(creds.sessionToken);
    if (user !== null) return user;
  }
  if (creds.apiToken !== undefined && checkApiToken(creds.apiToken, apiToken())) {
    return API_TOKEN_PRINCIPAL;
  }
  return null;
}

/**
 * A check, for as long as a response stays open (the live stream), that the credentials of
 * `headers` and `url` still stand for `principal`: false once the session has logged out,
 * expired or lost its user, or `api.token` has changed. It never extends the session (it
 * peeks), so an open stream does not keep a session alive that nobody uses.
 */
export function principalRecheck(
  deps: RecheckDeps,
  headers: Parameters<typeof extractCredentials>[0],
  url: string,
  principal: string,
): () => boolean {
  const creds = extractCredentials(headers, url);
  return () => principalOf(creds, (t) => deps.sessions.peek(t), deps.apiToken) === principal;
}

/** Adds the check to every route of `app` whose config says `protected: true`. */
export function addAuthentication(app: ApiApp, deps: AuthenticateDeps): void {
  app.decorateRequest("principal", null);
  const unauthorizedLog = new LogThrottle(AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS);
  app.addHook("onRequest", async (req) => {
    if (req.routeOptions.config.protected !== true) return;
    const creds = extractCredentials(req.headers, req.url);
    const principal = principalOf(creds, (t) => deps.sessions.validate(t), deps.apiToken);
    if (principal !== null) {
      req.principal = principal;
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
