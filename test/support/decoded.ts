/**
 * Helpers for asserting on the Decoder's record: a plain-object copy of every per-packet
 * field, and the values those fields hold when nothing was decoded.
 */
import { parseAddress } from "../../src/decode/address.js";
import { Decoder } from "../../src/decode/decoder.js";

/** Every per-packet field of the Decoder, in declaration order. */
export const RECORD_FIELDS = [
  "status",
  "l3",
  "ethertype",
  "vlan",
  "innerVlan",
  "vlanDepth",
  "pktType",
  "src0",
  "src1",
  "src2",
  "src3",
  "dst0",
  "dst1",
  "dst2",
  "dst3",
  "proto",
  "ttl",
  "ipId",
  "isFragment",
  "fragOffset",
  "moreFragments",
  "ipPayloadLen",
  "l3Offset",
  "l4Offset",
  "hasPorts",
  "sport",
  "dport",
  "tcpFlags",
  "tcpSeq",
  "tcpAck",
  "tcpWindow",
  "tcpHeaderLen",
  "icmpType",
  "icmpCode",
  "icmpId",
  "l4PayloadLen",
  "arpOp",
  "arpSpa",
  "arpTpa",
  "encapDepth",
  "tunnelDepth",
  "tunnelType",
] as const satisfies readonly (keyof Decoder)[];

/** The outermost tunnel's fields: valid only while `tunnelDepth` > 0 (not reset per packet). */
export const TUNNEL_FIELDS = [
  "tunnelFamily",
  "tunnelSrc0",
  "tunnelSrc1",
  "tunnelSrc2",
  "tunnelSrc3",
  "tunnelDst0",
  "tunnelDst1",
  "tunnelDst2",
  "tunnelDst3",
  "tunnelProto",
  "tunnelSport",
  "tunnelDport",
  "tunnelPayloadLen",
] as const satisfies readonly (keyof Decoder)[];

export type TunnelFieldName = (typeof TUNNEL_FIELDS)[number];
export type TunnelRecord = Record<TunnelFieldName, number>;

/** A copy of the decoder's tunnel fields. */
export function tunnelRecord(d: Decoder): TunnelRecord {
  const out = {} as TunnelRecord;
  for (const k of TUNNEL_FIELDS) out[k] = d[k];
  return out;
}

export type FieldName = (typeof RECORD_FIELDS)[number];
export type DecodedRecord = Record<FieldName, number>;

/** A copy of the decoder's per-packet fields. */
export function record(d: Decoder): DecodedRecord {
  const out = {} as DecodedRecord;
  for (const k of RECORD_FIELDS) out[k] = d[k];
  return out;
}

/** The record after decoding nothing (status aside): what every field resets to. */
export const BLANK: DecodedRecord = (() => {
  const d = new Decoder(1);
  d.decode(new Uint8Array(0), 0, 0, 1, 0);
  return { ...record(d), status: 0 };
})();

/** Decodes one whole frame with a fresh (or the given) decoder and returns the decoder. */
export function decodeFrame(
  frame: Uint8Array,
  linktype = 1,
  tsSec = 0,
  d: Decoder = new Decoder(),
): Decoder {
  d.decode(frame, 0, frame.length, linktype, tsSec);
  return d;
}

/** BLANK with the given fields changed: the exact record a test expects. */
export function expected(fields: Partial<DecodedRecord>): DecodedRecord {
  return { ...BLANK, ...fields };
}

function words(text: string): readonly [number, number, number, number] {
  const a = parseAddress(text);
  if (a === undefined) throw new Error(`bad address ${text}`);
  return a.words;
}

/** The source-address fields for an address in text (IPv4 in word 3). */
export function srcAddr(text: string): Pick<DecodedRecord, "src0" | "src1" | "src2" | "src3"> {
  const [src0, src1, src2, src3] = words(text);
  return { src0, src1, src2, src3 };
}

/** The destination-address fields for an address in text. */
export function dstAddr(text: string): Pick<DecodedRecord, "dst0" | "dst1" | "dst2" | "dst3"> {
  const [dst0, dst1, dst2, dst3] = words(text);
  return { dst0, dst1, dst2, dst3 };
}

/** Both address groups at once. */
export function addrs(src: string, dst: string): Partial<DecodedRecord> {
  return { ...srcAddr(src), ...dstAddr(dst) };
}

/** An IPv4 address as the decoder keeps it: one unsigned 32-bit word. */
export function v4(text: string): number {
  return srcAddr(text).src3;
}
