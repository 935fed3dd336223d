/**
 * `POST /login` and `POST /logout`: sessions for the dashboard. Login attempts are throttled
 * per client and username (auth/login-guard.ts); a failed one is logged without its username
 * (people type passwords into it), capped like unauthorized requests.
 */
import type { FastifyRequest } from "fastify";
import {
  authenticate,
  type LoginGuard,
  type SessionManager,
  type Users,
} from "../../auth/index.js";
import { LogThrottle } from "../../util/log-throttle.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS } from "../hooks/authenticate.js";
import { errorSchema } from "../schemas.js";

export interface SessionRouteDeps {
  /** The configured users, read at each login so a reload applies at once. */
  users: () => Users;
  sessions: Pick<SessionManager, "create" | "revoke">;
  guard: LoginGuard;
}

const loginSchema = {
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
} as const;

const logoutSchema = { response: { 400: errorSchema, 401: errorSchema } } as const;

export function registerSessionRoutes(app: ApiApp, deps: SessionRouteDeps): void {
  const failedLoginLog = new LogThrottle(AUTH_FAILURE_LOG_LIMIT, AUTH_FAILURE_LOG_WINDOW_MS);

  app.post(
    "/login",
    { schema: loginSchema },
    async (req: FastifyRequest<{ Body: { username: string; password: string } }>) => {
      const { username, password } = req.body;
      const attempt = deps.guard.begin(req.ip, username);
      if (!attempt.allowed) {
        throw new ApiError("ERR_AUTH_RATE_LIMITED", undefined, {
          headers: { "retry-after": String(attempt.retryAfterSeconds) },
        });
      }
      if (attempt.delayMs > 0) await new Promise((r) => setTimeout(r, attempt.delayMs));
      const ok = await authenticate(deps.users(), username, password);
      if (!ok) {
        attempt.fail();
        // The username is not logged: people type passwords into it.
        failedLoginLog.warn(req.log, { client: req.ip }, "login failed");
        throw new ApiError("ERR_AUTH_INVALID_CREDENTIALS");
      }
      attempt.succeed();
      const session = deps.sessions.create(username);
      req.log.info({ client: req.ip, user: username }, "login");
      return { token: session.token, username, expires_in: session.expiresIn };
    },
  );

  app.post("/logout", { schema: logoutSchema }, async (req) => {
    const token = req.headers["x-session-token"];
    if (typeof token !== "string" || token === "") throw new ApiError("ERR_API_MISSING_TOKEN");
    if (!deps.sessions.revoke(token)) throw new ApiError("ERR_AUTH_INVALID_SESSION");
    return { status: "logged out" };
  });
}
