/**
 * A capture of many short flows, for tests of the daemon under load: each flow is one UDP
 * datagram from a source address and port of its own, so a replay at full speed ends flows
 * (and fills history's queue) as fast as the engine reads them. Written by patching one
 * template frame, so a million flows take about a second.
 */
import { FileSink, PcapWriter } from "../../src/capture/file/capture-writer.js";
import { LINKTYPE_ETHERNET } from "../../src/packet/link-types.js";
import { ethernet, ipv4, udp } from "./frames.js";

/** Where the addresses (Ethernet 14 + IPv4 12 and 16) and ports (14 + 20, 22) are. */
const SRC_IP_AT = 26;
const DST_IP_AT = 30;
const SRC_PORT_AT = 34;
const DST_PORT_AT = 36;
/** 2023-11-14T22:13:20Z. */
const START_SECONDS = 1_700_000_000;
const SERVER_PORTS = [53, 123, 443, 500, 4500, 5353, 1194, 51820];

/** A bijection of 24-bit numbers that scatters neighbours (odd multipliers and a xorshift). */
function scatter24(i: number): number {
  let x = Math.imul(i, 0x9e3779) & 0xffffff;
  x ^= x >>> 12;
  return Math.imul(x, 0x5bd1e9) & 0xffffff;
}

/**
 * Writes `flows` (at most 2^24) one-packet UDP flows to `path`, `perSecond` a second of
 * capture time. Each comes from an address of 10.0.0.0/8 of its own, from a random port, to
 * one of 64K servers on one of a few ports: the scattered keys real traffic gives history's
 * indexes (sequential keys would make the store look faster than it is).
 */
export function writeManyFlowsCapture(path: string, flows: number, perSecond = 10_000): void {
  const frame = ethernet(
    "02:00:00:00:00:02",
    "02:00:00:00:00:01",
    0x0800,
    ipv4(
      { src: "10.0.0.1", dst: "192.0.2.1", proto: 17 },
      udp({ sport: 1024, dport: 53 }, new Uint8Array(32)),
    ),
  );
  const writer = new PcapWriter(new FileSink(path), { linktype: LINKTYPE_ETHERNET });
  for (let i = 0; i < flows; i++) {
    const src = scatter24(i);
    const other = scatter24(src);
    frame[SRC_IP_AT + 1] = src >>> 16;
    frame[SRC_IP_AT + 2] = (src >>> 8) & 0xff;
    frame[SRC_IP_AT + 3] = src & 0xff;
    frame[DST_IP_AT] = 198;
    frame[DST_IP_AT + 1] = 18 + ((other >>> 16) & 1);
    frame[DST_IP_AT + 2] = (other >>> 8) & 0xff;
    frame[DST_IP_AT + 3] = other & 0xff;
    const sport = 1024 + (other & 0xefff);
    const dport = SERVER_PORTS[(other >>> 17) & 7] ?? 53;
    frame[SRC_PORT_AT] = sport >>> 8;
    frame[SRC_PORT_AT + 1] = sport & 0xff;
    frame[DST_PORT_AT] = dport >>> 8;
    frame[DST_PORT_AT + 1] = dport & 0xff;
    const t = i / perSecond;
    const sec = Math.floor(t);
    writer.write(frame, START_SECONDS + sec, Math.round((t - sec) * 1e9));
  }
  writer.close();
}
