/**
 * `netnet replay --bpf EXPR` selects exactly the packets `tcpdump -r FILE EXPR` selects (both
 * use libpcap's compiler and interpreter), on every link type of the fixtures, and an invalid
 * filter fails with libpcap's own message and exit status 1.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { runReplay } from "../../src/cli/replay-command.js";
import { fixturePath, REPO_ROOT } from "../support/paths.js";
import { skipWithoutAddon } from "../support/pcap.js";

const BIN = `${REPO_ROOT}bin/netnet.js`;
const TCPDUMP = ["/usr/bin/tcpdump", "/usr/sbin/tcpdump"].find((p) => existsSync(p));

const FILES = [
  "mixed.pcap",
  "protocols.pcap",
  "vlan-qinq.pcap",
  "link-sll.pcap",
  "link-sll2.pcap",
  "link-raw101.pcap",
  "nanosecond.pcap",
  "fragments.pcap",
  "tcp-states.pcap",
  "ipv6-ext.pcap",
];
const FILTERS = [
  "udp",
  "tcp",
  "icmp or icmp6",
  "ip6",
  "arp",
  "vlan",
  "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
  "net 10.0.0.0/8",
  "port 53 or port 443",
  "greater 100",
];

/** What tcpdump says: the number of packets, or its error line. */
function tcpdump(file: string, filter: string): { packets: number } | { error: string } {
  const r = spawnSync(TCPDUMP ?? "tcpdump", ["-n", "-r", fixturePath(file), filter], {
    encoding: "utf8",
  });
  if (r.status !== 0) return { error: r.stderr.trim().split("\n").pop() ?? "" };
  return { packets: r.stdout.split("\n").filter((l) => l !== "").length };
}

function netnet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("netnet replay --bpf", { skip: skipWithoutAddon }, () => {
  test("selects the packets tcpdump selects, on every fixture", {
    skip: TCPDUMP === undefined ? "tcpdump is not installed" : false,
  }, async () => {
    let compared = 0;
    for (const file of FILES) {
      for (const filter of FILTERS) {
        const expected = tcpdump(file, filter);
        const where = `${file} "${filter}"`;
        if ("error" in expected) {
          await assert.rejects(
            runReplay(fixturePath(file), { json: true, top: 1, progress: false, bpf: filter }),
            (e: unknown) => {
              assert.ok(e instanceof Error && e.name === "LiveCaptureError", where);
              assert.ok(
                expected.error.includes(
                  e.message
                    .split(": ")
                    .slice(1)
                    .join(": ")
                    .replace(/ \(for link type .*\)$/, ""),
                ),
                `${where}: ${e.message} vs ${expected.error}`,
              );
              return true;
            },
          );
        } else {
          const { report, filter: f } = await runReplay(fixturePath(file), {
            json: true,
            top: 1,
            progress: false,
            bpf: filter,
          });
          assert.equal(report.packets, expected.packets, where);
          assert.equal(f?.matched, expected.packets, where);
          compared++;
        }
      }
    }
    assert.ok(compared >= 90, `${compared} file/filter pairs compared`);
  });

  test("prints what the filter kept, and the report counts only that", () => {
    const r = netnet("replay", fixturePath("mixed.pcap"), "--json", "--bpf", "udp");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `netnet replay: filter "udp" matched 12 of 477 packets\n`);
    const report = JSON.parse(r.stdout) as {
      packets: number;
      protocols: Record<string, { packets: number }>;
    };
    assert.equal(report.packets, 12);
    assert.equal(report.protocols.UDP.packets, 12);
    assert.equal(report.protocols.TCP.packets, 0);
  });

  test("an invalid filter gives libpcap's message and exit status 1", () => {
    const r = netnet("replay", fixturePath("mixed.pcap"), "--bpf", "udp por 53");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `netnet replay: invalid filter "udp por 53": can't parse filter expression: syntax error\n`,
    );
  });

  test("a filter the file's link type cannot take fails the same way", () => {
    const r = netnet("replay", fixturePath("link-raw101.pcap"), "--bpf", "ether broadcast");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^netnet replay: invalid filter "ether broadcast": .+ \(for link type RAW, met in the file\)\n$/,
    );
  });
});
