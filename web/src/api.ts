/**
 * Talking to the daemon: the session (token, user name, expiry), every request with the
 * `X-Session-Token` header, and what happens when the session ends. The token is kept in
 * `sessionStorage` (this tab only, gone when it closes); the password is never stored.
 *
 * The daemon ends a session after `expires_in` seconds without a request; the live stream
 * does not count as one. So the page knows when its session must have ended (no request for
 * that long) and checks then, and any 401 sends it back to the login page.
 */
import type { ErrorBody, LoginBody } from "../../src/contract/types.js";

const STORAGE_KEY = "netnet.session";

export interface Session {
  token: string;
  username: string;
  expiresIn: number;
}

/** A request failed with an HTTP status; `message` is the daemon's `error` text. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/** The session ended while a request was made; the login page is being shown. */
export class SessionEnded extends Error {
  override readonly name = "SessionEnded";
}

export type EndReason = "expired" | "logout";

let current: Session | null = load();
let deadline: number | undefined;
const endListeners: ((reason: EndReason) => void)[] = [];

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== "string" || typeof s.username !== "string") return null;
    return { token: s.token, username: s.username, expiresIn: Number(s.expiresIn) || 3600 };
  } catch {
    return null;
  }
}

export function session(): Session | null {
  return current;
}

export function onSessionEnd(listener: (reason: EndReason) => void): void {
  endListeners.push(listener);
}

/** Forgets the session and tells the page (which shows the login form). */
export function endSession(reason: EndReason): void {
  if (current === null) return;
  current = null;
  sessionStorage.removeItem(STORAGE_KEY);
  window.clearTimeout(deadline);
  for (const l of endListeners) l(reason);
}

/**
 * Records that the daemon just saw the session: its expiry starts again. When it passes
 * with no other request, one request tells whether the session is really gone.
 */
export function touched(): void {
  if (current === null) return;
  window.clearTimeout(deadline);
  deadline = window.setTimeout(
    () => {
      get("/api/system-health").catch(() => undefined);
    },
    current.expiresIn * 1000 + 250,
  );
}

async function errorOf(res: Response): Promise<HttpError> {
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (typeof body.error === "string") message = body.error;
  } catch {
    // Not JSON: keep the status text.
  }
  const retry = Number(res.headers.get("retry-after"));
  return new HttpError(res.status, message, Number.isFinite(retry) && retry > 0 ? retry : null);
}

async function request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const s = current;
  if (s === null) throw new SessionEnded("not logged in");
  const headers: Record<string, string> = { "x-session-token": s.token };
  const init: RequestInit = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    endSession("expired");
    throw new SessionEnded("session ended");
  }
  touched();
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export function get<T>(path: string): Promise<T> {
  return request<T>("GET", path);
}

export function post<T>(path: string, body?: unknown): Promise<T> {
  return request<T>("POST", path, body);
}

/** Logs in; throws HttpError with a message for a person to read. */
export async function login(username: string, password: string): Promise<Session> {
  let res: Response;
  try {
    res = await fetch("/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
      cache: "no-store",
    });
  } catch {
    throw new HttpError(0, "Cannot reach the net-net daemon. Is it running?");
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) throw new HttpError(401, "Wrong user name or password.");
    if (res.status === 429) {
      const wait = err.retryAfter === null ? "" : ` Try again in ${err.retryAfter} s.`;
      throw new HttpError(429, `Too many failed attempts.${wait}`, err.retryAfter);
    }
    throw err;
  }
  const body = (await res.json()) as LoginBody;
  current = { token: body.token, username: body.username, expiresIn: body.expires_in };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  touched();
  return current;
}

/** Ends the session on the daemon too; the page returns to login even if that fails. */
export async function logout(): Promise<void> {
  const s = current;
  if (s === null) return;
  try {
    await fetch("/logout", { method: "POST", headers: { "x-session-token": s.token } });
  } catch {
    // The daemon is unreachable: the session ends there by itself.
  }
  endSession("logout");
}
