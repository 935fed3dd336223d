/**
 * Whether a listen address reaches only this machine: 127.0.0.0/8, ::1 (in any spelling,
 * including the IPv4-mapped `::ffff:127.x.y.z`) or `localhost`.
 */
import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * True when `host` (as in `api.host`) is a loopback address or `localhost`. An empty host,
 * `0.0.0.0`, `::` and every other name or address count as exposed.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h === "localhost" || h === "localhost.") return true;
  const family = isIP(h);
  // BlockList matches IPv4-mapped IPv6 addresses against the IPv4 subnet too.
  if (family === 4) return LOOPBACK.check(h, "ipv4");
  if (family === 6) return LOOPBACK.check(h, "ipv6");
  return false;
}

/** The part of the `api` config that says where the API can be reached from. */
export interface ReachConfig {
  readonly host: string;
  /** Reverse proxies that forward to the API (`api.trusted_proxies`). */
  readonly trusted_proxies?: readonly string[];
}

/**
 * Why the API can be reached from beyond this machine, in words for the operator, or null
 * when it cannot. An API on loopback behind a reverse proxy is reached by whoever reaches the
 * proxy, so a configured proxy makes it as exposed as a public listen address.
 */
export function exposureReason(api: ReachConfig): string | null {
  if (!isLoopbackHost(api.host)) return `api.host ${JSON.stringify(api.host)} is not loopback`;
  if ((api.trusted_proxies ?? []).length > 0) {
    return "api.trusted_proxies is set: the API is reached through a proxy";
  }
  return null;
}
