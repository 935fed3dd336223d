import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pcapAddon, skipWithoutAddon } from "../../../test/support/pcap.js";
import {
  type CaptureInterface,
  defaultCaptureInterface,
  defaultRouteFromProcIpv6Route,
  defaultRouteFromProcRoute,
  defaultRouteInterface,
  listCaptureInterfaces,
  netmaskPrefix,
} from "./interfaces.js";

// Real /proc/net/route text (tabs, trailing spaces); the second table has two defaults.
const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
const ROUTE_TWO_DEFAULTS = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
eth1\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth1\t0000000A\t00000000\t0001\t0\t0\t100\t000000FF\t0\t0\t0
`;
// /proc/net/ipv6_route: the kernel's unreachable ::/0 on lo (flags 00200200, RTF_REJECT) and
// a real default through eth0.
const IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0
`;

function iface(name: string, fields: Partial<CaptureInterface> = {}): CaptureInterface {
  return {
    name,
    description: null,
    addresses: [],
    up: true,
    running: true,
    loopback: false,
    wireless: false,
    connection: "connected",
    default: false,
    ...fields,
  };
}

describe("default route", () => {
  test("the IPv4 default route's interface, lowest metric first", () => {
    assert.equal(defaultRouteFromProcRoute(ROUTE), "eth0");
    assert.equal(defaultRouteFromProcRoute(ROUTE_TWO_DEFAULTS), "eth1");
  });

  test("no default route gives null", () => {
    assert.equal(defaultRouteFromProcRoute(ROUTE.split("\n").slice(0, 1).join("\n")), null);
    assert.equal(defaultRouteFromProcRoute(""), null);
  });

  test("the IPv6 default skips the kernel's reject route on lo", () => {
    assert.equal(defaultRouteFromProcIpv6Route(IPV6_ROUTE), "eth0");
    assert.equal(defaultRouteFromProcIpv6Route(IPV6_ROUTE.split("\n")[1]), null);
  });

  test("reads /proc/net/route first, then ipv6_route", () => {
    const dir = mkdtempSync(join(tmpdir(), "netnet-route-"));
    try {
      writeFileSync(join(dir, "route"), ROUTE_TWO_DEFAULTS);
      writeFileSync(join(dir, "ipv6_route"), IPV6_ROUTE);
      assert.equal(defaultRouteInterface(dir), "eth1");
      writeFileSync(join(dir, "route"), ROUTE.split("\n")[0]);
      assert.equal(defaultRouteInterface(dir), "eth0");
      rmSync(join(dir, "ipv6_route"));
      assert.equal(defaultRouteInterface(dir), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the default capture interface: the routed one, else the first usable one", () => {
    const lo = iface("lo", { loopback: true, addresses: [] });
    const any = iface("any");
    const eth0 = iface("eth0", {
      addresses: [
        {
          family: 4,
          address: "10.0.0.2",
          netmask: "255.0.0.0",
          prefix: 8,
          broadcast: null,
          destination: null,
        },
      ],
    });
    const eth1 = { ...eth0, name: "eth1" };
    assert.equal(defaultCaptureInterface([lo, any, eth0, { ...eth1, default: true }]), "eth1");
    assert.equal(defaultCaptureInterface([lo, any, eth0, eth1]), "eth0");
    assert.equal(defaultCaptureInterface([lo, any, { ...eth0, running: false }]), null);
  });
});

describe("netmaskPrefix", () => {
  test("IPv4 and IPv6 masks", () => {
    assert.equal(netmaskPrefix("255.255.255.0"), 24);
    assert.equal(netmaskPrefix("255.0.0.0"), 8);
    assert.equal(netmaskPrefix("255.255.255.255"), 32);
    assert.equal(netmaskPrefix("0.0.0.0"), 0);
    assert.equal(netmaskPrefix("255.255.255.128"), 25);
    assert.equal(netmaskPrefix("ffff:ffff:ffff:ffff::"), 64);
    assert.equal(netmaskPrefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 128);
    assert.equal(netmaskPrefix("ffff:ff80::"), 25);
    assert.equal(netmaskPrefix("::"), 0);
  });

  test("a mask with a hole or bad text has no prefix", () => {
    assert.equal(netmaskPrefix("255.0.255.0"), null);
    assert.equal(netmaskPrefix("256.0.0.0"), null);
    assert.equal(netmaskPrefix("ffff::ffff"), null);
    assert.equal(netmaskPrefix("nonsense"), null);
  });
});

describe("listCaptureInterfaces", () => {
  test("decodes flags and addresses, marks the default", { skip: skipWithoutAddon }, () => {
    const list = listCaptureInterfaces(pcapAddon ?? undefined, "lo");
    const lo = list.find((i) => i.name === "lo");
    assert.ok(lo, "libpcap lists lo");
    assert.equal(lo.loopback, true);
    assert.equal(lo.up, true);
    assert.equal(lo.default, true);
    assert.deepEqual(
      lo.addresses.find((a) => a.family === 4),
      {
        family: 4,
        address: "127.0.0.1",
        netmask: "255.0.0.0",
        prefix: 8,
        broadcast: null,
        destination: null,
      },
    );
    assert.equal(list.filter((i) => i.default).length, 1);
    const any = list.find((i) => i.name === "any");
    assert.ok(any, "libpcap lists any");
    assert.equal(any.loopback, false);
    assert.equal(any.description, "Pseudo-device that captures on all interfaces");
  });
});
