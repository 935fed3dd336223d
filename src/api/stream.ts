/**
 * The live stream: Server-Sent Events, one `tick` event per snapshot (never per packet),
 * serialised once and written to every client. Each event carries the snapshot's sequence
 * number as its id; a client that reconnects with `Last-Event-ID` gets the events it missed
 * from a short ring (or the newest one when it was away too long). A client that cannot keep
 * up is disconnected rather than buffered without bound.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface StreamHubOptions {
  /** Events kept for resuming clients. */
  replay: number;
  /** Most clients at once; more are answered 503. */
  maxClients: number;
  /** A client whose unsent data passes this many bytes is dropped. */
  maxBufferedBytes: number;
  /** Milliseconds between comment lines that keep idle proxies from closing the stream. */
  heartbeatMs: number;
}

export const STREAM_DEFAULTS: StreamHubOptions = {
  replay: 120,
  maxClients: 100,
  maxBufferedBytes: 1 << 20,
  heartbeatMs: 15_000,
};

/** The headers of the stream's answer (beside the header policy's), the same for a HEAD. */
export const STREAM_HEAD: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  // Proxies (nginx) would otherwise buffer the events.
  "x-accel-buffering": "no",
};

interface Event {
  id: number;
  frame: string;
}

export class StreamHub {
  private readonly ring: Event[] = [];
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Clients dropped for falling behind. */
  dropped = 0;

  constructor(private readonly opts: StreamHubOptions = STREAM_DEFAULTS) {
    this.heartbeat = setInterval(() => this.broadcast(": keep-alive\n\n"), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
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
    for (const res of this.clients) this.write(res, frame);
  }

  private write(res: ServerResponse, frame: string): void {
    if (res.writableLength > this.opts.maxBufferedBytes) {
      this.dropped++;
      this.clients.delete(res);
      res.end();
      return;
    }
    res.write(frame);
  }

  /** Takes over a request's response as an event stream (authentication happened before). */
  attach(
    req: IncomingMessage,
    res: ServerResponse,
    lastEventId: string | undefined,
    headers: Record<string, string>,
  ): void {
    if (this.clients.size >= this.opts.maxClients) {
      res.writeHead(503, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify({ error: "too many stream clients" }));
      return;
    }
    res.writeHead(200, { ...headers, ...STREAM_HEAD, connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    const last =
      lastEventId !== undefined && /^[0-9]+$/.test(lastEventId) ? Number(lastEventId) : null;
    const missed = last === null ? [] : this.ring.filter((e) => e.id > last);
    const resumable = last !== null && (this.ring.length === 0 || this.ring[0].id <= last + 1);
    if (resumable) for (const e of missed) res.write(e.frame);
    else if (this.ring.length > 0) res.write(this.ring[this.ring.length - 1].frame);
    this.clients.add(res);
    const done = () => this.clients.delete(res);
    req.on("close", done);
    res.on("error", done);
  }

  /** Ends every stream (shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
