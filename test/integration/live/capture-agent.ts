/**
 * A test agent that runs inside a network namespace (`ip netns exec NS node capture-agent.js`)
 * and does what the test asks, one JSON command per stdin line, one JSON reply per stdout
 * line: capture with LiveSource + PacketEngine, inject frames, send and echo UDP datagrams.
 * On `exit` it closes everything and stops reading stdin: the process must then end by
 * itself, which is what proves that closing releases the event loop.
 */

import { createSocket, type Socket } from "node:dgram";
import { createLiveSource, type LiveSource } from "../../../src/capture/live/live-source.js";
import { loadPcapAddon, type NativeLiveHandle } from "../../../src/capture/live/pcap-addon.js";
import { DEFAULT_ENGINE_CONFIG, PacketEngine } from "../../../src/engine/packet-engine.js";
import { buildReport, FlowCollector } from "../../../src/engine/report.js";
import { CountingSink } from "../../support/counting-sink.js";
import { mixFrames, TRAFFIC_KINDS, type TrafficMix } from "../../support/live-traffic.js";
import { type Command, serveCommands } from "./agent-protocol.js";

interface Capture {
  source: LiveSource;
  engine: PacketEngine;
  collector: FlowCollector;
  tee: CountingSink;
}

let capture: Capture | null = null;
/** Errors the running capture reported (LiveSource onError). */
const errors: { code: string; message: string }[] = [];
let injector: NativeLiveHandle | null = null;
const sockets = new Map<number, { socket: Socket; received: number }>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let drain: Promise<Record<string, unknown>> | null = null;

