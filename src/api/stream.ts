/**
 * The live stream: Server-Sent Events, one `tick` event per snapshot (never per packet),
 * serialised once and written to every client. Each event carries the snapshot's sequence
 * number as its id; a client that reconnects with `Last-Event-ID` gets the events it missed
 * from a short ring (or the newest one when it was away too long).
 *
 * A stream outlives the request that opened it, so the hub checks each client's credentials
 * again every `authCheckMs` and ends the streams whose session logged out, expired or lost its
 * user, or whose API token is no longer the configured one. A client that cannot keep up is
 * destroyed (its socket and everything buffered for it freed at once) rather than buffered
 * without bound, and every client counts against `maxClients` until its socket has closed, so
 * a slot is never reused while the old client's memory is still held.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface StreamHubOptions {
  /** Events kept for resuming clients. */
  replay: number;
  /** Most clients at once, counted until their sockets close; more are answered 503. */
  maxClients: number;
  /** A client whose unsent data passes this many bytes is destroyed. */
  maxBufferedBytes: number;
  /** Milliseconds between comment lines that keep idle proxies from closing the stream. */
  heartbeatMs: number;
  /** Milliseconds between checks that each client's credentials still hold. */
  authCheckMs: number;
  /** Milliseconds an ended stream (logout, shutdown) has to send its end before its socket is
   * destroyed; a client that does not read would otherwise hold it. */
  endGraceMs: number;
}

export const STREAM_DEFAULTS: StreamHubOptions = {
  replay: 120,
  maxClients: 100,
  maxBufferedBytes: 1 << 20,
  heartbeatMs: 15_000,
  authCheckMs: 1000,
  endGraceMs: 2000,
};

/** The headers of the stream's answer (beside the header policy's), the same for a HEAD. */
export const STREAM_HEAD: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  // Proxies (nginx) would otherwise buffer the events.
  "x-accel-buffering": "no",
};

/** How a stream is taken over (attach). */
export interface AttachOptions {
  /** The request's `Last-Event-ID`, to resume from. */
  lastEventId: string | undefined;
  /** The header policy's headers for the answer's head. */
  headers: Record<string, string>;
  /** Whether the credentials the stream was opened with still hold; checked periodically. */
  stillAllowed: () => boolean;
}

interface Event {
  id: number;
  frame: string;
}

interface Client {
  res: ServerResponse;
  socket: Socket;
  stillAllowed: () => boolean;
}

export class StreamHub {
  private readonly opts: StreamHubOptions;
  private readonly ring: Event[] = [];
  /** Clients that receive events. */
  private readonly live = new Set<Client>();
  /** Clients ended or destroyed whose sockets have not closed yet. */
  private readonly leaving = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly authCheck: NodeJS.Timeout;
  /** Clients dropped for falling behind. */
  dropped = 0;
  /** Clients ended because their credentials no longer held. */
  revoked = 0;

  constructor(opts: Partial<StreamHubOptions> = {}) {
    this.opts = { ...STREAM_DEFAULTS, ...opts };
    this.heartbeat = setInterval(() => this.broadcast(": keep-alive\n\n"), this.opts.heartbeatMs);
    this.heartbeat.unref();
    this.authCheck = setInterval(() => this.checkCredentials(), this.opts.authCheckMs);
    this.authCheck.unref();
  }

  /** Clients holding a slot: those streaming and those whose sockets are still closing. */
  get clientCount(): number {
    return this.live.size + this.leaving.size;
  }

  /** Sends one event to every client. `id` must increase. */
  publish(id: number, data: unknown): void {
    // JSON.stringify never emits a raw CR or LF, so the data is one SSE line.
    const frame = `id: ${id}\nevent: tick\ndata: ${JSON.stringify(data)}\n\n`;
    this.ring.push({ id, frame });
    if (this.ring.length > this.opts.replay) this.ring.shift();
    this.broadcast(frame);
  }

  private broadcast(frame: string): void {
    for (const c of this.live) this.write(c, frame);
  }

  private write(c: Client, frame: string): void {
    if (c.res.writableLength > this.opts.maxBufferedBytes) {
      this.dropped++;
      // Ending would queue the end behind what the client does not read, and keep the socket
      // and its buffers for as long as the client likes; destroying frees both now.
      this.leave(c);
      c.res.destroy();
      return;
    }
    c.res.write(frame);
  }

  private checkCredentials(): void {
    for (const c of this.live) {
      let allowed: boolean;
      try {
        allowed = c.stillAllowed();
      } catch {
        // A check that cannot be made (the sessions' database is closing) ends the stream.
        allowed = false;
      }
      if (!allowed) {
        this.revoked++;
        this.end(c);
      }
    }
  }

  /** Moves a client from live to leaving, where it stays until its socket closes. */
  private leave(c: Client): void {
    this.live.delete(c);
    if (!c.socket.destroyed) this.leaving.add(c);
  }

  /**
   * Ends a client's stream: a client that reads gets the end of the response and its
   * connection is closed once the end is sent; one that does not read is destroyed after the
   * grace period.
   */
  private end(c: Client): void {
    this.leave(c);
    c.res.once("finish", () => c.socket.destroy());
    c.res.end();
    const grace = setTimeout(() => c.socket.destroy(), this.opts.endGraceMs);
    grace.unref();
    c.socket.once("close", () => clearTimeout(grace));
  }

  /** Takes over a request's response as an event stream (authentication happened before). */
  attach(req: IncomingMessage, res: ServerResponse, opts: AttachOptions): void {
    if (this.clientCount >= this.opts.maxClients) {
      res.writeHead(503, { "content-type": "application/json", ...opts.headers });
      res.end(JSON.stringify({ error: "too many stream clients" }));
      return;
    }
    const socket = req.socket;
    // The stream is long-lived and quiet between ticks: the server's idle timeout is for
    // requests, not for it (its end comes from the hub: credentials, lag, shutdown).
    socket.setTimeout(0);
    res.writeHead(200, { ...opts.headers, ...STREAM_HEAD, connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    const lastEventId = opts.lastEventId;
    const last =
      lastEventId !== undefined && /^[0-9]+$/.test(lastEventId) ? Number(lastEventId) : null;
    const missed = last === null ? [] : this.ring.filter((e) => e.id > last);
    const resumable = last !== null && (this.ring.length === 0 || this.ring[0].id <= last + 1);
    if (resumable) for (const e of missed) res.write(e.frame);
    else if (this.ring.length > 0) res.write(this.ring[this.ring.length - 1].frame);
    if (socket.destroyed) return;
    const client: Client = { res, socket, stillAllowed: opts.stillAllowed };
    this.live.add(client);
    socket.once("close", () => {
      this.live.delete(client);
      this.leaving.delete(client);
    });
    res.on("error", () => this.leave(client));
  }

  /** Ends every stream (shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.authCheck);
    for (const c of this.live) this.end(c);
  }
}
