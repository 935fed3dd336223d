/**
 * The API component: the HTTP server (routes, live stream, dashboard files) wired to the
 * running components, listening on `api.host:api.port` unless `api.enabled` is false
 * (headless: capture and history only, as the original allowed).
 */
import type { ApiApp } from "../api/api-app.js";
import { connectionLimitsOf } from "../api/connection-limits.js";
import { type ApiDeps, buildApiServer } from "../api/server.js";
import { dashboardDir } from "../api/static.js";
import type { NetnetConfig } from "../config/config.js";
import type { Logger } from "../util/log.js";
import type { Component } from "./components.js";

export interface ApiComponent extends Component {
  /** The URL the API listens on; empty before start and when api.enabled is false. */
  readonly address: string;
}

export function apiComponent(
  config: Pick<NetnetConfig, "api">,
  deps: () => ApiDeps,
  log: Logger,
): ApiComponent {
  let app: ApiApp | null = null;
  let address = "";
  return {
    name: "api",
    get address() {
      return address;
    },
    async start() {
      const dashboard = dashboardDir(config.api.static_files_dir);
      if (dashboard === null)
        log.warn("dashboard files not found (npm run build makes them); serving the api only");
      const server = await buildApiServer(deps(), {
        corsOrigins: config.api.cors_origins,
        bodyLimit: config.api.body_limit,
        logger: log,
        controlIntervalSeconds: 2,
        dashboardDir: dashboard,
        host: config.api.host,
        allowedHosts: config.api.allowed_hosts,
        limits: connectionLimitsOf(config.api),
        trustedProxies: config.api.trusted_proxies,
      });
      if (!config.api.enabled) {
        app = server;
        log.info("api disabled (api.enabled is false)");
        return;
      }
      try {
        address = await server.listen({ host: config.api.host, port: config.api.port });
      } catch (err: unknown) {
        // A component whose start fails leaves nothing open.
        await server.close();
        throw err;
      }
      app = server;
      log.info({ address }, "api listening");
    },
    async stop() {
      await app?.close();
      app = null;
    },
  };
}
