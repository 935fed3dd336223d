/**
 * Exposure rules: what the daemon refuses to serve beyond loopback. On 127.0.0.1 the demo
 * login and a short token are a convenience; on a reachable address, or behind a reverse
 * proxy that forwards the world to loopback, they are an open door.
 */
import { exposureReason, type ReachConfig } from "./loopback.js";
import { isBcryptHash, verifyPassword } from "./passwords.js";

/** The original daemon's demo password (user `admin`), published in its README. */
export const DEMO_PASSWORD = "adminpass";

/** Shortest API token accepted beyond loopback, as the original's README advised. */
export const MIN_API_TOKEN_LENGTH = 32;

export type ExposureCode = "demo_password" | "plaintext_password" | "weak_api_token";

export interface ExposureProblem {
  code: ExposureCode;
  /** One line for the operator: names the user or key, never a password or token. */
  message: string;
}

/** The part of the config that `checkExposure` reads (a `NetnetConfig` fits). */
export interface ExposureConfig {
  readonly api: ReachConfig & { readonly enabled?: boolean; readonly token: string };
  readonly users: readonly { readonly username: string; readonly password: string }[];
}

/**
 * Lists why the API must not listen where the config says; empty when it may. Only an API
 * that is enabled and reachable beyond loopback (its address, or a trusted proxy) can have
 * problems. Checking the demo password costs
 * one bcrypt comparison per user (run in parallel).
 */
export async function checkExposure(config: ExposureConfig): Promise<ExposureProblem[]> {
  const { api } = config;
  if (api.enabled === false) return [];
  const where = exposureReason(api);
  if (where === null) return [];

  const perUser = await Promise.all(
    config.users.map(async ({ username, password }): Promise<ExposureProblem[]> => {
      const who = JSON.stringify(username);
      const found: ExposureProblem[] = [];
      const hashed = isBcryptHash(password);
      if (!hashed) {
        found.push({
          code: "plaintext_password",
          message: `user ${who} has a plaintext password and ${where}; use netnet hash-password`,
        });
      }
      const demo = hashed
        ? await verifyPassword(DEMO_PASSWORD, password)
        : password === DEMO_PASSWORD;
      if (demo) {
        found.push({
          code: "demo_password",
          message: `user ${who} has the demo password and ${where}; set a new one with netnet hash-password`,
        });
      }
      return found;
    }),
  );
  const problems = perUser.flat();

  if (api.token.length > 0 && api.token.length < MIN_API_TOKEN_LENGTH) {
    problems.push({
      code: "weak_api_token",
      message:
        `api.token has ${api.token.length} characters and ${where}; ` +
        `use at least ${MIN_API_TOKEN_LENGTH} (for example: openssl rand -hex 32)`,
    });
  }
  return problems;
}
