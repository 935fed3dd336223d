/**
 * The layout's import rules (docs/architecture.md), checked on the tree, and the checker
 * itself checked on small trees that break each kind of rule.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import {
  allowed,
  checkImports,
  FOLDERS,
  folderOf,
  importsOf,
  moduleOwners,
  RULES,
  sourceFiles,
} from "./support/architecture.js";
import { REPO_ROOT } from "./support/paths.js";

describe("the tree", () => {
  test("every import of src/ and web/src/ follows the rules", () => {
    const violations = checkImports(REPO_ROOT);
    assert.deepEqual(
      violations.map((v) => `${v.file} -> ${v.specifier}: ${v.reason}`),
      [],
    );
  });

  test("node:worker_threads is used only under src/worker/", () => {
    assert.deepEqual(moduleOwners(REPO_ROOT, { "node:worker_threads": "worker" }), []);
  });

  test("no file of src/ or web/src/ names the API's old type module (api/types)", () => {
    const named = [...sourceFiles(REPO_ROOT, "src"), ...sourceFiles(REPO_ROOT, "web/src")].filter(
      (f) => readFileSync(join(REPO_ROOT, f), "utf8").includes("api/types"),
    );
    assert.deepEqual(named, []);
  });

  test("every folder of the table exists in the tree and has a rule", () => {
    for (const f of FOLDERS) assert.ok(RULES[f], f);
    assert.equal(folderOf("src/worker/capture-worker.ts"), "worker");
    assert.equal(folderOf("web/src/main.ts"), "web");
    assert.equal(folderOf("test/support/frames.ts"), null);
  });
});

describe("the checker", () => {
  const root = mkdtempSync(join(tmpdir(), "netnet-arch-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  /** A fresh tree with the given files; returns its root. */
  const tree = (files: Record<string, string>): string => {
    const dir = join(root, String(n++));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    mkdirSync(join(dir, "web/src"), { recursive: true });
    return dir;
  };

  test("an upward import fails: decode importing the engine", () => {
    const dir = tree({
      "src/engine/packet-engine.ts": "export const x = 1;\n",
      "src/decode/decoder.ts": 'import { x } from "../engine/packet-engine.js";\nexport { x };\n',
    });
    const v = checkImports(dir);
    assert.equal(v.length, 1);
    assert.equal(v[0]?.file, "src/decode/decoder.ts");
    assert.equal(v[0]?.reason, "decode may not import engine");
  });

  test("the same import passes downward: the engine importing decode", () => {
    const dir = tree({
      "src/decode/decoder.ts": "export const x = 1;\n",
      "src/engine/packet-engine.ts": 'import { x } from "../decode/decoder.js";\nexport { x };\n',
    });
    assert.deepEqual(checkImports(dir), []);
  });

  test("type-only imports pass where the table allows types, runtime ones do not", () => {
    const dir = tree({
      "src/engine/snapshot.ts": "export interface Snapshot { seq: number }\nexport const y = 1;\n",
      "src/store/a.ts":
        'import type { Snapshot } from "../engine/snapshot.js";\nexport type A = Snapshot;\n',
      "src/store/b.ts": 'import { y } from "../engine/snapshot.js";\nexport const b = y;\n',
      // An inline `type` still loads the module at run time (verbatimModuleSyntax).
      "src/store/c.ts":
        'import { type Snapshot } from "../engine/snapshot.js";\nexport type C = Snapshot;\n',
    });
    assert.deepEqual(
      checkImports(dir).map((v) => v.file),
      ["src/store/b.ts", "src/store/c.ts"],
    );
  });

  test("re-exports, dynamic imports and a worker's URL count as imports", () => {
    const dir = tree({
      "src/api/server.ts": "export const s = 1;\n",
      "src/capture/a.ts": 'export { s } from "../api/server.js";\n',
      "src/capture/b.ts": 'export async function f() { return import("../api/server.js"); }\n',
      "src/capture/c.ts": 'export const u = new URL("../api/server.js", import.meta.url);\n',
    });
    assert.deepEqual(
      checkImports(dir).map((v) => v.file),
      ["src/capture/a.ts", "src/capture/b.ts", "src/capture/c.ts"],
    );
    assert.deepEqual(
      importsOf(dir, "src/capture/c.ts").map((e) => e.target),
      ["src/api/server.ts"],
    );
  });

  test("product code may not import test helpers; tests may import anything", () => {
    const dir = tree({
      "test/support/kit.ts": "export const k = 1;\n",
      "src/store/a.ts": 'import { k } from "../../test/support/kit.js";\nexport const a = k;\n',
      "src/store/a.test.ts": 'import { k } from "../../test/support/kit.js";\nvoid k;\n',
      "src/util/b.test.ts": 'import { a } from "../store/a.js";\nvoid a;\n',
    });
    assert.deepEqual(
      checkImports(dir).map((v) => `${v.file}: ${v.reason}`),
      ["src/store/a.ts: product code imports a test helper"],
    );
  });

  test("the dashboard may import only the contract", () => {
    const dir = tree({
      "src/contract/types.ts": "export interface T { a: number }\n",
      "src/api/views.ts": "export interface V { a: number }\n",
      "web/src/a.ts": 'import type { T } from "../../src/contract/types.js";\nexport type A = T;\n',
      "web/src/b.ts": 'import type { V } from "../../src/api/views.js";\nexport type B = V;\n',
    });
    assert.deepEqual(
      checkImports(dir).map((v) => `${v.file}: ${v.reason}`),
      ["web/src/b.ts: web may not import api (even types)"],
    );
  });

  test("the API takes types from anywhere below the daemon, but not from the daemon", () => {
    assert.equal(allowed("api", "engine", true), true);
    assert.equal(allowed("api", "engine", false), false);
    assert.equal(allowed("api", "daemon", true), false);
    assert.equal(allowed("cli", "daemon", false), true);
    assert.equal(allowed("daemon", "cli", false), false);
  });

  test("a module owned by one folder is reported elsewhere", () => {
    const dir = tree({
      "src/worker/w.ts": 'import { Worker } from "node:worker_threads";\nvoid Worker;\n',
      "src/engine/e.ts": 'import { Worker } from "node:worker_threads";\nvoid Worker;\n',
    });
    assert.deepEqual(moduleOwners(dir, { "node:worker_threads": "worker" }), [
      { file: "src/engine/e.ts", module: "node:worker_threads" },
    ]);
  });
});
