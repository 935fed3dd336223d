/**
 * Helpers for the HTTP API's tests (src/api/): credentials, an app with the API's error
 * handler and hooks but only the routes a test adds, and a replayed capture with its stored
 * history for the routes to serve.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiApp } from "../../src/api/api-app.js";
import { type ApiDeps, type AppOptions, createApiApp } from "../../src/api/server.js";
import {
  createLoginGuard,
  createSessionManager,
  hashPassword,
  type SessionManagerOptions,
} from "../../src/auth/index.js";
import type { Snapshot } from "../../src/engine/snapshot.js";
import { DEFAULT_STATS_CONFIG } from "../../src/stats/aggregator.js";
import { createStore, type Store } from "../../src/store/store.js";
import { toWindowRecord } from "../../src/store/window-record.js";
import { type CaptureService, createCaptureService } from "../../src/worker/capture-service.js";
import { fixturePath } from "./paths.js";

export const PASSWORD = "correct horse battery staple";
export const API_TOKEN = "T".repeat(40);
/** The headers of a request with the API token. */
export const BEARER = { authorization: `Bearer ${API_TOKEN}` };

/** The user `admin` with PASSWORD (bcrypt cost 4, so the tests stay fast), sessions kept in
 * `db`, and API_TOKEN. */
export async function testAuth(db: SessionManagerOptions["db"]): Promise<ApiDeps["auth"]> {
  const users = {
    hashes: new Map([["admin", await hashPassword(PASSWORD, 4)]]),
    dummyHash: await hashPassword("dummy", 4),
  };
  return {
    users: () => users,
    sessions: createSessionManager({
      db,
      expirySeconds: 3600,
      maxLifetimeSeconds: 43_200,
      credentialOf: (name) => users.hashes.get(name),
    }),
    guard: createLoginGuard(),
    apiToken: () => API_TOKEN,
  };
}

/** The API's app (error handler, header policy, access log, authentication) with only the
 * routes `register` adds, ready for `inject`. */
export async function routeApp(
  auth: ApiDeps["auth"],
  register: (app: ApiApp) => void,
  opts: Partial<AppOptions> = {},
): Promise<ApiApp> {
  const app = createApiApp({ corsOrigins: [], bodyLimit: 4096, logger: false, ...opts }, auth);
  register(app);
  await app.ready();
  return app;
}

/** A capture that has been replayed to its end, and its stored history. */
export interface ReplayedCapture {
  /** The capture file (mixed.pcap, 51 s of traffic). */
  file: string;
  capture: CaptureService;
  store: Store;
  /** Stops the capture, closes the store and removes its directory. */
  stop(): Promise<void>;
}

/**
 * mixed.pcap replayed at full speed by a capture service with 10 s windows, each tick's
 * windows and ended flows written to a store (in a new temporary directory); resolves once the
 * file has ended. `onSnapshot` also sees every snapshot (to feed a live stream, say).
 */
export async function replayCapture(
  onSnapshot: (s: Snapshot) => void = () => {},
): Promise<ReplayedCapture> {
  const dir = mkdtempSync(join(tmpdir(), "netnet-api-"));
  const file = fixturePath("mixed.pcap");
  const store = createStore({ path: join(dir, "netnet.db"), retentionDays: 7 });
  store.start();
  let ended = () => {};
  const done = new Promise<void>((r) => {
    ended = r;
  });
  const capture = createCaptureService(
    {
      source: { kind: "file", path: file, speed: "max", loop: false, filter: "" },
      flows: { capacity: 1 << 16, idleTimeout: 300, cleanupInterval: 60 },
      stats: { ...DEFAULT_STATS_CONFIG, windowSize: 10 },
      tickMs: 50,
      autoStart: true,
    },
    {
      onSnapshot: (s) => {
        store.writeTick({
          windows: s.windows.map((w) => toWindowRecord(w)),
          flows: s.ended_flows,
        });
        onSnapshot(s);
      },
      onCaptureEnded: () => ended(),
    },
  );
  await capture.start();
  await done;
  return {
    file,
    capture,
    store,
    async stop() {
      await capture.stop();
      store.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
