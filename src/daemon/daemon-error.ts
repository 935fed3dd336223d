/** Why the daemon did not start (its other failures carry their component's own codes). */
import { NetnetError } from "../util/errors.js";

/** Codes of `DaemonError`. */
export const DAEMON_ERROR_CODES = [
  "ERR_DAEMON_EXPOSED", // the config would expose the API unsafely (docs/security.md)
  "ERR_DAEMON_NO_INTERFACE", // no interface named and none carries the default route
  "ERR_DAEMON_CAPTURE_FAILED", // the capture could not start (the message says why and what to do)
  "ERR_DAEMON_BAD_AFFINITY", // performance.capture_cpu could not be applied
] as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

export class DaemonError extends NetnetError<DaemonErrorCode> {}
