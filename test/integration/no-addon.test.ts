/**
 * A machine where the libpcap addon could not be built (no libpcap-dev at install time):
 * replay works as ever, and everything live says what to install and how to rebuild.
 * NETNET_PCAP_ADDON points the loader at a file that does not exist to stand for that.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fixturePath, REPO_ROOT } from "../support/paths.js";

const BIN = `${REPO_ROOT}bin/netnet.js`;
const MISSING = "/nonexistent/netnet_pcap.node";

function netnet(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, NETNET_PCAP_ADDON: MISSING },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HINT =
  "install the libpcap headers (apt-get install libpcap-dev) and a C++ toolchain " +
  "(apt-get install g++ make python3), then rebuild it: npm run build:native. " +
  "Replay mode (netnet replay FILE) works without it.";

describe("without the libpcap addon", () => {
  test("replay works", () => {
    const r = netnet("replay", fixturePath("mixed.pcap"), "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { packets: number }).packets, 477);
  });

  test("netnet interfaces says what to install and how to rebuild", () => {
    const r = netnet("interfaces");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `netnet interfaces: live capture needs net-net's libpcap addon, which is not built (${MISSING} is missing): ${HINT}\n`,
    );
  });

  test("replay --bpf says the same and exits 1", () => {
    const r = netnet("replay", fixturePath("mixed.pcap"), "--bpf", "udp");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `netnet replay: live capture needs net-net's libpcap addon, which is not built (${MISSING} is missing): ${HINT}\n`,
    );
  });
});
