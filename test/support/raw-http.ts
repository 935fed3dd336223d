/**
 * HTTP clients on raw TCP sockets (node:net), for tests of what a server does to clients that
 * misbehave: a request written byte for byte as given (any Host header, any method), a body
 * that drips in, a stream subscriber that never reads. Every helper stops by itself: each has
 * a deadline, after which it closes its socket and reports what it saw.
 */
import { connect, type Socket } from "node:net";

/** What a raw exchange saw. */
export interface RawExchange {
  /** The status code of the first response line, or 0 when none arrived. */
  status: number;
  /** Response header names (lower case) and values of the first response. */
  headers: Record<string, string>;
  /** Everything the server sent, as text. */
  text: string;
  /** True when the server closed (or reset) the connection before the deadline. */
  closedByServer: boolean;
  /** Milliseconds from connecting until the server closed, or until the deadline. */
  ms: number;
}

function parseHead(text: string): Pick<RawExchange, "status" | "headers"> {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers };
}

function opened(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host }, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/**
 * Writes `request` as it is and reads until the server closes the connection, or until
 * `untilText` has arrived (then the client closes), or until `timeoutMs` has passed.
 */
export async function rawExchange(
  port: number,
  request: string,
  opts: { host?: string; timeoutMs?: number; untilText?: RegExp } = {},
): Promise<RawExchange> {
  const started = Date.now();
  const socket = await opened(port, opts.host ?? "127.0.0.1");
  let text = "";
  return new Promise((resolve) => {
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseHead(text), text, closedByServer, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 3000);
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      if (opts.untilText?.test(text) === true) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
    socket.write(request);
  });
}

/** A request head with CRLF line ends and a blank line after it. */
export function requestHead(
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join("")}\r\n`;
}

/** A client that sends its request one byte at a time, as a slow-request attack does. */
export interface Dribbler {
  /** Resolves when the server has closed the connection, or at the deadline (then false). */
  readonly result: Promise<RawExchange>;
  /** Bytes dripped before the connection ended. */
  readonly sent: () => number;
}

/**
 * Writes `prefix` at once and then one `x` every `intervalMs`, up to `bytes` of them; stops by
 * itself once they are sent, the server closes, or `deadlineMs` has passed.
 */
export async function dribble(
  port: number,
  opts: { prefix: string; bytes: number; intervalMs: number; deadlineMs: number },
): Promise<Dribbler> {
  const started = Date.now();
  const socket = await opened(port, "127.0.0.1");
  let text = "";
  let sent = 0;
  let done = false;
  let settle: (r: RawExchange) => void = () => {};
  const result = new Promise<RawExchange>((r) => {
    settle = r;
  });
  const finish = (closedByServer: boolean) => {
    if (done) return;
    done = true;
    clearInterval(drip);
    clearTimeout(deadline);
    socket.destroy();
    settle({ ...parseHead(text), text, closedByServer, ms: Date.now() - started });
  };
  const drip = setInterval(() => {
    if (sent >= opts.bytes || socket.destroyed) return;
    socket.write("x");
    sent++;
  }, opts.intervalMs);
  const deadline = setTimeout(() => finish(false), opts.deadlineMs);
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
  });
  socket.on("close", () => finish(true));
  socket.on("error", () => finish(true));
  socket.write(opts.prefix);
  return { result, sent: () => sent };
}

/** The head of a JSON POST announcing a body of `bytes`, for `dribble` to send the body. */
export function postHead(path: string, bytes: number, headers: Record<string, string> = {}) {
  return requestHead("POST", path, {
    host: "127.0.0.1",
    "content-type": "application/json",
    ...headers,
    "content-length": String(bytes),
  });
}

/** A connection that sends nothing, and whether the server has closed it. */
export interface IdleConnection {
  socket: Socket;
  closed: () => boolean;
}

/**
 * Opens `n` connections that send nothing, from `localAddress` (any 127.x.y.z on Linux, to
 * look like several clients); resolves once all are connected. The caller destroys them.
 */
export async function idleConnections(
  port: number,
  n: number,
  localAddress = "127.0.0.1",
): Promise<IdleConnection[]> {
  const all: IdleConnection[] = [];
  for (let i = 0; i < n; i++) {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ port, host: "127.0.0.1", localAddress }, () => resolve(s));
      s.once("error", reject);
    });
    let closed = false;
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
    });
    // An end from the server is a close for these clients: they never write again.
    socket.on("end", () => socket.destroy());
    socket.resume();
    all.push({ socket, closed: () => closed });
  }
  return all;
}

/** An event-stream subscriber that reads the response head and then nothing more. */
export interface StalledReader {
  socket: Socket;
  /** The status of the response head (0 if none came before the deadline). */
  status: number;
  /** Resolves once the connection is closed, by either side; true if it closed by `ms`. */
  closedWithin(ms: number): Promise<boolean>;
}

/**
 * Opens `path` with `headers`, waits for the response head, then stops reading (the socket
 * is paused, so the kernel's buffers and then the server's fill up). The caller destroys it.
 */
export async function stalledReader(
  port: number,
  path: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs = 3000,
): Promise<StalledReader> {
  const socket = await opened(port, "127.0.0.1");
  let closed = false;
  const closing = new Promise<void>((r) => {
    socket.once("close", () => {
      closed = true;
      r();
    });
  });
  socket.on("error", () => {});
  const status = await new Promise<number>((resolve) => {
    let text = "";
    const timer = setTimeout(() => resolve(0), timeoutMs);
    const onData = (d: Buffer) => {
      text += d.toString("latin1");
      if (text.includes("\r\n\r\n")) {
        clearTimeout(timer);
        socket.off("data", onData);
        socket.pause();
        resolve(parseHead(text).status);
      }
    };
    socket.on("data", onData);
    socket.write(requestHead("GET", path, { host: "127.0.0.1", ...headers }));
  });
  return {
    socket,
    status,
    closedWithin: async (ms) => {
      if (closed) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, ms);
      });
      await Promise.race([closing, timeout]);
      clearTimeout(timer);
      return closed;
    },
  };
}
