import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileSink, PcapWriter } from "../src/capture/file/capture-writer.js";
import { LINKTYPE_ETHERNET } from "../src/packet/link-types.js";
import {
  FRAME_MAX,
  FrameBuilder,
  HEADER_LEN,
  KIND_TCP4,
  KIND_TCP6,
  KIND_UDP4,
  KIND_UDP6,
  TCP_ACK,
  TCP_PSH_ACK,
} from "./frame-builder.js";
import { hash32, mix32, Prng } from "./prng.js";

/**
 * Deterministic benchmark captures: N packets over exactly F distinct bidirectional flows.
 *
 * Bump GENERATOR_VERSION whenever the bytes a given spec produces change; cached files
 * whose metadata carries another version are regenerated.
 */
export const GENERATOR_VERSION = 3;

const BASE_SEED = 0x6e65746e; // "netn"

/** First packet time: a multiple of 300 s, so nfpcapd's 5-minute file slots hold it all. */
const START_SECONDS = 1_700_000_100;

/**
 * Host pools. Flow tuples take their host numbers from bits of a 32-bit bijection of the
 * flow index: 14 bits pick the inside host (16,384 of them, spread over four /16s), 10 bits
 * the outside host (1,024), and the top 8 bits go into the client port, so two flows
 * never share a tuple.
 */
const INSIDE_BITS = 14;
const OUTSIDE_BITS = 10;
const IID_SALT_INSIDE = 0x1d1d0001;
const IID_SALT_OUTSIDE = 0x1d1d0002;
const INSIDE_HOSTS = 1 << INSIDE_BITS;
const OUTSIDE_HOSTS = 1 << OUTSIDE_BITS;

export interface CaptureSpec {
  packets: number;
  flows: number;
}

/** What the generator wrote, stored beside the capture as `<name>.json`. */
export interface CaptureMeta {
  generator_version: number;
  file: string;
  packets: number;
  /** Distinct bidirectional 5-tuples (what `netnet replay` reports as `flow_count`). */
  flows: number;
  /** Distinct unidirectional 5-tuples (what NetFlow-style exporters count). */
  uni_flows: number;
  /** Distinct IP addresses. */
  hosts: number;
  /** Sum of frame lengths (pcap `origlen`). */
  bytes: number;
  file_bytes: number;
  tcp4_packets: number;
  udp4_packets: number;
  tcp6_packets: number;
  udp6_packets: number;
  first_ts: number;
  duration_seconds: number;
  seed: number;
  generated_in_seconds: number;
}

export function captureName(spec: CaptureSpec): string {
  return `replay-${spec.packets}p-${spec.flows}f`;
}

function isCaptureMeta(v: unknown): v is CaptureMeta {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.generator_version === "number" &&
    typeof o.packets === "number" &&
    typeof o.flows === "number" &&
    typeof o.file_bytes === "number"
  );
}

