/**
 * The one interface between a packet source (a capture file reader, or the live addon's batch
 * loop) and the engine. Sources call `packet` once per captured frame with plain numbers and a
 * view into their own buffer, so nothing is allocated per packet.
 *
 * `buf[off .. off + caplen)` holds the captured bytes; it is only valid during the call (the
 * source reuses its buffer). `origlen` is the frame's length on the wire (pcap `orig_len`),
 * which is what every byte count of net-net adds up, as tshark's `frame.len` does.
 * `tsSec` is whole seconds since the Unix epoch and `tsNsec` the nanoseconds within it.
 * `linktype` is a LINKTYPE_ value (see link-types.ts).
 */
export interface PacketSink {
  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void;
}
