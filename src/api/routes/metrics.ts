/**
 * `/metrics` and the other views of the newest snapshot (`/api/top-talkers`,
 * `/api/port-stats`, `/api/packet-sizes`, `/api/system-health`): the original daemon's
 * shapes (views.ts). All but the health are built once per tick (tick-body.ts); the health
 * carries the uptime, which changes at every request.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Snapshot } from "../../engine/snapshot.js";
import type { ApiApp } from "../api-app.js";
import { PROTECTED } from "../hooks/authenticate.js";
import { sendJson, type TickBodyCache, tickBody } from "../tick-body.js";
import { requireSnapshot } from "../unavailable.js";
import {
  metricsView,
  packetSizesView,
  portStatsView,
  systemHealthView,
  topTalkersView,
} from "../views.js";

export interface MetricsRouteDeps {
  /** The newest snapshot of the capture worker (null before the first tick). */
  latest: () => Snapshot | null;
  /** Wall-clock start of the daemon (ms), for uptime. */
  startedAt: number;
  perTick: TickBodyCache;
}

export function registerMetricsRoutes(app: ApiApp, deps: MetricsRouteDeps): void {
  const snapshotRoute =
    (name: string, view: (s: Snapshot) => unknown) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const body = await deps.perTick.get(name, async () =>
        tickBody(view(requireSnapshot(deps.latest()))),
      );
      return sendJson(req, reply, body);
    };

  app.get("/metrics", PROTECTED, snapshotRoute("metrics", metricsView));
  app.get("/api/top-talkers", PROTECTED, snapshotRoute("top-talkers", topTalkersView));
  app.get("/api/port-stats", PROTECTED, snapshotRoute("port-stats", portStatsView));
  app.get("/api/packet-sizes", PROTECTED, snapshotRoute("packet-sizes", packetSizesView));
  app.get("/api/system-health", PROTECTED, async () =>
    systemHealthView(requireSnapshot(deps.latest()), (Date.now() - deps.startedAt) / 1000),
  );
}
