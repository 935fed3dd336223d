import type { PacketSink } from "../../packet/packet-sink.js";
import {
  type CaptureDamage,
  type CaptureDamageCode,
  MAX_BLOCK_BYTES,
  MAX_BLOCK_TEXT,
} from "./capture-file-errors.js";
import type { CaptureInterfaceInfo, FormatParser } from "./format-parser.js";
import {
  DEFAULT_TSRESOL,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  OPT_ENDOFOPT,
  PCAPNG_BOM_BE,
  PCAPNG_BOM_LE,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_OPB,
  PCAPNG_SHB,
  PCAPNG_SPB,
} from "./formats.js";

/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of blocks `[type][length][body][length]`.
 * Each Section Header Block starts a section with its own byte order and its own interface
 * list (interface ids restart at 0); packets come in Enhanced (EPB), Simple (SPB) or obsolete
 * Packet Blocks (OPB), and every other block type is skipped by its length.
 */

const BLOCK_MIN_BYTES = 12; // type, length, trailing length
const SHB_MIN_BYTES = 28; // + byte-order magic, version, section length
const IDB_MIN_BYTES = 20; // + link type, reserved, snaplen
const EPB_MIN_BYTES = 32; // + interface id, timestamp (2 words), caplen, origlen
const OPB_MIN_BYTES = 32; // + interface id (16 bits), drops (16 bits), timestamp, caplen, origlen
const SPB_MIN_BYTES = 16; // + original length

// How an interface's tick remainder becomes nanoseconds (see `timestamp`).
const MODE_SCALE = 0; // units per second divide 1e9 (10^0..10^9, 2^0..2^9): multiply
const MODE_MULDIV = 1; // other units up to 2^32 per second: exact multiply-divide in steps
const MODE_BIGINT = 2; // more than 2^32 units per second (sub-nanosecond): BigInt, allocates

const TWO_32 = 4294967296;

const nameDecoder = new TextDecoder("utf-8");

export class PcapngParser implements FormatParser {
  readonly format = "pcapng";
  readonly interfaces: CaptureInterfaceInfo[] = [];
  packets = 0;
  need = BLOCK_MIN_BYTES;
  damage: CaptureDamage | null = null;

  private littleEndian = true;

  // The current section's interfaces, as parallel arrays of numbers indexed by interface id,
  // so the packet loop reads plain array elements. `ifCount` is reset by every section.
  private ifCount = 0;
  private readonly ifLinktype: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifUnits: number[] = [];
  private readonly ifMode: number[] = [];
  private readonly ifScale: number[] = [];
  private readonly ifOffset: number[] = [];
  private readonly ifUnitsBig: bigint[] = [];

  // Scratch result of `timestamp`, and so also the last packet's time. Simple Packet Blocks
  // carry no timestamp and reuse it (0 before any timestamped packet): that keeps time
  // monotonic for the flow table, where 0 would look like a jump back to 1970.
  private tsSec = 0;
  private tsNsec = 0;

  constructor(private readonly sink: PacketSink) {}

  parse(buf: Uint8Array, dv: DataView, start: number, end: number, base: number): number {
    const p = this.blocks(buf, dv, start, end, base);
    if (this.damage !== null) return p;
    if (end - p >= BLOCK_MIN_BYTES) {
      // The block at p continues in the next chunk (`blocks` checked its length, in the byte
      // order it kept: a section header's own, read from its magic).
      this.need = dv.getUint32(p + 4, this.littleEndian);
    } else {
      this.need = BLOCK_MIN_BYTES;
    }
    return p;
  }

