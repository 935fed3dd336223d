/**
 * Structured logs (pino): `logging.level`, `logging.file` (empty = stdout), `logging.timestamps`.
 * Passwords and tokens never reach a log: credential headers and password fields are
 * redacted by path, and request URLs lose their `token=` values before they are written.
 */
import { type Logger, pino } from "pino";
import { redactUrl } from "../auth/index.js";

export interface LoggingConfig {
  level: string;
  file: string;
  timestamps: boolean;
}

export const REDACT_PATHS = [
  "req.headers.authorization",
  'req.headers["x-session-token"]',
  "req.headers.cookie",
  "password",
  "*.password",
  "token",
  "*.token",
  "api.token",
];

/** `sync` writes each line before returning (tests read the file right after). */
export function createLogger(cfg: LoggingConfig, sync = false): Logger {
  const destination =
    cfg.file === ""
      ? pino.destination({ fd: 1, sync })
      : pino.destination({ dest: cfg.file, mkdir: true, sync });
  return pino(
    {
      level: cfg.level,
      base: { name: "netnet" },
      timestamp: cfg.timestamps ? pino.stdTimeFunctions.isoTime : false,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string }) => ({
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
          remoteAddress: req.ip,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
