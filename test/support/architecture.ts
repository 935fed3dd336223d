/**
 * The import rules of docs/architecture.md, as a checker: every relative import of every
 * non-test source file in `src/` and `web/src/`, resolved to the folder it lands in, against
 * the table of what each folder may import. The test that runs it on the tree is
 * test/architecture.test.ts; its own tests build small trees that break each kind of rule.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

/** What a folder may import: runtime imports, and type-only imports (`import type`). */
export interface FolderRule {
  runtime: readonly string[];
  /** Folders it may import types from, beyond `runtime`; "*" for any but the forbidden. */
  typesOnly: readonly string[] | "*";
  /** Never, not even types ("*" in typesOnly stops short of these). */
  never?: readonly string[];
}

/** The folders of src/ in data-path order, and web/src (named "web"). */
export const FOLDERS = [
  "util",
  "contract",
  "packet",
  "config",
  "auth",
  "capture",
  "decode",
  "flows",
  "stats",
  "engine",
  "worker",
  "alerts",
  "store",
  "api",
  "daemon",
  "cli",
  "web",
] as const;
export type Folder = (typeof FOLDERS)[number];

const BELOW_ENGINE = ["packet", "capture", "decode", "flows", "stats", "contract", "util"];

/** The rules (docs/architecture.md has them as a table, with the reasons). */
export const RULES: Record<Folder, FolderRule> = {
  util: { runtime: [], typesOnly: [] },
  contract: { runtime: [], typesOnly: [] },
  packet: { runtime: [], typesOnly: [] },
  config: { runtime: ["util", "contract"], typesOnly: [] },
  auth: { runtime: ["util"], typesOnly: [] },
  capture: { runtime: ["packet", "util"], typesOnly: [] },
  decode: { runtime: ["packet", "util"], typesOnly: [] },
  flows: { runtime: ["decode", "util"], typesOnly: [] },
  stats: { runtime: ["flows", "decode", "contract", "util"], typesOnly: [] },
  engine: {
    runtime: ["packet", "decode", "flows", "stats", "contract", "util"],
    typesOnly: ["capture"],
  },
  worker: { runtime: ["engine", ...BELOW_ENGINE, "config"], typesOnly: [] },
  alerts: { runtime: ["decode", "contract", "config", "util"], typesOnly: ["engine"] },
  store: { runtime: ["contract", "util"], typesOnly: ["engine", "flows", "alerts"] },
  api: {
    runtime: ["contract", "auth", "config", "util"],
    typesOnly: "*",
    never: ["daemon", "cli", "web"],
  },
  daemon: {
    runtime: FOLDERS.filter((f) => f !== "cli" && f !== "web" && f !== "daemon"),
    typesOnly: [],
  },
  cli: { runtime: FOLDERS.filter((f) => f !== "web" && f !== "cli"), typesOnly: [] },
  web: { runtime: ["contract"], typesOnly: [] },
};

/** One import of one file. */
export interface ImportEdge {
  /** Repository-relative path of the importing file. */
  file: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative path it resolves to (with .ts for .js). */
  target: string;
  /** True for `import type` / `export type ... from` (erased at run time). */
  typeOnly: boolean;
}

export interface Violation extends ImportEdge {
  from: Folder | null;
  to: Folder | "test" | null;
  reason: string;
}

/** The folder a repository-relative path belongs to, or null outside src/ and web/src/. */
export function folderOf(path: string): Folder | null {
  const parts = path.split(sep).join("/").split("/");
  if (parts[0] === "web" && parts[1] === "src") return "web";
  if (parts[0] !== "src" || parts.length < 3) return null;
  return (FOLDERS as readonly string[]).includes(parts[1] ?? "") ? (parts[1] as Folder) : null;
}

function isTestFile(path: string): boolean {
  return /\.test\.ts$/.test(path);
}

/** Every .ts file under `dir` (recursive), repository-relative. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/**
 * The relative imports of one file: static imports and re-exports (type-only when the whole
 * declaration is `import type` / `export type`; inline `type` modifiers still load the module
 * under verbatimModuleSyntax), dynamic `import()`, and `new URL("./x.js", import.meta.url)`
 * (how a worker thread's file is named; URLs of other files, such as the addon's binary or
 * package.json, are data, not modules).
 */
export function importsOf(root: string, file: string): ImportEdge[] {
  const text = readFileSync(join(root, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith(".")) return;
    const abs = resolve(root, dirname(file), specifier).replace(/\.js$/, ".ts");
    edges.push({ file, specifier, target: relative(root, abs), typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly === true);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg !== undefined && ts.isStringLiteralLike(arg)) add(arg.text, false);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "URL" &&
      node.arguments !== undefined &&
      node.arguments.length === 2
    ) {
      const [first, second] = node.arguments;
      if (
        first !== undefined &&
        ts.isStringLiteralLike(first) &&
        first.text.endsWith(".js") &&
        second !== undefined &&
        second.getText(sf) === "import.meta.url"
      ) {
        add(first.text, false);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

/** Whether a folder may import another, at run time or for types only. */
export function allowed(from: Folder, to: Folder, typeOnly: boolean): boolean {
  if (from === to) return true;
  const rule = RULES[from];
  if (rule.runtime.includes(to)) return true;
  if (!typeOnly) return false;
  if (rule.never?.includes(to)) return false;
  return rule.typesOnly === "*" || rule.typesOnly.includes(to);
}

/** Every import of the non-test files of src/ and web/src/ that the rules do not allow. */
export function checkImports(root: string): Violation[] {
  const files = [...sourceFiles(root, "src"), ...sourceFiles(root, "web/src")].filter(
    (f) => !isTestFile(f),
  );
  const out: Violation[] = [];
  for (const file of files) {
    const from = folderOf(file);
    for (const edge of importsOf(root, file)) {
      const toTest = edge.target.split(sep)[0] === "test";
      const to = toTest ? "test" : folderOf(edge.target);
      let reason: string | null = null;
      if (from === null) reason = "file outside the known folders";
      else if (to === "test") reason = "product code imports a test helper";
      else if (to === null) reason = "import outside src/ (or web/src/ for the dashboard)";
      else if (!allowed(from, to, edge.typeOnly))
        reason = `${from} may not import ${to}${edge.typeOnly ? " (even types)" : ""}`;
      if (reason !== null) out.push({ ...edge, from, to, reason });
    }
  }
  return out;
}

/** Non-test files of src/ that use a module only one folder may use. */
export function moduleOwners(
  root: string,
  owners: Readonly<Record<string, Folder>>,
): { file: string; module: string }[] {
  const out: { file: string; module: string }[] = [];
  for (const file of sourceFiles(root, "src").filter((f) => !isTestFile(f))) {
    const text = readFileSync(join(root, file), "utf8");
    for (const [module, owner] of Object.entries(owners)) {
      if (text.includes(`"${module}"`) && folderOf(file) !== owner) out.push({ file, module });
    }
  }
  return out;
}
