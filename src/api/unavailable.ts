/**
 * The 503 answers of data the daemon does not have: no snapshot before the capture worker's
 * first tick, and no history or alerts when it runs without a database. One helper each, so
 * every route that needs the data says so in the same words.
 */
import type { Snapshot } from "../engine/snapshot.js";
import { ApiError } from "./api-error.js";

function orUnavailable<T>(value: T | null, message: string): T {
  if (value === null) throw new ApiError("ERR_API_UNAVAILABLE", message);
  return value;
}

/** The newest snapshot; 503 before the first tick. */
export function requireSnapshot(snapshot: Snapshot | null): Snapshot {
  return orUnavailable(snapshot, "no statistics yet: the capture worker is starting");
}

/** The stored history; 503 without a database. */
export function requireHistory<T>(history: T | null): T {
  return orUnavailable(history, "history is not kept (no database)");
}

/** The stored alerts; 503 without a database. */
export function requireAlerts<T>(alerts: T | null): T {
  return orUnavailable(alerts, "alerts are not kept (no database)");
}
