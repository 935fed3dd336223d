#!/usr/bin/env node
/**
 * Builds net-net's libpcap addon (native/binding.gyp) with the project's own node-gyp.
 *
 *   node native/build.mjs             `npm run build:native`: fails loudly, with the compiler's output
 *   node native/build.mjs --optional  the `install` script: never fails the install
 *
 * With --optional a failed build (no libpcap headers, no C++ compiler) prints one note and
 * exits 0, so `npm ci` goes on and replay works; live capture then names what to install.
 * Node's headers come from the local installation when it has them (Debian's nodejs puts them
 * in /usr/include/node), so the build never needs to download them.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const optional = process.argv.includes("--optional");
const addon = join(here, "build", "Release", "netnet_pcap.node");

function note(message) {
  process.stderr.write(`net-net: ${message}\n`);
}

function localNodeDir() {
  // <prefix>/bin/node with headers in <prefix>/include/node (Debian, nvm, the official tarball).
  const prefix = dirname(dirname(process.execPath));
  const headers = join(prefix, "include", "node");
  return existsSync(join(headers, "node_api.h")) && existsSync(join(headers, "common.gypi"))
    ? prefix
    : null;
}

let gyp;
try {
  gyp = createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js");
} catch {
  const message = "node-gyp is not installed (run npm ci first)";
  if (optional) {
    note(`the live-capture addon was not built: ${message}. Replay works without it.`);
    process.exit(0);
  }
  note(message);
  process.exit(1);
}

const args = [gyp, "rebuild"];
if (!process.env.npm_config_nodedir) {
  const nodedir = localNodeDir();
  if (nodedir !== null) args.push(`--nodedir=${nodedir}`);
}

// Output is captured (to find the reason of a failure) and shown afterwards unless optional.
const result = spawnSync(process.execPath, args, {
  cwd: here,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
  maxBuffer: 64 * 1024 * 1024,
});
if (!optional) {
  process.stdout.write(result.stdout ?? "");
  process.stderr.write(result.stderr ?? "");
}

if (result.status === 0 && existsSync(addon)) {
  if (optional) note("built the live-capture addon (native/build/Release/netnet_pcap.node)");
  process.exit(0);
}

const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
const noPcap = /pcap\/pcap\.h|pcap\.h: No such file|-lpcap/.test(output);
const reason = noPcap
  ? "the libpcap headers are missing (apt-get install libpcap-dev)"
  : result.error
    ? result.error.message
    : "node-gyp failed (a C++ compiler, make and python3 are needed)";
if (optional) {
  note(
    `the live-capture addon was not built: ${reason}. Replay works without it; ` +
      "for live capture install what is missing, then run: npm run build:native",
  );
  process.exit(0);
}
note(`building the live-capture addon failed: ${reason}`);
process.exit(result.status || 1);