/** Time and CPU from now until `want` packets have reached the engine (60 s at most). */
async function measureDrain(cap: Capture, want: number): Promise<Record<string, unknown>> {
  const before = cap.tee.packets;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  while (cap.tee.packets < want && Number(process.hrtime.bigint() - start) < 60e9) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    before,
    packets: cap.tee.packets,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

function str(c: Command, key: string): string {
  const v = c[key];
  if (typeof v !== "string") throw new Error(`${c.op}: ${key} must be a string`);
  return v;
}

function num(c: Command, key: string, fallback?: number): number {
  const v = c[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== "number") throw new Error(`${c.op}: ${key} must be a number`);
  return v;
}

function needCapture(): Capture {
  if (capture === null) throw new Error("no capture is open");
  return capture;
}

async function run(c: Command): Promise<Record<string, unknown>> {
  switch (c.op) {
    case "open": {
      if (capture !== null) throw new Error("a capture is already open");
      const collector = new FlowCollector(10, null);
      const engine = new PacketEngine(DEFAULT_ENGINE_CONFIG, collector);
      const tee = new CountingSink(engine);
      const interfaces = c.interfaces;
      if (!Array.isArray(interfaces) || !interfaces.every((i) => typeof i === "string")) {
        throw new Error("open: interfaces must be a list of names");
      }
      const source = createLiveSource(
        {
          interfaces,
          timeoutMs: num(c, "timeoutMs", 50),
          ...(typeof c.filter === "string" ? { filter: c.filter } : {}),
          ...(typeof c.snaplen === "number" ? { snaplen: c.snaplen } : {}),
          ...(typeof c.batchSize === "number" ? { batchSize: c.batchSize } : {}),
          ...(typeof c.bufferSize === "number" ? { bufferSize: c.bufferSize } : {}),
        },
        tee,
        { onError: (e) => errors.push({ code: e.code, message: e.message }) },
      );
      source.start();
      capture = { source, engine, collector, tee };
      return { interfaces: source.interfaces };
    }
    case "errors": {
      const deadline = Date.now() + num(c, "timeoutMs", 0);
      while (errors.length === 0 && Date.now() < deadline) await sleep(10);
      return { errors: errors.splice(0) };
    }
    case "count":
      return { packets: needCapture().tee.packets };
    case "wait": {
      // Waits for a number of packets, then a while longer so that any extra one would show.
      const cap = needCapture();
      const want = num(c, "packets");
      const deadline = Date.now() + num(c, "timeoutMs", 10_000);
      while (cap.tee.packets < want && Date.now() < deadline) await sleep(5);
      const reachedMs = Date.now();
      await sleep(num(c, "settleMs", 300));
      return { packets: cap.tee.packets, reached: cap.tee.packets >= want, at: reachedMs };
    }
    case "block": {
      // Replies first, then keeps the event loop busy, as SIGSTOP would: packets queue in
      // the ring meanwhile. With `packets`, then times how fast the queue drains.
      const cap = needCapture();
      const ms = num(c, "ms");
      const want = num(c, "packets", 0);
      setImmediate(() => {
        const until = Date.now() + ms;
        while (Date.now() < until) {
          // busy on purpose
        }
        if (want > 0) drain = measureDrain(cap, want);
      });
      return {};
    }
    case "drainResult": {
      if (drain === null) throw new Error("drainResult: no block with packets ran");
      const result = await drain;
      drain = null;
      return result;
    }
    case "setFilter":
      needCapture().source.setFilter(str(c, "filter"));
      return {};
    case "stats":
      return { stats: needCapture().source.stats() };
    case "stop": {
      const cap = needCapture();
      cap.source.stop();
      cap.engine.finish();
      capture = null;
      const r = buildReport(cap.engine, cap.collector, {
        file: "live",
        format: "live",
        compressed: false,
        interfaces: [],
        damage: null,
        elapsedSeconds: 0,
        topN: 10,
      });
      return {
        stats: cap.source.stats(),
        report: {
          packets: r.packets,
          bytes: r.bytes,
          protocols: r.protocols,
          flow_count: r.flow_count,
          conn_states: r.conn_states,
          decode_errors: r.decode_errors,
          top_flows: r.top_flows,
        },
      };
    }
    case "injectOpen": {
      injector = loadPcapAddon().openLive(
        { device: str(c, "device"), snaplen: 64, bufferSize: 1 << 20, batchSize: 1 << 16 },
        () => {},
        () => {},
      );
      // This handle only sends: its own capture keeps nothing.
      injector.setFilter("less 1");
      return {};
    }
    case "inject": {
      if (injector === null) throw new Error("inject: no injector open");
      const mix = c.mix;
      if (typeof mix !== "object" || mix === null) throw new Error("inject: mix must be an object");
      const frames = mixFrames(mix as TrafficMix);
      let bytes = 0;
      for (const f of frames) bytes += injector.inject(f);
      return { frames: frames.length, bytes };
    }
    case "injectFlows": {
      // `count` UDP/IPv4 frames spread round-robin over `flows` flows (source address and
      // port vary; `dport` gives another set), for drain measurements with a realistic flow
      // table.
      if (injector === null) throw new Error("injectFlows: no injector open");
      const flows = num(c, "flows");
      const dport = typeof c.dport === "number" ? c.dport : null;
      const base = TRAFFIC_KINDS.udp4.frame;
      const frames: Uint8Array[] = [];
      for (let f = 0; f < flows; f++) {
        const frame = base.slice();
        frame[28] = 10 + ((f >>> 16) & 0xff); // IPv4 source, third and fourth bytes
        frame[29] = (f >>> 8) & 0xff;
        frame[34] = 0x80 | ((f >>> 8) & 0x7f); // UDP source port
        frame[35] = f & 0xff;
        if (dport !== null) {
          frame[36] = dport >>> 8; // UDP destination port (checksums are left as they are)
          frame[37] = dport & 0xff;
        }
        frames.push(frame);
      }
      // Bounded in count and in time (60 s); `seconds` gives the rate it reached.
      const count = num(c, "count");
      const start = process.hrtime.bigint();
      const deadline = start + 60_000_000_000n;
      let sent = 0;
      while (sent < count) {
        injector.inject(frames[sent % flows]);
        sent += 1;
        if ((sent & 0xfff) === 0 && process.hrtime.bigint() > deadline) break;
      }
      return { frames: sent, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
    }
    case "udpListen": {
      const port = num(c, "port");
      const echo = c.echo === true;
      const socket = createSocket("udp4");
      const entry = { socket, received: 0 };
      socket.on("message", (msg, from) => {
        entry.received += 1;
        if (echo) socket.send(msg, from.port, from.address);
      });
      await new Promise<void>((resolve) => socket.bind(port, str(c, "address"), resolve));
      sockets.set(port, entry);
      return {};
    }
    case "udpReceived": {
      const entry = sockets.get(num(c, "port"));
      return { received: entry?.received ?? 0 };
    }
    case "udpSend": {
      // Sends `count` datagrams one after another from `fromPort`, then waits for `replies`.
      const socket = createSocket("udp4");
      let replies = 0;
      socket.on("message", () => {
        replies += 1;
      });
      await new Promise<void>((resolve) =>
        socket.bind(num(c, "fromPort"), str(c, "from"), resolve),
      );
      const data = Buffer.alloc(num(c, "size"), 0x62);
      for (let i = 0; i < num(c, "count"); i++) {
        await new Promise<void>((resolve, reject) =>
          socket.send(data, num(c, "port"), str(c, "to"), (err) => (err ? reject(err) : resolve())),
        );
        // One at a time: each reply back before the next datagram keeps the order simple.
        const want = num(c, "replies", 0) > 0 ? i + 1 : 0;
        const deadline = Date.now() + 2000;
        while (replies < want && Date.now() < deadline) await sleep(1);
      }
      socket.close();
      return { replies };
    }
    case "exit": {
      if (capture !== null) capture.source.stop();
      capture = null;
      injector?.close();
      injector = null;
      for (const { socket } of sockets.values()) socket.close();
      sockets.clear();
      input.close();
      process.stdin.destroy();
      return {};
    }
    default:
      throw new Error(`unknown command ${c.op}`);
  }
}

const input = serveCommands(run);
