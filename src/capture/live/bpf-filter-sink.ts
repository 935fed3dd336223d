/**
 * A BPF filter in front of any PacketSink, for capture files (`netnet replay --bpf EXPR`):
 * libpcap compiles the expression once per link type met in the file (pcapng files may mix
 * them) and its interpreter (pcap_offline_filter) decides each packet, so a file replay
 * selects exactly what tcpdump -r FILE EXPR selects.
 *
 * Per packet this costs one call into the addon with three numbers (the buffer is handed over
 * once per buffer, not per packet); docs/capture.md gives the measured cost.
 */

import { LINKTYPE_ETHERNET, linkTypeName } from "../../packet/link-types.js";
import type { PacketSink } from "../../packet/packet-sink.js";
import { LiveCaptureError, pcapCall } from "./live-errors.js";
import type { NativeBpfProgram, PcapAddon } from "./pcap-addon.js";

/** The snaplen filters are compiled for: the largest any tool uses. */
const FILTER_SNAPLEN = 262144;

export class BpfFilterSink implements PacketSink {
  /** Packets that matched and went on to the inner sink. */
  matched = 0;
  /** Packets the filter rejected. */
  rejected = 0;

  private readonly programs = new Map<number, NativeBpfProgram>();
  private program: NativeBpfProgram | null = null;
  private programLinktype = -1;
  private programBuffer: Uint8Array | null = null;

  /**
   * Compiles the expression for Ethernet at once, so a syntax error is reported before any
   * file is read (LiveCaptureError ERR_PCAP_FILTER with libpcap's message).
   */
  constructor(
    private readonly addon: PcapAddon,
    readonly expression: string,
    private readonly inner: PacketSink,
  ) {
    this.compile(LINKTYPE_ETHERNET);
  }

  packet(
    buf: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    linktype: number,
  ): void {
    let program = this.program;
    if (linktype !== this.programLinktype || program === null) {
      program = this.compile(linktype);
      this.program = program;
      this.programLinktype = linktype;
      this.programBuffer = null;
    }
    // Fast path: the reader hands the same buffer for a whole chunk of packets.
    if (buf !== this.programBuffer) {
      program.setBuffer(buf);
      this.programBuffer = buf;
    }
    if (program.matchAt(off, caplen, origlen)) {
      this.matched += 1;
      this.inner.packet(buf, off, caplen, origlen, tsSec, tsNsec, linktype);
    } else {
      this.rejected += 1;
    }
  }

  private compile(linktype: number): NativeBpfProgram {
    const known = this.programs.get(linktype);
    if (known !== undefined) return known;
    let program: NativeBpfProgram;
    try {
      program = pcapCall(() => this.addon.compileFilter(this.expression, linktype, FILTER_SNAPLEN));
    } catch (err: unknown) {
      // A filter can be valid for Ethernet and not for another link type ("ether host" on
      // raw IP): say which one, since the file named none.
      if (err instanceof LiveCaptureError && linktype !== LINKTYPE_ETHERNET) {
        throw new LiveCaptureError(
          err.code,
          `${err.message} (for link type ${linkTypeName(linktype)}, met in the file)`,
          { cause: err },
        );
      }
      throw err;
    }
    this.programs.set(linktype, program);
    return program;
  }
}
