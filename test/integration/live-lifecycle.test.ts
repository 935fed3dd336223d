/**
 * The addon's life cycle, on the loopback interface: closing releases the event loop, handles
 * in any state are safe to garbage-collect, a worker that exits with a handle open shuts down
 * cleanly, every call after close is a clear error, and without the right to capture the
 * error names the fix. Child processes run the risky parts, so a crash fails one test rather
 * than the run. Needs root (CI runs as root) and the addon.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "node:test";
import { LiveCaptureError } from "../../src/capture/live/live-errors.js";
import { DEFAULT_ADDON_PATH } from "../../src/capture/live/pcap-addon.js";
import { requireAddon, skipWithoutAddon } from "../support/pcap.js";

const ROOT =
  process.getuid?.() === 0 ? false : "opening a capture device needs root (CI runs as root)";
const skip = ROOT || skipWithoutAddon;
const ADDON = JSON.stringify(DEFAULT_ADDON_PATH);

/** Runs a CommonJS snippet in a fresh node (with --expose-gc); at most 20 s. */
function child(code: string, prefix: string[] = []) {
  const started = Date.now();
  const r = spawnSync(...runner(prefix, ["--expose-gc", "-e", code]), {
    encoding: "utf8",
    timeout: 20_000,
  });
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: Date.now() - started,
  };
}

function runner(prefix: string[], args: string[]): [string, string[]] {
  return prefix.length === 0
    ? [process.execPath, args]
    : [prefix[0], [...prefix.slice(1), process.execPath, ...args]];
}

describe("libpcap addon life cycle", { skip }, () => {
  test("a process whose only handle is closed exits by itself", () => {
    const r = child(`
      const addon = require(${ADDON});
      const h = addon.openLive({ device: "lo", timeoutMs: 10 }, () => {}, () => {});
      setTimeout(() => { h.close(); console.log("closed"); }, 300);
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "closed\n");
    assert.ok(r.ms >= 300, "the open handle kept the process alive until closed");
  });

  test("close from inside the batch callback stops delivery and releases the loop", () => {
    const r = child(`
      const addon = require(${ADDON});
      const dgram = require("node:dgram");
      const rx = dgram.createSocket("udp4");
      let batches = 0;
      const h = addon.openLive({ device: "lo", timeoutMs: 10 }, (buf, len, count) => {
        batches++;
        h.close();
        rx.close();
        tx.close();
      }, () => {});
      h.setFilter("udp port 39101");
      const tx = dgram.createSocket("udp4");
      rx.bind(39101, "127.0.0.1", () => {
        for (let i = 0; i < 20; i++) tx.send(Buffer.alloc(8), 39101, "127.0.0.1");
      });
      process.on("exit", () => console.log("batches", batches, "open", h.isOpen));
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "batches 1 open false\n");
  });

  test("handles that failed to open or were closed are garbage-collected safely", () => {
    const r = child(`
      const addon = require(${ADDON});
      for (let i = 0; i < 200; i++) {
        try { addon.openLive({ device: "nosuchdev" + i }, () => {}, () => {}); } catch {}
      }
      for (let i = 0; i < 20; i++) {
        const h = addon.openLive({ device: "lo", bufferSize: 1 << 20 }, () => {}, () => {});
        h.stats();
        h.close();
      }
      for (let i = 0; i < 100; i++) addon.compileFilter("udp port " + i).instructionCount;
      global.gc();
      setTimeout(() => { global.gc(); console.log("ok"); }, 50);
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ok\n");
  });

  test("a worker that ends with a handle still open shuts down cleanly", () => {
    const r = child(`
      const { Worker } = require("node:worker_threads");
      const w = new Worker(\`
        const addon = require(${JSON.stringify(DEFAULT_ADDON_PATH).replaceAll('"', "'")});
        const h = addon.openLive({ device: "lo", timeoutMs: 10 }, () => {}, () => {});
        require("node:worker_threads").parentPort.postMessage(h.linktype);
      \`, { eval: true });
      w.on("message", (linktype) => {
        console.log("linktype", linktype);
        w.terminate().then((code) => console.log("terminated", code));
      });
    `);
    assert.equal(r.signal, null, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "linktype 1\nterminated 1\n");
  });

  test("an exception thrown by the batch callback is an uncaught exception, not a crash", () => {
    const r = child(`
      const addon = require(${ADDON});
      const dgram = require("node:dgram");
      const h = addon.openLive({ device: "lo", timeoutMs: 10 }, () => { throw new Error("boom in batch"); }, () => {});
      h.setFilter("udp port 39102");
      process.on("uncaughtException", (err) => {
        console.log("caught", err.message);
        h.close();
        tx.close();
      });
      const tx = dgram.createSocket("udp4");
      tx.send(Buffer.alloc(8), 39102, "127.0.0.1");
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "caught boom in batch\n");
  });

  test("every call on a closed handle is a clear error", () => {
    const addon = requireAddon();
    const h = addon.openLive(
      { device: "lo" },
      () => {},
      () => {},
    );
    assert.equal(h.isOpen, true);
    assert.equal(h.device, "lo");
    h.close();
    assert.equal(h.isOpen, false);
    for (const [what, call] of [
      ["close", () => h.close()],
      ["stats", () => h.stats()],
      ["setFilter", () => h.setFilter("udp")],
      ["inject", () => h.inject(new Uint8Array(60))],
    ] as const) {
      assert.throws(
        call,
        (e: unknown) =>
          e instanceof Error &&
          "code" in e &&
          e.code === "ERR_PCAP_CLOSED" &&
          e.message === `${what}: the capture handle on lo is already closed`,
        what,
      );
    }
    assert.ok(new LiveCaptureError("ERR_PCAP_CLOSED", "x") instanceof Error);
  });

  test("without the right to capture, the error names sudo, setcap and replay", (t) => {
    const nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    const probe = child(`require(${ADDON}); console.log("loads")`, nobody);
    if (!existsSync("/usr/bin/setpriv") || probe.stdout !== "loads\n") {
      t.skip("setpriv is missing or user nobody cannot read the addon");
      return;
    }
    const open = `
      const addon = require(${ADDON});
      try {
        const h = addon.openLive({ device: "lo" }, () => {}, () => {});
        console.log("opened", h.linktype);
        h.close();
      } catch (e) { console.log(e.code); console.log(e.message); }
    `;
    const denied = child(open, nobody);
    assert.equal(denied.code, 0, denied.stderr);
    const [code, message] = denied.stdout.split("\n");
    assert.equal(code, "ERR_PCAP_PERMISSION");
    assert.match(
      message,
      /^cannot capture on lo: permission denied \(.+\)\. Capturing needs privileges: /,
    );
    assert.ok(message.includes("run with sudo"));
    assert.ok(message.includes("setcap cap_net_raw,cap_net_admin=eip"));
    assert.ok(message.includes("netnet replay FILE"));

    // The same user holding only CAP_NET_RAW (as setcap or a systemd unit gives it) captures.
    const raw = child(open, [...nobody, "--inh-caps=+net_raw", "--ambient-caps=+net_raw"]);
    assert.equal(raw.stdout, "opened 1\n", raw.stderr);
  });
});
