/**
 * Builds the dashboard into dist/dashboard/, which the daemon serves (src/api/static.ts).
 * Each text asset also gets a .br and a .gz beside it, so the daemon sends compressed files
 * without compressing per request.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const outDir = fileURLToPath(new URL("../dist/dashboard", import.meta.url));
/** The daemon `npm run dev:web` sends API requests to (`npm run demo` listens here). */
const api = process.env.NETNET_API ?? "http://127.0.0.1:8082";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function precompress(): Plugin {
  return {
    name: "netnet-precompress",
    apply: "build",
    closeBundle() {
      for (const file of files(outDir)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(file)) continue;
        const raw = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  logLevel: "warn",
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ["/login", "/logout", "/metrics", "/api", "/control"].map((p) => [p, api]),
    ),
  },
  plugins: [precompress()],
});
