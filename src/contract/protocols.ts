/**
 * Protocol names, the one table: how the daemon's JSON names an IP protocol number (a flow's
 * `protocol` field), which names a `proto` filter accepts (the flows API, the store's flow
 * search, the dashboard's menu), and the protocol classes of the traffic breakdown. Numbers
 * are IANA's "Assigned Internet Protocol Numbers".
 */

/** IP protocols known by name, with the contract's spelling. */
export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: "ICMP",
  6: "TCP",
  17: "UDP",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  132: "SCTP",
};

/** A protocol number as the contract's `protocol` field names it ("TCP", or "IP-N"). */
export function protocolName(proto: number): string {
  return IP_PROTOCOL_NAMES[proto] ?? `IP-${proto}`;
}

/** The names a `proto` filter accepts (any case), lower-case, in number order. */
export const PROTOCOL_FILTER_NAMES: readonly string[] = Object.values(IP_PROTOCOL_NAMES).map((n) =>
  n.toLowerCase(),
);

const NUMBER_BY_NAME: ReadonlyMap<string, number> = new Map(
  Object.entries(IP_PROTOCOL_NAMES).map(([n, name]) => [name.toLowerCase(), Number(n)]),
);

/** The number of a protocol name (any case), or undefined when the name is not known. */
export function protocolNumber(name: string): number | undefined {
  return NUMBER_BY_NAME.get(name.toLowerCase());
}

/** A word matched in any case by a regular expression without flags ("tcp" -> "[tT][cC][pP]"). */
const anyCase = (word: string): string =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join("");

/**
 * A `proto` filter in a query string, as one JSON-schema pattern: a protocol number of up to
 * three digits, or a name of PROTOCOL_FILTER_NAMES in any case.
 */
export const PROTOCOL_FILTER_PATTERN = `^([0-9]{1,3}|${PROTOCOL_FILTER_NAMES.map(anyCase).join("|")})$`;

/** Protocol classes of the traffic breakdown (`protocol_breakdown`), in report order. */
export const PROTOCOL_CLASSES = ["TCP", "UDP", "ICMP", "ICMPv6", "ARP", "OTHER"] as const;
export type ProtocolClass = (typeof PROTOCOL_CLASSES)[number];
