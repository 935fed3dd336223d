import { fileURLToPath } from "node:url";

/** The repository root (this file runs from dist/test/support/). */
export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** Absolute path of a committed fixture in test/fixtures/. */
export function fixturePath(name: string): string {
  return `${REPO_ROOT}test/fixtures/${name}`;
}
