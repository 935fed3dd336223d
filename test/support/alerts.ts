/** A watched-port alert for tests, with any field replaced. */
import type { Alert } from "../../src/alerts/types.js";

export function sampleAlert(over: Partial<Alert> = {}): Alert {
  return {
    id: null,
    rule: "watched_ports",
    kind: "watched_port",
    severity: "warning",
    message: "10.0.0.5 opened a connection to watched port 23 on 10.0.0.9",
    subject: "10.0.0.5 -> 10.0.0.9:23/tcp",
    value: 1,
    threshold: 0,
    first_ts: 100,
    last_ts: 100,
    count: 1,
    ...over,
  };
}
