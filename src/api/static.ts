/**
 * The dashboard's files: the Vite build (`dist/dashboard/`, made by `npm ci`/`npm run build`)
 * or `api.static_files_dir`, served by the daemon itself with no authentication (they hold
 * no data; every route they call does). Vite writes a `.br` and a `.gz` beside each asset,
 * and a browser that accepts one gets it (`preCompressed`), so nothing is compressed per
 * request. File names under `assets/` carry a content hash and are cached for a year;
 * `index.html` is revalidated each time so a new build is picked up.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";

/** Where `vite build` writes the dashboard (web/vite.config.ts). */
export const BUNDLED_DASHBOARD_DIR = fileURLToPath(new URL("../../dashboard/", import.meta.url));

/** The directory to serve: the configured one, else the bundled build; null if neither exists. */
export function dashboardDir(configured: string): string | null {
  const dir = configured !== "" ? configured : BUNDLED_DASHBOARD_DIR;
  return existsSync(`${dir.replace(/\/$/, "")}/index.html`) ? dir : null;
}

/** The plugin that serves `root` at `/` (register it with `app.register`). */
export function dashboardPlugin(root: string): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root,
      prefix: "/",
      preCompressed: true,
      index: ["index.html"],
      // Directory listings and dotfiles are never served.
      list: false,
      dotfiles: "deny",
      wildcard: true,
      cacheControl: false,
      setHeaders(reply, path) {
        reply.header(
          "cache-control",
          path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  };
}
