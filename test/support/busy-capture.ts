/**
 * A capture of many flows with frames that differ from one packet to the next (sizes,
 * addresses, ports, protocols), for tests that compare what two paths made of the same file
 * flow by flow: a frame overwritten before it is decoded lands in another flow or none.
 */
import { FileSink, PcapWriter } from "../../src/capture/file/capture-writer.js";
import { IPPROTO_TCP, IPPROTO_UDP } from "../../src/decode/protocols.js";
import type { FlowRecord } from "../../src/flows/flow-record.js";
import { LINKTYPE_ETHERNET } from "../../src/packet/link-types.js";
import * as F from "./frames.js";

export interface BusyCaptureOptions {
  packets: number;
  flows: number;
  /** Time from the first packet to the last, in seconds. */
  seconds: number;
  /** File time of the first packet (Unix seconds). */
  start?: number;
}

/**
 * Writes a nanosecond pcap of `packets` frames spread evenly over `seconds`: TCP and UDP flows
 * between 10.20.x.y hosts, each packet going either way, payloads of 40 to 1,240 bytes.
 */
export function writeBusyCapture(path: string, opts: BusyCaptureOptions): void {
  const w = new PcapWriter(new FileSink(path), { linktype: LINKTYPE_ETHERNET, nanosecond: true });
  const start = opts.start ?? 1_650_000_000;
  const stepNs = Math.floor((opts.seconds * 1e9) / Math.max(1, opts.packets - 1));
  for (let i = 0; i < opts.packets; i++) {
    const flow = (i * 7919) % opts.flows;
    const reply = (i >> 1) % 3 === 1;
    const client = `10.20.${(flow >> 7) & 0xff}.${(flow & 0x7f) + 1}`;
    const server = `10.21.0.${(flow % 50) + 1}`;
    const cport = 20_000 + flow;
    const sport = 80 + (flow % 7);
    const tcp = flow % 3 !== 0;
    const payload = new Uint8Array(40 + ((i * 613) % 1200)).fill(i & 0xff);
    const transport = tcp
      ? F.tcp(
          reply
            ? { sport, dport: cport, flags: "A", seq: i }
            : { sport: cport, dport: sport, flags: "PA", seq: i },
          payload,
        )
      : F.udp(reply ? { sport, dport: cport } : { sport: cport, dport: sport }, payload);
    const ip = F.ipv4(
      {
        src: reply ? server : client,
        dst: reply ? client : server,
        proto: tcp ? IPPROTO_TCP : IPPROTO_UDP,
        id: i & 0xffff,
      },
      transport,
    );
    const frame = F.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, ip);
    const ns = i * stepNs;
    w.write(frame, start + Math.floor(ns / 1e9), ns % 1e9);
  }
  w.close();
}

/** A flow as two runs can agree on: its 5-tuple and its counts in both directions. */
export function flowCounts(f: FlowRecord): string {
  return `${f.proto} ${f.src_ip}:${f.src_port} > ${f.dst_ip}:${f.dst_port} vlan ${f.vlan}: ${f.packets} pkts ${f.bytes} B, ${f.packets_rev} pkts ${f.bytes_rev} B back`;
}
