import { readFileSync } from "node:fs";

/** net-net's version from package.json ("unknown" if it cannot be read). */
export function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    );
    if (pkg && typeof pkg === "object" && "version" in pkg && typeof pkg.version === "string") {
      return pkg.version;
    }
  } catch {
    // Fall through: a version is nice to have, not a reason to fail.
  }
  return "unknown";
}
