/**
 * Credentials of a request, as the original's contract accepts them: `X-Session-Token` (from
 * `POST /login`), `Authorization: Bearer <api token>` or `?token=<api token>`. The query form
 * is kept for old scripts, so every URL that may reach a log goes through `redactUrl` first.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export interface Credentials {
  sessionToken?: string;
  apiToken?: string;
}

/** Request headers with lower-case names, as Node's `IncomingHttpHeaders` has them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Compares a presented API token with `api.token` in constant time. Both are hashed first, so
 * the comparison is always of 32 bytes and not even the length of the token leaks. An empty
 * configured token turns API-token authentication off: nothing matches it.
 */
export function checkApiToken(presented: string | undefined, configured: string): boolean {
  if (configured.length === 0 || presented === undefined || presented.length === 0) return false;
  return timingSafeEqual(sha256(presented), sha256(configured));
}

function firstHeader(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  const s = typeof v === "string" ? v : v?.[0];
  if (s === undefined) return undefined;
  const trimmed = s.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** The query part of a request URL (`/path?query#fragment`), or "" when it has none. */
function queryOf(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return "";
  const hash = url.indexOf("#", q);
  return url.slice(q + 1, hash < 0 ? url.length : hash);
}

/**
 * The session token and API token a request carries. `Authorization: Bearer` wins over
 * `?token=` when both are present; an empty value counts as absent.
 */
export function extractCredentials(headers: HeaderBag, url: string): Credentials {
  const out: Credentials = {};
  const session = firstHeader(headers, "x-session-token");
  if (session !== undefined) out.sessionToken = session;

  const auth = firstHeader(headers, "authorization");
  const bearer = auth?.match(/^bearer\s+(\S+)$/i)?.[1];
  if (bearer !== undefined) {
    out.apiToken = bearer;
  } else {
    const fromQuery = new URLSearchParams(queryOf(url)).get("token");
    if (fromQuery !== null && fromQuery.length > 0) out.apiToken = fromQuery;
  }
  return out;
}

export const REDACTED = "[redacted]";

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/**
 * The URL with the value of every `token` query parameter replaced, for logs. Keys are
 * compared after percent-decoding and case-folding, so `?%74oken=` and `?TOKEN=` are
 * redacted too; everything else is left exactly as it was.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const hash = url.indexOf("#", q);
  const end = hash < 0 ? url.length : hash;
  const parts = url.slice(q + 1, end).split("&");
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? "";
    const eq = part.indexOf("=");
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    if (decodeKey(rawKey).toLowerCase() === "token") {
      parts[i] = `${rawKey}=${REDACTED}`;
      changed = true;
    }
  }
  if (!changed) return url;
  return `${url.slice(0, q + 1)}${parts.join("&")}${url.slice(end)}`;
}
