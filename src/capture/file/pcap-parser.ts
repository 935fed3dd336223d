import type { PacketSink } from "../../packet/packet-sink.js";
import { type CaptureDamage, MAX_RECORD_BYTES, MAX_RECORD_TEXT } from "./capture-file-errors.js";
import type { CaptureInterfaceInfo, FormatParser } from "./format-parser.js";
import {
  PCAP_FILE_HEADER_BYTES,
  PCAP_MAGIC_NS_BE,
  PCAP_MAGIC_NS_LE,
  PCAP_MAGIC_US_LE,
  PCAP_RECORD_HEADER_BYTES,
} from "./formats.js";

/**
 * Classic libpcap files (draft-ietf-opsawg-pcap): a 24-byte file header, then records of a
 * 16-byte header (seconds, fraction, captured length, original length) and the captured bytes.
 */

export class PcapParser implements FormatParser {
  readonly format = "pcap";
  readonly interfaces: CaptureInterfaceInfo[] = [];
  packets = 0;
  need = PCAP_FILE_HEADER_BYTES;
  damage: CaptureDamage | null = null;

  private headerSeen = false;
  private littleEndian = true;
  /** Fraction units per second: 1e6 or 1e9. */
  private fracPerSec = 1e6;
  /** Nanoseconds per fraction unit: 1000 or 1. */
  private nsPerFrac = 1000;
  private linktype = 0;

  constructor(private readonly sink: PacketSink) {}

  parse(buf: Uint8Array, dv: DataView, start: number, end: number, base: number): number {
    let p = start;
    if (!this.headerSeen) {
      if (end - p < PCAP_FILE_HEADER_BYTES) {
        this.need = PCAP_FILE_HEADER_BYTES;
        return p;
      }
      this.readFileHeader(dv, p);
      p += PCAP_FILE_HEADER_BYTES;
    }

    p = this.records(buf, dv, p, end);
    // The loop stopped at a record it could not deliver: the end of the chunk, a record that
    // continues in the next one, or a length that is damage.
    if (end - p >= PCAP_RECORD_HEADER_BYTES) {
      const caplen = dv.getUint32(p + 8, this.littleEndian);
      // caplen above the snaplen is tolerated: some writers (and snaplen 0 files) do it, and
      // the bytes are there. Only an absurd length is damage, because it cannot be buffered.
      if (caplen > MAX_RECORD_BYTES) {
        this.damage = {
          code: "bad_record_length",
          message: `pcap record at byte ${base + p} claims ${caplen} captured bytes (more than ${MAX_RECORD_TEXT}): the file is corrupt from here`,
          offset: base + p,
        };
        return p;
      }
      this.need = PCAP_RECORD_HEADER_BYTES + caplen;
      return p;
    }
    this.need = PCAP_RECORD_HEADER_BYTES;
    return p;
  }

  /**
   * The hot loop: delivers every whole record from `p` on and returns where it stopped. It
   * only reads numbers and calls the sink; everything that happens once per chunk (what the
   * parser needs next, damage) is left to `parse`, so that no code path the loop's optimized
   * code has never run is taken at each chunk's end (V8 would throw the loop's optimized code
   * away there, once per chunk, and resume it in the interpreter).
   */
  private records(buf: Uint8Array, dv: DataView, start: number, end: number): number {
    const sink = this.sink;
    const le = this.littleEndian;
    const fracPerSec = this.fracPerSec;
    const nsPerFrac = this.nsPerFrac;
    const linktype = this.linktype;
    let p = start;
    while (end - p >= PCAP_RECORD_HEADER_BYTES) {
      const caplen = dv.getUint32(p + 8, le);
      const next = p + PCAP_RECORD_HEADER_BYTES + caplen;
      if (caplen > MAX_RECORD_BYTES || next > end) break;
      let sec = dv.getUint32(p, le);
      let frac = dv.getUint32(p + 4, le);
      if (frac >= fracPerSec) {
        // Rare: a writer that did not carry the fraction into the seconds.
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      // origlen below caplen is passed through as written; the decoder only reads caplen bytes.
      sink.packet(
        buf,
        p + PCAP_RECORD_HEADER_BYTES,
        caplen,
        dv.getUint32(p + 12, le),
        sec,
        frac * nsPerFrac,
        linktype,
      );
      this.packets++;
      p = next;
    }
    return p;
  }

  truncated(offset: number, available: number): CaptureDamage {
    if (!this.headerSeen) {
      return {
        code: "truncated_header",
        message: `the pcap file ends after ${available} bytes, inside its 24-byte file header`,
        offset,
      };
    }
    const where =
      available < PCAP_RECORD_HEADER_BYTES
        ? `${available} of its 16 header bytes are present`
        : `${available} of its ${this.need} bytes are present`;
    return {
      code: "truncated_record",
      message: `the pcap file ends inside the record at byte ${offset} (${where})`,
      offset,
    };
  }

  private readFileHeader(dv: DataView, p: number): void {
    const magic = dv.getUint32(p, true);
    this.littleEndian = magic === PCAP_MAGIC_US_LE || magic === PCAP_MAGIC_NS_LE;
    const ns = magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_NS_BE;
    this.fracPerSec = ns ? 1e9 : 1e6;
    this.nsPerFrac = ns ? 1 : 1000;
    // Version (2.4), thiszone and sigfigs are not checked: every reader ignores them.
    const snaplen = dv.getUint32(p + 16, this.littleEndian);
    // The link type is the low 16 bits of the field; the upper bits carry the FCS length and
    // reserved bits, which readers must ignore (draft-ietf-opsawg-pcap, "LinkType and
    // additional information").
    this.linktype = dv.getUint32(p + 20, this.littleEndian) & 0xffff;
    this.interfaces.push({ linktype: this.linktype, snaplen, tsresol: ns ? 9 : 6, name: null });
    this.headerSeen = true;
  }
}
