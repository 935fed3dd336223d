/**
 * Structured logs (pino): `logging.level`, `logging.file` (empty = stdout), `logging.timestamps`.
 * Passwords and tokens never reach a log: credential headers and password fields are
 * redacted by path, and request URLs lose their `token=` values before they are written.
 *
 * The file holds client addresses and usernames, so it is created readable by its owner and
 * group only (LOG_FILE_MODE), and an existing file readable by everyone loses the others'
 * access at start. `reopen` (SIGUSR1) opens the file at its path again, for logrotate.
 */
import { chmodSync, statSync } from "node:fs";
import { type Logger, pino } from "pino";
import { redactUrl } from "../auth/index.js";
import { messageOf } from "../util/errors.js";

export interface LoggingConfig {
  level: string;
  file: string;
  timestamps: boolean;
}

/** The mode a new log file gets (before the umask): owner writes, group reads, others nothing. */
export const LOG_FILE_MODE = 0o640;

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

/** The logger, and how to open its file again after a rotation. */
export interface DaemonLog {
  log: Logger;
  /**
   * Opens `logging.file` again at its path (a new file once logrotate has moved the old
   * one), logging the outcome; on failure the lines go on to the old file. Nothing to do
   * when the log goes to stdout.
   */
  reopen(): void;
}

/** `sync` writes each line before returning (tests read the file right after). */
export function createLogger(cfg: LoggingConfig, sync = false): Logger {
  return openDaemonLog(cfg, sync).log;
}

/** Removes the others' access to an existing log file; returns its mode before, or null. */
function closeToOthers(file: string): number | null {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o7777;
  } catch {
    return null; // not there yet: it is created with LOG_FILE_MODE
  }
  if ((mode & 0o007) === 0) return null;
  chmodSync(file, mode & ~0o007);
  return mode;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;

export function openDaemonLog(cfg: LoggingConfig, sync = false): DaemonLog {
  let tightened: number | null = null;
  let tightenError: string | null = null;
  if (cfg.file !== "") {
    try {
      tightened = closeToOthers(cfg.file);
    } catch (err: unknown) {
      tightenError = messageOf(err);
    }
  }
  const destination =
    cfg.file === ""
      ? pino.destination({ fd: 1, sync })
      : pino.destination({ dest: cfg.file, mkdir: true, sync, mode: LOG_FILE_MODE });
  const log = pino(
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
  if (tightened !== null) {
    log.info(
      { file: cfg.file, was: octal(tightened), mode: octal(tightened & ~0o007) },
      "log file was readable by others; now it is not",
    );
  } else if (tightenError !== null) {
    log.warn(
      { file: cfg.file, reason: tightenError },
      "log file is readable by others and its mode cannot be changed; chmod o-rwx it",
    );
  }

  const reopen = () => {
    if (cfg.file === "") {
      log.info("log goes to stdout: no file to reopen");
      return;
    }
    const failed = (err: unknown) => {
      destination.off("ready", opened);
      log.error(
        { file: cfg.file, reason: messageOf(err) },
        "log file could not be reopened; writing on to the old one",
      );
    };
    const opened = () => {
      destination.off("error", failed);
      log.info({ file: cfg.file }, "log file reopened");
    };
    destination.once("error", failed);
    destination.once("ready", opened);
    try {
      destination.reopen();
    } catch (err: unknown) {
      // A synchronous destination reports a failed open by throwing.
      destination.off("error", failed);
      failed(err);
    }
  };
  return { log, reopen };
}
