/**
 * The one logger type every component takes: pino's. The daemon makes the process's logger
 * (src/daemon/logger.ts) and hands each component a child of it; a component given none
 * logs nowhere. Calls are `log.warn({ fields }, "lower-case message")`.
 */
import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/** A logger that writes nothing: the default of components, and of tests that read no logs. */
export const silentLogger: Logger = pino({ level: "silent" });
