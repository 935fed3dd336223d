import type { PacketSink } from "../../src/packet/packet-sink.js";

/**
 * Counts packets on their way to another sink (the engine), so a test or benchmark can wait
 * for a number; calls `onTarget` once when the count reaches `target`.
 */
export class CountingSink implements PacketSink {
  packets = 0;
  target = Number.POSITIVE_INFINITY;
  onTarget: () => void = () => {};
  constructor(private readonly inner: PacketSink) {}
  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    this.inner.packet(buf, off, caplen, origlen, tsSec, tsNsec, linktype);
    if (++this.packets === this.target) this.onTarget();
  }
}
