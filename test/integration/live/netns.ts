/**
 * Two network namespaces joined by a veth pair, for live-capture tests. Everything lives
 * inside namespaces this file creates: the addresses (10.99.1.0/24), the static neighbour
 * entries, the traffic. IPv6 is off on both ends and the neighbours are static, so the kernel
 * sends nothing of its own on the link: the only packets are the ones a test sends.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CAPTURE_IP, CAPTURE_MAC, SENDER_IP, SENDER_MAC } from "../../support/live-traffic.js";

export const CAPTURE_IF = "veth0";
export const SENDER_IF = "veth1";
const PREFIX = "nntest";

export interface NetnsPair {
  /** The capturing side (CAPTURE_IF, CAPTURE_IP, CAPTURE_MAC). */
  a: string;
  /** The sending side (SENDER_IF, SENDER_IP, SENDER_MAC). */
  b: string;
}

/** Why namespace tests cannot run here, or false when they can. */
export function netnsUnavailable(): string | false {
  if (process.getuid?.() !== 0) return "network namespaces need root (CI runs as root)";
  if (!existsSync("/usr/sbin/ip") && !existsSync("/sbin/ip") && !existsSync("/usr/bin/ip")) {
    return "iproute2 (ip) is not installed";
  }
  return false;
}

function ip(...args: string[]): string {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) {
    throw new Error(`ip ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`);
  }
  return r.stdout;
}

function inNs(ns: string, ...cmd: string[]): void {
  ip("netns", "exec", ns, ...cmd);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return err instanceof Error && "code" in err && err.code === "EPERM";
  }
}

/** Deletes namespaces left by earlier runs (of this prefix) whose process is gone. */
function removeStale(prefix: string): void {
  for (const line of ip("netns", "list").split("\n")) {
    const m = new RegExp(`^(${prefix}-(\\d+)-\\S+)`).exec(line);
    if (m !== null && !pidAlive(Number(m[2]))) spawnSync("ip", ["netns", "del", m[1]]);
  }
}

function linkReady(ns: string, dev: string): boolean {
  const r = spawnSync("ip", ["-n", ns, "-j", "link", "show", dev], { encoding: "utf8" });
  if (r.status !== 0) return false;
  const info: unknown = JSON.parse(r.stdout);
  if (!Array.isArray(info) || info.length !== 1) return false;
  const link: unknown = info[0];
  if (typeof link !== "object" || link === null) return false;
  const flags = "flags" in link && Array.isArray(link.flags) ? link.flags : [];
  const state = "operstate" in link ? link.operstate : "";
  return state === "UP" && flags.includes("LOWER_UP");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates the pair and waits until both ends have carrier. A fresh veth may still drop
 * frames for a second or so after that (its queueing discipline is attached late): callers
 * probe with a packet until one is seen.
 */
export async function createNetnsPair(tag: string, prefix = PREFIX): Promise<NetnsPair> {
  removeStale(prefix);
  const pair = { a: `${prefix}-${process.pid}-${tag}-a`, b: `${prefix}-${process.pid}-${tag}-b` };
  try {
    for (const ns of [pair.a, pair.b]) {
      ip("netns", "add", ns);
      // Before any interface exists in it: no IPv6 on them, so no router solicitations,
      // MLD reports or duplicate-address probes.
      inNs(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
      inNs(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
      ip("-n", ns, "link", "set", "lo", "up");
    }
    ip(
      "link",
      "add",
      CAPTURE_IF,
      "netns",
      pair.a,
      "address",
      CAPTURE_MAC,
      "type",
      "veth",
      "peer",
      "name",
      SENDER_IF,
      "netns",
      pair.b,
      "address",
      SENDER_MAC,
    );
    ip("-n", pair.a, "addr", "add", `${CAPTURE_IP}/24`, "brd", "+", "dev", CAPTURE_IF);
    ip("-n", pair.b, "addr", "add", `${SENDER_IP}/24`, "brd", "+", "dev", SENDER_IF);
    ip("-n", pair.a, "link", "set", CAPTURE_IF, "up");
    ip("-n", pair.b, "link", "set", SENDER_IF, "up");
    // Static neighbours: no ARP on the link.
    ip(
      "-n",
      pair.a,
      "neigh",
      "replace",
      SENDER_IP,
      "lladdr",
      SENDER_MAC,
      "dev",
      CAPTURE_IF,
      "nud",
      "permanent",
    );
    ip(
      "-n",
      pair.b,
      "neigh",
      "replace",
      CAPTURE_IP,
      "lladdr",
      CAPTURE_MAC,
      "dev",
      SENDER_IF,
      "nud",
      "permanent",
    );
    await waitLinks(pair, CAPTURE_IF, SENDER_IF);
    return pair;
  } catch (err: unknown) {
    destroyNetnsPair(pair);
    throw err;
  }
}

async function waitLinks(pair: NetnsPair, capture: string, sender: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(linkReady(pair.a, capture) && linkReady(pair.b, sender))) {
    if (Date.now() > deadline) throw new Error("the veth pair did not come up within 10 s");
    await sleep(50);
  }
}

/**
 * Another veth pair between the same namespaces (`capture` in a, `sender` in b), up, without
 * addresses: frames injected on it go to a MAC no interface has, so the kernel answers none.
 */
export async function addVethPair(pair: NetnsPair, capture: string, sender: string): Promise<void> {
  ip(
    "link",
    "add",
    capture,
    "netns",
    pair.a,
    "type",
    "veth",
    "peer",
    "name",
    sender,
    "netns",
    pair.b,
  );
  ip("-n", pair.a, "link", "set", capture, "up");
  ip("-n", pair.b, "link", "set", sender, "up");
  await waitLinks(pair, capture, sender);
}

/** Deletes both namespaces (and with them the veth pair); never throws. */
export function destroyNetnsPair(pair: NetnsPair): void {
  for (const ns of [pair.a, pair.b]) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
}

/** The names of this process's namespaces still present (for the cleanup assertion). */
export function ownNamespaces(prefix = PREFIX): string[] {
  return ip("netns", "list")
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter((n) => n.startsWith(`${prefix}-${process.pid}-`));
}