  /**
   * The hot loop: walks every whole block from `start` on and returns where it stopped (the
   * end of the chunk, a block that continues in the next one, or damage, which it records).
   * What the parser needs next is left to `parse`, so that no code path the loop's optimized
   * code has never run is taken at each chunk's end (V8 would throw the loop's optimized code
   * away there, once per chunk, and resume it in the interpreter).
   */
  private blocks(buf: Uint8Array, dv: DataView, start: number, end: number, base: number): number {
    const sink = this.sink;
    let le = this.littleEndian;
    let p = start;
    while (end - p >= BLOCK_MIN_BYTES) {
      const type = dv.getUint32(p, le);
      if (type === PCAPNG_SHB) {
        // A section's byte order is known only from the magic after the (palindromic) block
        // type and the length, and each section may have its own.
        const bom = dv.getUint32(p + 8, true);
        if (bom === PCAPNG_BOM_LE) le = true;
        else if (bom === PCAPNG_BOM_BE) le = false;
        else {
          const hex = bom.toString(16).padStart(8, "0");
          return this.fail(
            "bad_byte_order_magic",
            `pcapng section header at byte ${base + p} has byte-order magic 0x${hex} instead of 0x1a2b3c4d: the file is corrupt from here`,
            base + p,
            p,
          );
        }
        // Kept at once (the store runs in the first chunk, so the loop's optimized code has
        // it): the blocks after it, and a section header cut by the chunk's end, need it.
        this.littleEndian = le;
      }
      const len = dv.getUint32(p + 4, le);
      if (len < BLOCK_MIN_BYTES || (len & 3) !== 0 || len > MAX_BLOCK_BYTES) {
        const why =
          len > MAX_BLOCK_BYTES
            ? `more than ${MAX_BLOCK_TEXT}`
            : len < BLOCK_MIN_BYTES
              ? "less than the 12-byte minimum"
              : "not a multiple of 4";
        return this.fail(
          "bad_block_length",
          `pcapng block at byte ${base + p} claims a length of ${len} bytes (${why}): the file is corrupt from here`,
          base + p,
          p,
        );
      }
      // The block continues in the next chunk.
      if (len > end - p) break;
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        return this.fail(
          "bad_block_length",
          `pcapng block at byte ${base + p} says it is ${len} bytes long but ends with the length ${trailer}: the file is corrupt from here`,
          base + p,
          p,
        );
      }

      // Fast path first: in practice nearly every block is an Enhanced Packet Block.
      if (type === PCAPNG_EPB) {
        if (len < EPB_MIN_BYTES) return this.tooShort("enhanced packet", len, base, p);
        const ifId = dv.getUint32(p + 8, le);
        if (ifId >= this.ifCount) return this.badInterface(ifId, base, p);
        const caplen = dv.getUint32(p + 20, le);
        if (caplen > len - EPB_MIN_BYTES) return this.badCaplen(caplen, len, base, p);
        this.timestamp(ifId, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
        sink.packet(
          buf,
          p + 28,
          caplen,
          dv.getUint32(p + 24, le),
          this.tsSec,
          this.tsNsec,
          this.ifLinktype[ifId],
        );
        this.packets++;
      } else if (type === PCAPNG_SPB) {
        if (len < SPB_MIN_BYTES) return this.tooShort("simple packet", len, base, p);
        if (this.ifCount === 0) return this.badInterface(0, base, p);
        const origlen = dv.getUint32(p + 8, le);
        // The captured length is implied: the original length, cut to interface 0's snaplen
        // and to the bytes the block holds (which may include up to 3 bytes of padding).
        let caplen = len - SPB_MIN_BYTES;
        if (origlen < caplen) caplen = origlen;
        const snaplen = this.ifSnaplen[0];
        if (snaplen !== 0 && snaplen < caplen) caplen = snaplen;
        sink.packet(buf, p + 12, caplen, origlen, this.tsSec, this.tsNsec, this.ifLinktype[0]);
        this.packets++;
      } else if (type === PCAPNG_IDB) {
        if (!this.addInterface(buf, dv, p, len, le, base)) return p;
      } else if (type === PCAPNG_SHB) {
        if (len < SHB_MIN_BYTES) return this.tooShort("section header", len, base, p);
        const major = dv.getUint16(p + 12, le);
        if (major !== 1) {
          const minor = dv.getUint16(p + 14, le);
          return this.fail(
            "unsupported_version",
            `pcapng section at byte ${base + p} is version ${major}.${minor}, and only version 1 sections can be read`,
            base + p,
            p,
          );
        }
        this.ifCount = 0;
      } else if (type === PCAPNG_OPB) {
        if (len < OPB_MIN_BYTES) return this.tooShort("packet", len, base, p);
        const ifId = dv.getUint16(p + 8, le);
        if (ifId >= this.ifCount) return this.badInterface(ifId, base, p);
        const caplen = dv.getUint32(p + 20, le);
        if (caplen > len - OPB_MIN_BYTES) return this.badCaplen(caplen, len, base, p);
        this.timestamp(ifId, dv.getUint32(p + 12, le), dv.getUint32(p + 16, le));
        sink.packet(
          buf,
          p + 28,
          caplen,
          dv.getUint32(p + 24, le),
          this.tsSec,
          this.tsNsec,
          this.ifLinktype[ifId],
        );
        this.packets++;
      }
      // Every other block (name resolution, statistics, decryption secrets, custom, unknown)
      // is skipped by its length.
      p += len;
    }
    return p;
  }

