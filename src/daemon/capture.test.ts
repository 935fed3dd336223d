import assert from "node:assert/strict";
import { test } from "node:test";
import { LiveCaptureError } from "../capture/live/live-errors.js";
import { parseConfig } from "../config/config.js";
import { CaptureCommandError } from "../worker/capture-service.js";
import { captureFailure, workerConfig } from "./capture.js";
import { DaemonError } from "./daemon-error.js";

const HINT = /run as root \(sudo npm start\) or give node CAP_NET_RAW/;

test("a capture refused for lack of rights says how to get them, decided by the error's code", () => {
  // As the worker reports it: the code of the error it failed with there.
  const fromWorker = new CaptureCommandError("ERR_PCAP_PERMISSION", "eth0: You don't have it");
  const e = captureFailure(fromWorker);
  assert.ok(e instanceof DaemonError);
  assert.equal(e.code, "ERR_DAEMON_CAPTURE_FAILED");
  assert.match(e.message, /^eth0: You don't have it\n/);
  assert.match(e.message, HINT);
  assert.equal(e.cause, fromWorker);
  assert.match(captureFailure(new LiveCaptureError("ERR_PCAP_PERMISSION", "x")).message, HINT);
});

test("other capture failures keep their message, with no hint, whatever their words", () => {
  for (const err of [
    new CaptureCommandError("ERR_PCAP_NO_SUCH_DEVICE", "eth9: no such device (permission)"),
    new CaptureCommandError("ERR_CAPTURE_FILE_OPEN", "cannot open x.pcap: permission denied"),
    new Error("Operation not permitted"),
  ]) {
    const e = captureFailure(err);
    assert.equal(e.code, "ERR_DAEMON_CAPTURE_FAILED");
    assert.equal(e.message, err.message);
  }
});

test("the worker's config: a file source from offline.file, else the named interfaces", () => {
  const file = workerConfig(
    parseConfig({ offline: { file: "demo.pcap", speed: "max" }, stats: { tick_ms: 500 } }),
    () => "eth0",
  );
  assert.deepEqual(file.source, {
    kind: "file",
    path: "demo.pcap",
    speed: "max",
    loop: false,
    filter: "",
  });
  assert.equal(file.tickMs, 500);
  const live = workerConfig(
    parseConfig({ interface: { name: [" eth1 ", "", "eth2"], bpf_filter: "tcp" } }),
    () => "eth0",
  );
  assert.equal(live.source.kind, "live");
  assert.deepEqual(live.source.kind === "live" ? live.source.interfaces : [], ["eth1", "eth2"]);
  assert.equal(live.source.filter, "tcp");
});

test("no interface named: the default route's, or a clear error when there is none", () => {
  const dflt = workerConfig(parseConfig({}), () => "wlan0");
  assert.deepEqual(dflt.source.kind === "live" ? dflt.source.interfaces : [], ["wlan0"]);
  assert.throws(
    () => workerConfig(parseConfig({}), () => null),
    (e: unknown) => e instanceof DaemonError && e.code === "ERR_DAEMON_NO_INTERFACE",
  );
});
