import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { REPO_ROOT } from "../../../test/support/paths.js";
import { LIVE_ERROR_CODES, LiveCaptureError, pcapCall, toLiveCaptureError } from "./live-errors.js";

describe("live capture errors", () => {
  test("every code is unique", () => {
    assert.equal(new Set(LIVE_ERROR_CODES).size, LIVE_ERROR_CODES.length);
  });

  test("every code the addon throws is a known code", () => {
    const header = readFileSync(`${REPO_ROOT}native/src/errors.h`, "utf8");
    const native = [...header.matchAll(/= "(ERR_[A-Z_]+)";/g)].map((m) => m[1]);
    assert.deepEqual(native, [
      "ERR_PCAP_OPEN",
      "ERR_PCAP_PERMISSION",
      "ERR_PCAP_NO_SUCH_DEVICE",
      "ERR_PCAP_FILTER",
      "ERR_PCAP_CLOSED",
      "ERR_PCAP_READ",
      "ERR_PCAP_STATS",
      "ERR_PCAP_INJECT",
      "ERR_PCAP_DEVICES",
      "ERR_AFFINITY",
      "ERR_CAPABILITIES",
    ]);
    for (const code of native) assert.ok((LIVE_ERROR_CODES as readonly string[]).includes(code));
  });

  test("an addon error with a known code becomes a LiveCaptureError with its message", () => {
    const native = Object.assign(new Error("cannot capture on x: no such device"), {
      code: "ERR_PCAP_NO_SUCH_DEVICE",
    });
    const err = toLiveCaptureError(native);
    assert.ok(err instanceof LiveCaptureError);
    assert.equal(err.code, "ERR_PCAP_NO_SUCH_DEVICE");
    assert.equal(err.message, "cannot capture on x: no such device");
    assert.equal(err.name, "LiveCaptureError");
    assert.equal(err.cause, native);
  });

  test("other errors pass through unchanged", () => {
    const type = new TypeError("bad argument");
    assert.equal(toLiveCaptureError(type), type);
    const odd = Object.assign(new Error("x"), { code: "ENOENT" });
    assert.equal(toLiveCaptureError(odd), odd);
    assert.equal(toLiveCaptureError("text"), "text");
  });

  test("pcapCall rethrows converted errors and returns values", () => {
    assert.equal(
      pcapCall(() => 42),
      42,
    );
    assert.throws(
      () =>
        pcapCall(() => {
          throw Object.assign(new Error("closed"), { code: "ERR_PCAP_CLOSED" });
        }),
      (e: unknown) => e instanceof LiveCaptureError && e.code === "ERR_PCAP_CLOSED",
    );
  });
});
