/**
 * `POST /control/start`, `/control/stop` and `/control/reload`: capture on and off, and a
 * re-read of the config file. Each client may send one control request per interval (the
 * contract's 1 per 2 s per address); more are 429 with Retry-After.
 */
import type { FastifyRequest } from "fastify";
import { messageOf } from "../../util/errors.js";
import type { ApiApp } from "../api-app.js";
import { ApiError } from "../api-error.js";
import { PROTECTED } from "../hooks/authenticate.js";

export interface ControlRouteDeps {
  startCapture: () => Promise<{ interfaces: string[] }>;
  stopCapture: () => Promise<void>;
  /** Re-reads the config file; throws with the reason when it is invalid. */
  reload: () => Promise<{ configPath: string; restartNeeded: string[] }>;
  /** Seconds between control requests of one client. */
  intervalSeconds: number;
}

/** Per client, one control request per interval (the contract's 1 per 2 s per IP). */
class ControlLimiter {
  private readonly last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}
  check(client: string, now: number): void {
    const prev = this.last.get(client);
    if (prev !== undefined && now - prev < this.intervalMs) {
      const retry = Math.ceil((this.intervalMs - (now - prev)) / 1000);
      throw new ApiError("ERR_AUTH_RATE_LIMITED", undefined, {
        headers: { "retry-after": String(retry) },
      });
    }
    this.last.set(client, now);
    if (this.last.size > 10_000) {
      for (const [k, t] of this.last) if (now - t >= this.intervalMs) this.last.delete(k);
    }
  }
}

export function registerControlRoutes(app: ApiApp, deps: ControlRouteDeps): void {
  const limiter = new ControlLimiter(deps.intervalSeconds * 1000);
  const control = (req: FastifyRequest) => limiter.check(req.ip, Date.now());

  app.post("/control/start", PROTECTED, async (req) => {
    control(req);
    const r = await deps.startCapture();
    req.log.info({ principal: req.principal, interfaces: r.interfaces }, "capture started");
    return { status: "started", interface: r.interfaces.join(","), interfaces: r.interfaces };
  });

  app.post("/control/stop", PROTECTED, async (req) => {
    control(req);
    await deps.stopCapture();
    req.log.info({ principal: req.principal }, "capture stopped");
    return { status: "stopped" };
  });

  app.post("/control/reload", PROTECTED, async (req) => {
    control(req);
    try {
      const r = await deps.reload();
      return { status: "reloaded", config_path: r.configPath, restart_needed: r.restartNeeded };
    } catch (err: unknown) {
      const details = messageOf(err);
      throw new ApiError("ERR_API_RELOAD_FAILED", undefined, { details });
    }
  });
}