  truncated(offset: number, available: number): CaptureDamage {
    const where =
      available < BLOCK_MIN_BYTES
        ? `${available} of its 12 header bytes are present`
        : `${available} of its ${this.need} bytes are present`;
    return {
      code: "truncated_block",
      message: `the pcapng file ends inside the block at byte ${offset} (${where})`,
      offset,
    };
  }

  /**
   * Converts a 64-bit tick count of interface `i` into `tsSec`/`tsNsec` (scratch fields, so
   * nothing is allocated), exactly: floor(ticks / units) seconds, and the remainder truncated
   * to whole nanoseconds. BigInt is used only for sub-nanosecond resolutions.
   */
  private timestamp(i: number, hi: number, lo: number): void {
    const units = this.ifUnits[i];
    const mode = this.ifMode[i];
    if (mode === MODE_BIGINT) {
      this.timestampBig(i, hi, lo);
      return;
    }
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // Fast path: the count is below 2^53, so it and floor(count / units) are exact doubles.
      // Microsecond counts stay below 2^53 until the year 2255.
      const t = hi * TWO_32 + lo;
      sec = Math.floor(t / units);
      rem = t - sec * units;
    } else {
      // Nanosecond counts are above 2^53: long division by units (at most 2^32) in steps of
      // 32, 16 and 16 bits, so every dividend stays below 2^48 and every quotient is exact.
      const qHi = Math.floor(hi / units);
      let x = (hi - qHi * units) * 65536 + (lo >>> 16);
      const qMid = Math.floor(x / units);
      x = (x - qMid * units) * 65536 + (lo & 0xffff);
      const qLo = Math.floor(x / units);
      rem = x - qLo * units;
      sec = qHi * TWO_32 + qMid * 65536 + qLo;
    }
    if (mode === MODE_SCALE) {
      this.tsNsec = rem * this.ifScale[i];
    } else {
      // floor(rem * 1e9 / units) in three steps of 1000, keeping products below 2^42.
      let t = rem * 1000;
      let q = Math.floor(t / units);
      let ns = q * 1_000_000;
      t = (t - q * units) * 1000;
      q = Math.floor(t / units);
      ns += q * 1000;
      t = (t - q * units) * 1000;
      this.tsNsec = ns + Math.floor(t / units);
    }
    this.tsSec = sec + this.ifOffset[i];
  }

  /** Sub-nanosecond resolutions (more than 2^32 units per second): rare, so BigInt is fine. */
  private timestampBig(i: number, hi: number, lo: number): void {
    const units = this.ifUnitsBig[i];
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    this.tsSec = Number(t / units) + this.ifOffset[i];
    this.tsNsec = Number(((t % units) * 1_000_000_000n) / units);
  }

  /** Reads an Interface Description Block; false (with `damage` set) if it is malformed. */
  private addInterface(
    buf: Uint8Array,
    dv: DataView,
    p: number,
    len: number,
    le: boolean,
    base: number,
  ): boolean {
    if (len < IDB_MIN_BYTES) {
      this.tooShort("interface description", len, base, p);
      return false;
    }
    const linktype = dv.getUint16(p + 8, le);
    const snaplen = dv.getUint32(p + 12, le);
    let tsresol = DEFAULT_TSRESOL;
    let offset = 0;
    let name: string | null = null;
    const optEnd = p + len - 4;
    let o = p + 16;
    while (optEnd - o >= 4) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      if (code === OPT_ENDOFOPT) break;
      const v = o + 4;
      if (olen > optEnd - v) {
        return this.badOption(
          `option ${code} at byte ${base + o} runs past the end of the block`,
          base,
          p,
        );
      }
      if (code === IF_NAME) {
        name = nameDecoder.decode(buf.subarray(v, v + olen)).replace(/\0+$/, "");
      } else if (code === IF_TSRESOL) {
        if (olen !== 1)
          return this.badOption(`if_tsresol option is ${olen} bytes long instead of 1`, base, p);
        tsresol = buf[v];
      } else if (code === IF_TSOFFSET) {
        if (olen !== 8)
          return this.badOption(`if_tsoffset option is ${olen} bytes long instead of 8`, base, p);
        // A signed 64-bit count of seconds; any real offset is far below 2^53.
        offset = le
          ? dv.getInt32(v + 4, true) * TWO_32 + dv.getUint32(v, true)
          : dv.getInt32(v, false) * TWO_32 + dv.getUint32(v + 4, false);
      }
      o = v + olen + ((4 - (olen & 3)) & 3); // option values are padded to 32 bits
    }

    const exponent = tsresol & 0x7f;
    const units = tsresol & 0x80 ? 2 ** exponent : 10 ** exponent;
    const id = this.ifCount++;
    this.ifLinktype[id] = linktype;
    this.ifSnaplen[id] = snaplen;
    this.ifUnits[id] = units;
    this.ifOffset[id] = offset;
    if (units <= 1e9 && 1e9 % units === 0) {
      this.ifMode[id] = MODE_SCALE;
      this.ifScale[id] = 1e9 / units;
      this.ifUnitsBig[id] = 0n;
    } else if (units <= TWO_32) {
      this.ifMode[id] = MODE_MULDIV;
      this.ifScale[id] = 0;
      this.ifUnitsBig[id] = 0n;
    } else {
      this.ifMode[id] = MODE_BIGINT;
      this.ifScale[id] = 0;
      this.ifUnitsBig[id] = tsresol & 0x80 ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
    }
    this.interfaces.push({ linktype, snaplen, tsresol, name });
    return true;
  }

  private fail(code: CaptureDamageCode, message: string, offset: number, p: number): number {
    this.damage = { code, message, offset };
    return p;
  }

  private tooShort(kind: string, len: number, base: number, p: number): number {
    return this.fail(
      "bad_block_length",
      `pcapng ${kind} block at byte ${base + p} is only ${len} bytes long, too short for its fields: the file is corrupt from here`,
      base + p,
      p,
    );
  }

  private badInterface(ifId: number, base: number, p: number): number {
    return this.fail(
      "bad_interface_id",
      `pcapng packet block at byte ${base + p} refers to interface ${ifId}, but its section describes ${this.ifCount === 0 ? "no interfaces" : `only ${this.ifCount}`}: the file is corrupt from here`,
      base + p,
      p,
    );
  }

  private badCaplen(caplen: number, len: number, base: number, p: number): number {
    return this.fail(
      "bad_packet_length",
      `pcapng packet block at byte ${base + p} claims ${caplen} captured bytes but is only ${len} bytes long: the file is corrupt from here`,
      base + p,
      p,
    );
  }

  private badOption(what: string, base: number, p: number): false {
    this.fail(
      "bad_option",
      `pcapng interface description block at byte ${base + p}: ${what}, so the file is corrupt from here`,
      base + p,
      p,
    );
    return false;
  }
}
