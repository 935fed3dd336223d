/**
 * The dashboard's Server-Sent Events parser (web/src/sse.ts), which replaces EventSource so
 * the session token can travel in a header: the spec's line endings, fields, comments, ids
 * and retry, and the same events however the bytes are split into chunks.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type SseEvent, SseParser } from "../../web/src/sse.js";

function parse(chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.push(c);
  return { events, parser };
}

const STREAM =
  "retry: 2000\n\n" +
  ": keep-alive\n\n" +
  'id: 41\nevent: tick\ndata: {"seq":41}\n\n' +
  'id: 42\r\nevent: tick\r\ndata: {"seq":42}\r\n\r\n' +
  "data: first line\rdata: second line\r\r" +
  "data:no space\n\n" +
  "event: ignored-without-data\n\n" +
  "id: 43\nunknown: field\ndata\n\n";

const EXPECTED: SseEvent[] = [
  { event: "tick", data: '{"seq":41}', id: "41" },
  { event: "tick", data: '{"seq":42}', id: "42" },
  { event: "message", data: "first line\nsecond line", id: "42" },
  { event: "message", data: "no space", id: "42" },
  { event: "message", data: "", id: "43" },
];

describe("SseParser", () => {
  test("reads events, multi-line data, comments, ids and retry with LF, CRLF and CR endings", () => {
    const { events, parser } = parse([STREAM]);
    assert.deepEqual(events, EXPECTED);
    assert.equal(parser.lastEventId, "43");
    assert.equal(parser.retryMs, 2000);
  });

  test("an event is dispatched only when its blank line arrives", () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e));
    p.push("id: 1\nevent: tick\ndata: {}\n");
    assert.equal(events.length, 0);
    p.push("\n");
    assert.equal(events.length, 1);
  });

  test("reset drops a half-received event (a connection lost in the middle)", () => {
    const events: SseEvent[] = [];
    const p = new SseParser((e) => events.push(e));
    p.push('id: 7\nevent: tick\ndata: {"seq":');
    p.reset();
    p.push('event: tick\ndata: {"seq":8}\n\n');
    assert.deepEqual(events, [{ event: "tick", data: '{"seq":8}', id: "7" }]);
  });

  test("gives the same events however the stream is cut into chunks (CRLF split included)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 30 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const chunks: string[] = [];
          let prev = 0;
          for (const c of points) {
            chunks.push(STREAM.slice(prev, c));
            prev = c;
          }
          chunks.push(STREAM.slice(prev));
          assert.deepEqual(parse(chunks).events, EXPECTED);
        },
      ),
      { numRuns: 500 },
    );
  });
});