function readMeta(path: string): CaptureMeta | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isCaptureMeta(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the capture for `spec` in `dir`, generating it when it is missing, its metadata
 * is missing or from another generator version, or its size does not match.
 */
export function ensureCapture(
  dir: string,
  spec: CaptureSpec,
  log: (line: string) => void,
): CaptureMeta {
  mkdirSync(dir, { recursive: true });
  const name = captureName(spec);
  const pcapPath = join(dir, `${name}.pcap`);
  const metaPath = join(dir, `${name}.json`);
  const meta = readMeta(metaPath);
  if (
    meta !== undefined &&
    meta.generator_version === GENERATOR_VERSION &&
    meta.packets === spec.packets &&
    meta.flows === spec.flows &&
    existsSync(pcapPath) &&
    statSync(pcapPath).size === meta.file_bytes
  ) {
    return { ...meta, file: pcapPath };
  }
  log(`generating ${name}.pcap (${spec.packets} packets, ${spec.flows} flows)`);
  const fresh = generateCapture(`${pcapPath}.tmp`, spec);
  renameSync(`${pcapPath}.tmp`, pcapPath);
  const out = { ...fresh, file: pcapPath };
  writeFileSync(metaPath, `${JSON.stringify(out, null, 2)}\n`);
  log(
    `  wrote ${(out.file_bytes / 1e6).toFixed(0)} MB in ${out.generated_in_seconds.toFixed(1)} s` +
      ` (${out.hosts} hosts, ${out.uni_flows} unidirectional flows)`,
  );
  return out;
}

/**
 * Host number to IPv4 address, avoiding .0 and .255 in the last octet: inside hosts are
 * 10.1-4.1-17.1-250 (4,096 per /16), outside hosts 172.16.1-5.1-250.
 */
function ipv4Inside(n: number): number {
  const low = n & 0xfff;
  return (0x0a010000 + ((n >>> 12) << 16) + ((((low / 250) | 0) + 1) << 8) + (low % 250) + 1) >>> 0;
}

function ipv4Outside(n: number): number {
  return (0xac100000 + ((((n / 250) | 0) + 1) << 8) + (n % 250) + 1) >>> 0;
}

/** Server ports by weight, per transport. */
const TCP_SERVER_PORTS = [443, 443, 443, 443, 443, 443, 80, 80, 22, 8080, 993, 25] as const;
const UDP_SERVER_PORTS = [53, 53, 53, 53, 443, 443, 443, 443, 123, 5353] as const;

/** Writes the capture for `spec` to `path` and returns its metadata. */
export function generateCapture(path: string, spec: CaptureSpec): CaptureMeta {
  const { packets, flows } = spec;
  if (!(flows >= 1 && flows <= packets && packets <= 0xffffffff)) {
    throw new RangeError(`cannot put ${flows} flows into ${packets} packets`);
  }
  const started = process.hrtime.bigint();
  const seed = (BASE_SEED ^ Math.imul(packets, 0x01000193) ^ Math.imul(flows, 0x9e3779b1)) >>> 0;
  const rng = new Prng(seed);
  const fb = new FrameBuilder();
  const writer = new PcapWriter(new FileSink(path), {
    linktype: LINKTYPE_ETHERNET,
    snaplen: 65535,
  });

  // Which directions of each flow were seen (bit 0 outbound, bit 1 inbound), and which
  // hosts, for the metadata the tools are checked against.
  const dirs = new Uint8Array(flows);
  const inside4 = new Uint8Array(INSIDE_HOSTS);
  const outside4 = new Uint8Array(OUTSIDE_HOSTS);
  const inside6 = new Uint8Array(INSIDE_HOSTS);
  const outside6 = new Uint8Array(OUTSIDE_HOSTS);
  const kindPackets = [0, 0, 0, 0];

  let introduced = 0;
  let tNs = 0;
  let bytes = 0;
  for (let j = 0; j < packets; j++) {
    // New flows are spread evenly over the file: flow k first appears at a uniformly
    // random point, and by the last packet every flow has appeared. Packets of flows
    // already seen favour the older ones (r² skew), giving a few heavy hitters.
    const remaining = packets - j;
    const need = flows - introduced;
    let f: number;
    const fresh =
      need > 0 && (introduced === 0 || need >= remaining || rng.next() * remaining < need);
    if (fresh) {
      f = introduced++;
    } else {
      const r = rng.next();
      f = Math.floor(r * r * introduced);
    }

    const x = mix32(f, seed);
    const a = hash32(f, seed);
    const inside = x & (INSIDE_HOSTS - 1);
    const outside = (x >>> INSIDE_BITS) & (OUTSIDE_HOSTS - 1);
    const clientPort = 32768 + (((x >>> (INSIDE_BITS + OUTSIDE_BITS)) << 7) | (a >>> 25));
    const cls = a % 100;
    const kind = cls < 82 ? KIND_TCP4 : cls < 92 ? KIND_UDP4 : cls < 97 ? KIND_TCP6 : KIND_UDP6;
    const tcp = kind === KIND_TCP4 || kind === KIND_TCP6;
    const pick = (a >>> 8) & 0xff;
    const serverPort = tcp
      ? (TCP_SERVER_PORTS[pick % TCP_SERVER_PORTS.length] as number)
      : (UDP_SERVER_PORTS[pick % UDP_SERVER_PORTS.length] as number);

    // Either direction, including a flow's first packet: captures start mid-conversation,
    // and it keeps the frame-size mix the same in the file where every packet is a flow.
    const outbound = rng.next() < 0.5;
    const min = HEADER_LEN[kind] as number;
    let len: number;
    const r = rng.next();
    if (tcp) {
      if (outbound) {
        len = r < 0.7 ? min : rng.int(200, 600); // mostly ACKs, some requests
      } else {
        len = r < 0.2 ? min : r < 0.6 ? FRAME_MAX : rng.int(200, FRAME_MAX); // downloads
      }
    } else if (serverPort === 443) {
      len = r < 0.6 ? FRAME_MAX - 122 : rng.int(min + 20, 200); // QUIC: full-size or short
    } else {
      len = rng.int(min + 48, 300); // DNS, NTP, mDNS: at least a DNS header or an NTP packet
    }

    const v6 = kind === KIND_TCP6 || kind === KIND_UDP6;
    // IPv6 interface identifiers are random-looking, as SLAAC privacy addresses are (RFC
    // 8981); small sequential ones would pile every host into one bucket of tools that
    // hash the XOR of the address words (darkstat does). `mix32` keeps them distinct.
    const insideAddr = v6 ? mix32(inside, IID_SALT_INSIDE) : ipv4Inside(inside);
    const outsideAddr = v6 ? mix32(outside, IID_SALT_OUTSIDE) : ipv4Outside(outside);
    if (v6) {
      const insideHigh = hash32(inside, IID_SALT_INSIDE);
      const outsideHigh = hash32(outside, IID_SALT_OUTSIDE);
      fb.srcIidHigh = outbound ? insideHigh : outsideHigh;
      fb.dstIidHigh = outbound ? outsideHigh : insideHigh;
    }
    fb.kind = kind;
    fb.outbound = outbound;
    fb.srcAddr = outbound ? insideAddr : outsideAddr;
    fb.dstAddr = outbound ? outsideAddr : insideAddr;
    fb.srcPort = outbound ? clientPort : serverPort;
    fb.dstPort = outbound ? serverPort : clientPort;
    const tsMs = Math.floor(tNs / 1e6);
    if (tcp) {
      const clientSeq = a;
      const serverSeq = mix32(a, 0x2545f491);
      const step = (j * 1448) >>> 0;
      fb.seq = ((outbound ? clientSeq : serverSeq) + step) >>> 0;
      fb.ack = ((outbound ? serverSeq : clientSeq) + step) >>> 0;
      fb.tcpFlags = len > min ? TCP_PSH_ACK : TCP_ACK;
    }
    fb.ipId = j & 0xffff;
    fb.tsVal = (START_SECONDS * 1000 + tsMs) >>> 0;

    const frame = fb.build(len);
    writer.write(frame, START_SECONDS + Math.floor(tNs / 1e9), tNs % 1e9);

    bytes += len;
    kindPackets[kind] = (kindPackets[kind] as number) + 1;
    dirs[f] = (dirs[f] as number) | (outbound ? 1 : 2);
    if (v6) {
      inside6[inside] = 1;
      outside6[outside] = 1;
    } else {
      inside4[inside] = 1;
      outside4[outside] = 1;
    }
    // About 100k packets per second: 5-15 microseconds apart.
    tNs += 5000 + (rng.nextU32() % 10000);
  }
  writer.close();

  let uniFlows = 0;
  for (let f = 0; f < flows; f++) {
    const d = dirs[f] as number;
    uniFlows += (d & 1) + (d >>> 1);
  }
  let hosts = 0;
  for (const set of [inside4, outside4, inside6, outside6]) {
    for (let i = 0; i < set.length; i++) hosts += set[i] as number;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    generator_version: GENERATOR_VERSION,
    file: path,
    packets,
    flows,
    uni_flows: uniFlows,
    hosts,
    bytes,
    file_bytes: statSync(path).size,
    tcp4_packets: kindPackets[KIND_TCP4] as number,
    udp4_packets: kindPackets[KIND_UDP4] as number,
    tcp6_packets: kindPackets[KIND_TCP6] as number,
    udp6_packets: kindPackets[KIND_UDP6] as number,
    first_ts: START_SECONDS,
    duration_seconds: tNs / 1e9,
    seed,
    generated_in_seconds: elapsed,
  };
}
