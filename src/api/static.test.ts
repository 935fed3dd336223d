import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import Fastify from "fastify";
import { dashboardDir, dashboardPlugin } from "./static.js";

describe("dashboard files", () => {
  const root = mkdtempSync(join(tmpdir(), "netnet-static-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>net-net</title>");
  const script = "console.log('net-net');".repeat(50);
  writeFileSync(join(root, "assets", "index-abc123.js"), script);
  writeFileSync(join(root, "assets", "index-abc123.js.gz"), gzipSync(script));
  writeFileSync(join(root, ".secret"), "no");
  after(() => rmSync(root, { recursive: true, force: true }));

  async function app() {
    const a = Fastify();
    await a.register(dashboardPlugin(root));
    return a;
  }

  test("/ is index.html, revalidated on every load", async () => {
    const a = await app();
    const r = await a.inject({ url: "/" });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers["content-type"]), /^text\/html/);
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.equal(r.body, "<!doctype html><title>net-net</title>");
    await a.close();
  });

  test("a hashed asset is sent precompressed to a client that accepts gzip, cached for a year", async () => {
    const a = await app();
    const gz = await a.inject({
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "gzip" },
    });
    assert.equal(gz.statusCode, 200);
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.match(String(gz.headers["content-type"]), /javascript/);
    assert.equal(gz.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.match(String(gz.headers.vary), /accept-encoding/i);
    assert.ok(gz.rawPayload.length < script.length);
    const plain = await a.inject({
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "identity" },
    });
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(plain.body, script);
    await a.close();
  });

  test("dotfiles and missing files are not served", async () => {
    const a = await app();
    assert.equal((await a.inject({ url: "/.secret" })).statusCode, 403);
    assert.equal((await a.inject({ url: "/assets/missing.js" })).statusCode, 404);
    assert.equal((await a.inject({ url: "/../package.json" })).statusCode, 404);
    await a.close();
  });

  test("dashboardDir takes a configured directory that has index.html, else none", () => {
    assert.equal(dashboardDir(root), root);
    assert.equal(dashboardDir(join(root, "assets")), null);
  });
});
