/**
 * `GET /api/alerts`: the stored alerts, newest first (by last occurrence), paged and filtered
 * by severity and time. Protected like every data route; the query is validated by schema.
 * 503 when the daemon keeps no alerts.
 */
import type { FastifyRequest } from "fastify";
import type { AlertPage, AlertQuery } from "../../alerts/types.js";
import { SEVERITIES } from "../../contract/enums.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { requireAlerts } from "../unavailable.js";

export interface AlertSource {
  queryAlerts(q: AlertQuery): AlertPage;
}

export interface AlertRouteDeps {
  /** The stored alerts; null when none are kept (no database). */
  alerts: AlertSource | null;
}

const querySchema = {
  type: "object",
  properties: {
    limit: { type: "string", pattern: "^[0-9]{1,4}$" },
    offset: { type: "string", pattern: "^[0-9]{1,9}$" },
    severity: { type: "string", enum: [...SEVERITIES] },
    since: { type: "string", pattern: "^[0-9]{1,12}(\\.[0-9]+)?$" },
    // The API token may come as ?token= (the contract); authentication reads it.
    token: { type: "string" },
  },
  additionalProperties: false,
} as const;

type AlertQs = Partial<Record<keyof typeof querySchema.properties, string>>;

const alertSchema = {
  type: "object",
  properties: {
    id: { type: ["integer", "null"] },
    rule: { type: "string" },
    kind: { type: "string" },
    severity: { type: "string", enum: [...SEVERITIES] },
    message: { type: "string" },
    subject: { type: "string" },
    value: { type: "number" },
    threshold: { type: "number" },
    first_ts: { type: "number" },
    last_ts: { type: "number" },
    count: { type: "integer" },
  },
} as const;

export function registerAlertRoutes(app: ApiApp, deps: AlertRouteDeps): void {
  app.get(
    "/api/alerts",
    {
      ...PROTECTED,
      schema: {
        querystring: querySchema,
        response: {
          200: {
            type: "object",
            properties: {
              total: { type: "integer" },
              alerts: { type: "array", items: alertSchema },
            },
          },
        },
      },
    },
    async (req: FastifyRequest<{ Querystring: AlertQs }>) => {
      const source = requireAlerts(deps.alerts);
      const qs = req.query;
      const limit = qs.limit === undefined ? 100 : Number(qs.limit);
      if (limit < 1 || limit > 1000) {
        throw new ApiError("ERR_API_BAD_REQUEST", "limit must be 1 to 1000");
      }
      const q: AlertQuery = { limit, offset: qs.offset === undefined ? 0 : Number(qs.offset) };
      if (qs.severity !== undefined) q.severity = qs.severity as AlertQuery["severity"] & string;
      if (qs.since !== undefined) q.since = Number(qs.since);
      return source.queryAlerts(q);
    },
  );
}
