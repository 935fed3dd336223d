/**
 * What `npm pack` ships: the compiled product, the dashboard, the addon's sources (its install
 * script builds them), docs and examples; no test, no test helper, no benchmark.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { REPO_ROOT } from "./support/paths.js";

test("the package holds the product and the addon's sources, and no tests", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const files: string[] =
    (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
  for (const needed of [
    "bin/netnet.js",
    "dist/src/cli/main.js",
    "dist/src/worker/capture-worker.js",
    "native/binding.gyp",
    "native/build.mjs",
    "native/src/addon.cc",
    "examples/netnet.yaml",
    "docs/architecture.md",
  ]) {
    assert.ok(files.includes(needed), `${needed} is shipped`);
  }
  assert.deepEqual(
    files.filter((f) => /\.test\.js|^dist\/(test|bench|scripts)\/|testdata/.test(f)),
    [],
  );
});
