/**
 * `GET /metrics/history`: the stored windows of a time range, at the best resolution that
 * fits (store/). 503 when the daemon keeps no history.
 */
import type { FastifyRequest } from "fastify";
import type { HistoryQuery, HistoryResult } from "../../store/types.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { RANGE_QUERY, type RangeQs, rangeFrom } from "../schemas.js";
import { requireHistory } from "../unavailable.js";

export interface HistoryRouteDeps {
  /** The stored windows; null when no history is kept (no database). */
  history: { queryHistory(q: HistoryQuery): HistoryResult } | null;
}

export function registerHistoryRoutes(app: ApiApp, deps: HistoryRouteDeps): void {
  app.get(
    "/metrics/history",
    { ...PROTECTED, schema: { querystring: RANGE_QUERY } },
    async (req: FastifyRequest<{ Querystring: RangeQs }>) => {
      const history = requireHistory(deps.history);
      const q = rangeFrom(req.query);
      const resolvedEnd = q.end ?? Date.now() / 1000;
      if (q.start !== undefined && q.start >= resolvedEnd) {
        throw new ApiError("ERR_API_BAD_REQUEST", "start must be before end");
      }
      return history.queryHistory(q);
    },
  );
}
