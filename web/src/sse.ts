/**
 * A Server-Sent Events parser (the WHATWG "event stream interpretation"), fed text in chunks
 * that may split a line, or a CRLF pair, anywhere. The dashboard reads the stream with
 * `fetch()` instead of `EventSource` so that the session token travels in a header and never
 * in a URL; this is the part of `EventSource` it needs. Pure: no DOM, tested under Node.
 */

export interface SseEvent {
  /** The event's type; "message" when the stream named none. */
  event: string;
  data: string;
  /** The last event id seen so far (ids persist across events, as the spec says). */
  id: string;
}

export class SseParser {
  /** The last `id:` received; what a reconnect sends as `Last-Event-ID`. */
  lastEventId = "";
  /** The last valid `retry:` in milliseconds, or null if the server sent none. */
  retryMs: number | null = null;
  private buffer = "";
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to it. */
  private pendingCr = false;
  private eventType = "";
  private data: string[] = [];
  private hasData = false;

  constructor(private readonly onEvent: (e: SseEvent) => void) {}

  /** Feeds decoded text. Events are dispatched as soon as their blank line arrives. */
  push(chunk: string): void {
    let text = chunk;
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    let start = 0;
    const all = this.buffer + text;
    const offset = this.buffer.length;
    this.buffer = "";
    // Scan only the new text for line ends; the carried-over part holds none.
    for (let i = offset; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(all.slice(start, i));
      if (c === 13) {
        if (i + 1 < all.length) {
          if (all.charCodeAt(i + 1) === 10) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
    }
    this.buffer = all.slice(start);
  }

  /** Forgets a partly received event (the connection was lost in the middle of it). */
  reset(): void {
    this.buffer = "";
    this.pendingCr = false;
    this.eventType = "";
    this.data = [];
    this.hasData = false;
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" starts a comment (the server's keep-alive)
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "id":
        // An id holding NUL is ignored (spec).
        if (!value.includes("\u0000")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(): void {
    const type = this.eventType;
    const data = this.data.join("\n");
    const had = this.hasData;
    this.eventType = "";
    this.data = [];
    this.hasData = false;
    if (!had) return;
    this.onEvent({ event: type === "" ? "message" : type, data, id: this.lastEventId });
  }
}
