/**
 * A real pino logger that keeps its lines in memory, for tests that read what a component
 * logged: each line is the JSON pino wrote, parsed, with `level` as its name ("warn").
 */
import { type Logger, pino } from "pino";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function memoryLogger(level = "debug"): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino(
    {
      level,
      base: null,
      timestamp: false,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (s: string) => lines.push(JSON.parse(s) as LogLine) },
  );
  return { log, lines };
}
