/**
 * `GET /api/hosts` (the hosts seen since the start, filtered, sorted and paged) and
 * `GET /api/hosts/{ip}` (one host: counters, peers, ports, flows and stored history). Both
 * are built once per tick (tick-body.ts). A host's history is left out (null), not refused,
 * when the daemon keeps none.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { HOST_SORT_KEYS } from "../../contract/enums.js";
import type { HostDetail, HostPage, HostQuery, HostSortKey } from "../../stats/host-query.js";
import type { HostHistoryQuery, HostHistoryResult } from "../../store/types.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { PAGE_QUERY, pageFrom, RANGE_QUERY, type RangeQs, rangeFrom } from "../schemas.js";
import { sendJson, type TickBodyCache, tickBody } from "../tick-body.js";
import { contractFlow } from "../views.js";

/** Most peers, ports and flows `GET /api/hosts/{ip}` lists for a host. */
export const HOST_DETAIL_LIMIT = 50;

export interface HostRouteDeps {
  /** A page of the hosts, from the capture worker. */
  queryHosts: (q: HostQuery) => Promise<HostPage>;
  /** One host among the active hosts and flows; null for an invalid address. */
  hostDetail: (ip: string, limit: number) => Promise<HostDetail | null>;
  /** A host's stored traffic; null when no history is kept (no database). */
  history: { hostHistory(ip: string, q?: HostHistoryQuery): HostHistoryResult } | null;
  perTick: TickBodyCache;
}

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

const hostSchema = {
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
} as const;

export function registerHostRoutes(app: ApiApp, deps: HostRouteDeps): void {
  app.get(
    "/api/hosts",
    { ...PROTECTED, schema: { querystring: hostsQuerySchema } },
    async (req: FastifyRequest<{ Querystring: HostsQs }>, reply: FastifyReply) => {
      const qs = req.query;
      const { limit, offset } = pageFrom(qs);
      const query = {
        ...(qs.ip !== undefined ? { ip: qs.ip } : {}),
        ...(qs.sort !== undefined ? { sort: qs.sort as HostSortKey } : {}),
        ...(qs.order !== undefined ? { order: qs.order as "asc" | "desc" } : {}),
        limit,
        offset,
      };
      const body = await deps.perTick.get(`hosts:${JSON.stringify(query)}`, async () => {
        const page = await deps.queryHosts(query);
        return tickBody({ source: "active", total: page.total, limit, offset, hosts: page.hosts });
      });
      return sendJson(req, reply, body);
    },
  );

  app.get(
    "/api/hosts/:ip",
    { ...PROTECTED, schema: hostSchema },
    async (
      req: FastifyRequest<{ Params: { ip: string }; Querystring: RangeQs }>,
      reply: FastifyReply,
    ) => {
      const q: HostHistoryQuery = rangeFrom(req.query);
      const key = `host:${req.params.ip}:${JSON.stringify(q)}`;
      const body = await deps.perTick.get(key, async () => {
        const detail = await deps.hostDetail(req.params.ip, HOST_DETAIL_LIMIT);
        if (detail === null)
          throw new ApiError("ERR_API_BAD_REQUEST", "not an IPv4 or IPv6 address");
        const history = deps.history?.hostHistory(detail.ip, q) ?? null;
        if (
          detail.live === null &&
          detail.flow_count === 0 &&
          (history?.points.length ?? 0) === 0
        ) {
          throw new ApiError("ERR_API_NOT_FOUND", `no traffic of ${detail.ip} is known`);
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
}
