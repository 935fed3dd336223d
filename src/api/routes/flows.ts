/**
 * `GET /api/flows`: a page of the active flows, filtered and sorted by the capture worker and
 * shared within a tick (tick-body.ts); with `from`/`to`, the finished flows stored in the
 * history instead (503 when none is kept).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { FLOW_SORT_KEYS } from "../../contract/enums.js";
import { PROTOCOL_FILTER_PATTERN, protocolNumber } from "../../contract/protocols.js";
import type { ActiveFlowQuery, FlowPage } from "../../engine/flow-pages.js";
import type { FlowQuery, FlowQueryResult } from "../../store/types.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { PAGE_QUERY, pageFrom } from "../schemas.js";
import { sendJson, type TickBodyCache, tickBody } from "../tick-body.js";
import { requireHistory } from "../unavailable.js";
import { contractFlow } from "../views.js";

export interface FlowRouteDeps {
  /** A page of the active flows, from the capture worker. */
  queryActiveFlows: (q: ActiveFlowQuery) => Promise<FlowPage>;
  /** The finished flows; null when no history is kept (no database). */
  history: { queryFlows(q: FlowQuery): FlowQueryResult } | null;
  perTick: TickBodyCache;
}

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

export function registerFlowRoutes(app: ApiApp, deps: FlowRouteDeps): void {
  app.get(
    "/api/flows",
    { ...PROTECTED, schema: { querystring: flowQuerySchema } },
    async (req: FastifyRequest<{ Querystring: FlowQs }>, reply: FastifyReply) => {
      const qs = req.query;
      const { limit, offset } = pageFrom(qs);
      const proto =
        qs.proto === undefined
          ? undefined
          : /^[0-9]+$/.test(qs.proto)
            ? Number(qs.proto)
            : protocolNumber(qs.proto);
      const port = qs.port === undefined ? undefined : Number(qs.port);
      if (port !== undefined && port > 65535)
        throw new ApiError("ERR_API_BAD_REQUEST", "port must be 0 to 65535");
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
      const body = await deps.perTick.get(`flows:${JSON.stringify(filters)}`, async () => {
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
}
