/**
 * Errors of live capture and of the libpcap addon, one class with stable codes. The addon
 * throws plain Errors carrying the same `code` (native/src/errors.h); `toLiveCaptureError`
 * turns those into this class, keeping libpcap's message.
 */

import { NetnetError } from "../../util/errors.js";

/** Codes of `LiveCaptureError`, stable across releases. */
export const LIVE_ERROR_CODES = [
  "ERR_ADDON_MISSING", // the addon was never built (no libpcap headers at install time)
  "ERR_ADDON_LOAD", // the addon exists but does not load (built for another Node, no libpcap.so)
  "ERR_PCAP_OPEN", // a device could not be opened for another reason
  "ERR_PCAP_PERMISSION", // no right to capture (not root, no CAP_NET_RAW)
  "ERR_PCAP_NO_SUCH_DEVICE", // the interface does not exist
  "ERR_PCAP_FILTER", // a BPF expression libpcap rejects (libpcap's message)
  "ERR_PCAP_CLOSED", // a call on a handle that is closed (or was never opened)
  "ERR_PCAP_READ", // reading packets failed after the open (the interface went away)
  "ERR_PCAP_STATS", // pcap_stats failed
  "ERR_PCAP_INJECT", // sending a frame failed
  "ERR_PCAP_DEVICES", // pcap_findalldevs failed
  "ERR_AFFINITY", // sched_getaffinity/sched_setaffinity failed (performance.capture_cpu)
  "ERR_CAPABILITIES", // clearing the capabilities of every thread failed (dropCapabilities)
  "ERR_LIVE_STATE", // start on a running source, stop on a stopped one
  "ERR_LIVE_CONFIG", // a bad live-source setting
] as const;
export type LiveErrorCode = (typeof LIVE_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(LIVE_ERROR_CODES);

function isLiveErrorCode(code: string): code is LiveErrorCode {
  return CODES.has(code);
}

export class LiveCaptureError extends NetnetError<LiveErrorCode> {}

/** The addon's error (an Error with one of our codes) as a LiveCaptureError; others as they are. */
export function toLiveCaptureError(err: unknown): unknown {
  if (err instanceof LiveCaptureError) return err;
  if (err instanceof Error && "code" in err && typeof err.code === "string") {
    const code = err.code;
    if (isLiveErrorCode(code)) return new LiveCaptureError(code, err.message, { cause: err });
  }
  return err;
}

/** Runs `fn`, rethrowing the addon's errors as LiveCaptureError. */
export function pcapCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err: unknown) {
    throw toLiveCaptureError(err);
  }
}
