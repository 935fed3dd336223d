/**
 * Addresses as text, for the edges (reports, the API, tests, filters); the packet path keeps
 * addresses as four big-endian 32-bit words and never calls these.
 */
import { L3_ARP, L3_IPV4, L3_IPV6 } from "./decoder.js";

/** An address as the decoder holds it: IPv4 in word 3 with words 0..2 zero. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly words: readonly [number, number, number, number];
}

/** Dotted-quad text of an IPv4 address held in one 32-bit word. */
export function formatIpv4(word: number): string {
  return `${(word >>> 24) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/**
 * Text of an address given as four words and a family (4 or 6, as `L3_IPV4`/`L3_IPV6`).
 * IPv6 follows RFC 5952: lower-case hex without leading zeros, the longest run of two or
 * more zero groups (the first on a tie) as "::", and IPv4-mapped addresses in dotted form
 * (section 5).
 */
export function formatAddress(
  w0: number,
  w1: number,
  w2: number,
  w3: number,
  family: number,
): string {
  if (family === 4) return formatIpv4(w3);
  const groups = [
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ];
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatIpv4(w3)}`;

  // Longest run of zero groups, at least two long (RFC 5952 section 4.2.2).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** The source address of a decoded record as text, or "" when it has no IP or ARP layer. */
export function formatSource(d: AddressRecord): string {
  return recordAddress(d.l3, d.src0, d.src1, d.src2, d.src3);
}

/** The destination address of a decoded record as text, or "" when it has none. */
export function formatDestination(d: AddressRecord): string {
  return recordAddress(d.l3, d.dst0, d.dst1, d.dst2, d.dst3);
}

/** The fields of a `Decoder` that the two helpers above read. */
export interface AddressRecord {
  readonly l3: number;
  readonly src0: number;
  readonly src1: number;
  readonly src2: number;
  readonly src3: number;
  readonly dst0: number;
  readonly dst1: number;
  readonly dst2: number;
  readonly dst3: number;
}

function recordAddress(l3: number, w0: number, w1: number, w2: number, w3: number): string {
  // ARP keeps its IPv4 sender and target addresses in word 3, as IPv4 does.
  if (l3 === L3_ARP || l3 === L3_IPV4) return formatIpv4(w3);
  if (l3 === L3_IPV6) return formatAddress(w0, w1, w2, w3, 6);
  return "";
}

const IPV4_PART = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses dotted IPv4 (no leading zeros, which some tools read as octal) into one word. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let word = 0;
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    word = word * 256 + Number(part);
  }
  return word;
}

/**
 * Parses IPv4 or IPv6 text (any valid IPv6 form: "::" compression, upper or lower case,
 * leading zeros, a trailing dotted IPv4) into the decoder's four words; undefined if invalid.
 * Zone identifiers ("%eth0") are not accepted.
 */
export function parseAddress(text: string): IpAddress | undefined {
  if (!text.includes(":")) {
    const w = parseIpv4(text);
    return w === undefined ? undefined : { family: 4, words: [0, 0, 0, w] };
  }
  const groups = parseIpv6Groups(text);
  if (groups === undefined) return undefined;
  const word = (i: number): number => ((groups[i] ?? 0) * 0x10000 + (groups[i + 1] ?? 0)) >>> 0;
  return { family: 6, words: [word(0), word(2), word(4), word(6)] };
}

function parseIpv6Groups(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parseSide = (side: string, allowV4: boolean): number[] | undefined => {
    if (side === "") return [];
    const out: number[] = [];
    const parts = side.split(":");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? "";
      if (allowV4 && i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP.test(part)) {
        out.push(Number.parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const all = parseSide(halves[0] ?? "", true);
    return all !== undefined && all.length === 8 ? all : undefined;
  }
  const head = parseSide(halves[0] ?? "", false);
  const tail = parseSide(halves[1] ?? "", true);
  if (head === undefined || tail === undefined) return undefined;
  // "::" stands for at least one zero group (RFC 4291 section 2.2).
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
