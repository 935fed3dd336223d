/**
 * `netnet replay` as a user runs it: the real process, its stdout, stderr and exit status.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fixturePath, REPO_ROOT } from "../support/paths.js";

const BIN = `${REPO_ROOT}bin/netnet.js`;

function netnet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("netnet replay", () => {
  const dir = mkdtempSync(join(tmpdir(), "netnet-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--json prints one object with every documented field", () => {
    const r = netnet("replay", fixturePath("tcp-states.pcap"), "--json", "--top", "3");
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const field of [
      "packets",
      "bytes",
      "first_ts",
      "last_ts",
      "protocols",
      "packet_sizes",
      "flow_count",
      "top_flows",
      "top_sources",
      "top_destinations",
      "ports",
      "decode_errors",
      "unsupported_link_types",
      "elapsed_seconds",
    ]) {
      assert.ok(field in report, `field ${field}`);
    }
    assert.equal(report.packets, 35);
    assert.equal(report.bytes, 2374);
    assert.equal(report.flow_count, 8);
    assert.equal((report.top_flows as unknown[]).length, 3);
    assert.deepEqual(report.conn_states, {
      SF: 1,
      S0: 1,
      REJ: 1,
      S1: 1,
      RSTO: 1,
      RSTR: 1,
      SH: 1,
      OTH: 1,
    });
    assert.equal(report.first_ts, 1700000000.001);
    assert.equal(r.stderr, "", "no progress bar when stderr is not a terminal");
  });

  test("--flows-out writes one JSON line per flow with the documented fields", () => {
    const out = join(dir, "flows.jsonl");
    const r = netnet("replay", fixturePath("tcp-states.pcap"), "--json", "--flows-out", out);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines.length, 8);
    const sf = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((f) => f.conn_state === "SF");
    assert.ok(sf);
    assert.deepEqual(Object.keys(sf).sort(), [
      "bytes",
      "bytes_rev",
      "conn_state",
      "dst_ip",
      "dst_port",
      "end_reason",
      "first_ts",
      "inner_vlan",
      "last_ts",
      "packets",
      "packets_rev",
      "proto",
      "src_ip",
      "src_port",
      "tcp_flags",
      "tunnel",
      "vlan",
    ]);
    assert.equal(sf.tunnel, null);
    assert.equal(sf.proto, 6);
    assert.equal(sf.src_ip, "192.168.50.10");
    assert.equal(sf.dst_port, 80);
    assert.equal((sf.packets as number) + (sf.packets_rev as number), 10);
  });

  test("the readable report names the file, totals and connection states", () => {
    const r = netnet("replay", fixturePath("tcp-states.pcap.gz"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /tcp-states\.pcap\.gz {2}\(pcap, gzip; ETHERNET\)/);
    assert.match(r.stdout, /packets +35\n/);
    assert.match(r.stdout, /Connection states: .*SF 1/);
  });

  test("a truncated file: packets before the damage are reported, exit status 2", () => {
    const r = netnet("replay", fixturePath("truncated.pcap"), "--json");
    assert.equal(r.code, 2);
    const report = JSON.parse(r.stdout) as {
      packets: number;
      damage: { code: string; offset: number };
    };
    assert.equal(report.packets, 4);
    assert.equal(report.damage.code, "truncated_record");
    assert.match(r.stderr, /damaged at byte \d+/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  test("a missing file, a non-capture and a bad option each give one clear line, exit 1", () => {
    const missing = netnet("replay", join(dir, "nope.pcap"));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^netnet replay: .*nope\.pcap/);
    const text = join(dir, "notes.txt");
    writeFileSync(text, "hello, this is not a capture\n");
    const notCapture = netnet("replay", text);
    assert.equal(notCapture.code, 1);
    assert.match(notCapture.stderr, /not a pcap or pcapng capture/);
    const badTop = netnet("replay", fixturePath("tcp-states.pcap"), "--top", "-3");
    assert.equal(badTop.code, 1);
    assert.match(badTop.stderr, /--top/);
    const unwritable = netnet(
      "replay",
      fixturePath("tcp-states.pcap"),
      "--flows-out",
      join(dir, "no/such/dir.jsonl"),
    );
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /^netnet: .*no such file or directory/i);
    for (const r of [missing, notCapture, badTop, unwritable])
      assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test("a bad config names the key and the value", () => {
    const cfg = join(dir, "bad.yaml");
    writeFileSync(cfg, "tracking:\n  idle_timeout: -1\n");
    const r = netnet("replay", fixturePath("tcp-states.pcap"), "--config", cfg);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tracking\.idle_timeout.*-1/);
  });

  test("tracking.idle_timeout from the config ends idle flows in packet time", () => {
    const cfg = join(dir, "short.yaml");
    writeFileSync(cfg, "tracking:\n  idle_timeout: 1\n  cleanup_interval: 1\n");
    const r = netnet("replay", fixturePath("mixed.pcap"), "--json", "--config", cfg);
    assert.equal(r.code, 0, r.stderr);
    const short = JSON.parse(r.stdout) as { flows_expired: number; flow_count: number };
    const d = JSON.parse(netnet("replay", fixturePath("mixed.pcap"), "--json").stdout) as {
      flows_expired: number;
      flow_count: number;
    };
    assert.equal(d.flows_expired, 0, "the default 300 s outlasts this 60 s capture");
    assert.ok(short.flows_expired > 0, "a 1 s timeout expires flows along the way");
  });

  test("a progress bar is drawn on a terminal and cleared before the report", () => {
    // script(1) gives the command a pseudo-terminal, as a user's shell would.
    const run = (extra: string) =>
      spawnSync(
        "script",
        [
          "-qec",
          `${process.execPath} ${BIN} replay ${fixturePath("mixed.pcap")} --top 1 ${extra}`,
          "/dev/null",
        ],
        { encoding: "utf8" },
      );
    const tty = run("");
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, /\[#{30}\] 100% {2}477 packets {2}\S+ pps/);
    assert.ok(tty.stdout.includes("\r\x1b[2K"), "the bar is erased");
    assert.match(tty.stdout, /packets +477/);
    const quiet = run("--no-progress");
    assert.equal(quiet.status, 0);
    assert.doesNotMatch(quiet.stdout, /\[#+/);
  });

  test("--help describes every option of replay", () => {
    const r = netnet("replay", "--help");
    assert.equal(r.code, 0);
    for (const opt of ["--json", "--top", "--flows-out", "--config", "--no-progress"]) {
      assert.match(r.stdout, new RegExp(opt));
    }
    const top = netnet("--help");
    assert.match(top.stdout, /replay/);
  });
});
