/**
 * Least privilege: after the capture handles are open, a daemon started as root becomes
 * `privilege.user` / `privilege.group`, with its supplementary groups cleared, before it
 * serves anything. The open capture handles keep working (they are file descriptors); new
 * ones could not be opened, which is the point. A daemon not started as root (for example a
 * service user holding only CAP_NET_RAW) has nothing to drop.
 */
import { accessSync, constants, realpathSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { messageOf, NetnetError } from "../util/errors.js";
import type { Logger } from "../util/log.js";

/** Codes of `PrivilegeError`. */
export const PRIVILEGE_ERROR_CODES = [
  "ERR_PRIVILEGE_NO_USER", // privilege.drop is true but privilege.user is empty
  "ERR_PRIVILEGE_DROP", // setgroups, setgid or setuid failed (an unknown user or group)
  "ERR_PRIVILEGE_STILL_ROOT", // after the drop the process could become root again
] as const;
export type PrivilegeErrorCode = (typeof PRIVILEGE_ERROR_CODES)[number];

export class PrivilegeError extends NetnetError<PrivilegeErrorCode> {}

export interface PrivilegeConfig {
  drop: boolean;
  user: string;
  group: string;
}

export interface DropResult {
  dropped: boolean;
  uid: number;
  gid: number;
}

export function dropPrivileges(cfg: PrivilegeConfig, log: Logger): DropResult {
  const getuid = process.getuid?.bind(process);
  const getgid = process.getgid?.bind(process);
  if (getuid === undefined || getgid === undefined) {
    return { dropped: false, uid: -1, gid: -1 };
  }
  if (!cfg.drop) return { dropped: false, uid: getuid(), gid: getgid() };
  if (getuid() !== 0) {
    log.info({ uid: getuid() }, "not running as root: no privileges to drop");
    return { dropped: false, uid: getuid(), gid: getgid() };
  }
  if (cfg.user === "") {
    throw new PrivilegeError(
      "ERR_PRIVILEGE_NO_USER",
      "privilege.drop is true but privilege.user is empty: name the user to run as (a dedicated system user such as netnet, not nobody)",
    );
  }
  const group = cfg.group === "" ? cfg.user : cfg.group;
  try {
    // Order matters: groups while still root, then the group id, then the user id.
    process.setgroups?.([]);
    process.setgid?.(group);
    process.setuid?.(cfg.user);
  } catch (err: unknown) {
    const reason = messageOf(err);
    throw new PrivilegeError(
      "ERR_PRIVILEGE_DROP",
      `cannot drop privileges to user ${cfg.user} and group ${group}: ${reason}`,
    );
  }
  // Verify: root must be gone for good.
  let regained = false;
  try {
    process.setuid?.(0);
    regained = true;
  } catch {
    // Expected: an unprivileged process cannot become root again.
  }
  if (regained || getuid() === 0)
    throw new PrivilegeError(
      "ERR_PRIVILEGE_STILL_ROOT",
      "privileges could not be dropped: still root",
    );
  log.info({ uid: getuid(), gid: getgid(), user: cfg.user, group }, "privileges dropped");
  return { dropped: true, uid: getuid(), gid: getgid() };
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;

/**
 * Whether `uid` with group `gid` and no supplementary group gets `bit` (4 read, 1 search) on
 * a file, by its mode bits as the kernel applies them: the owner's bits when the uid owns
 * it, else the group's when the gid is its group, else the others' (never a fallback from
 * one class to the next). Root passes.
 */
function permits(st: Stats, uid: number, gid: number, bit: 4 | 1): boolean {
  if (uid === 0) return true;
  if (st.uid === uid) return ((st.mode >> 6) & bit) !== 0;
  if (st.gid === gid) return ((st.mode >> 3) & bit) !== 0;
  return (st.mode & bit) !== 0;
}

/**
 * Why the user `uid`, with the group `gid` and no other (the drop clears the supplementary
 * groups), could not read `file`, or null when it could: by the owner, group and mode of
 * the file and of every directory above it, which must be searchable. ACLs are not read.
 */
export function readProblem(file: string, uid: number, gid: number): string | null {
  let real: string;
  try {
    real = realpathSync(resolve(file));
  } catch (err: unknown) {
    return `${file} cannot be found: ${messageOf(err)}`;
  }
  const dirs: string[] = [];
  for (let d = dirname(real); ; d = dirname(d)) {
    dirs.unshift(d);
    if (dirname(d) === d) break;
  }
  const who = `uid ${uid} (gid ${gid})`;
  const describe = (path: string, st: Stats) =>
    `${path} is ${st.uid}:${st.gid} mode ${octal(st.mode)}`;
  for (const d of dirs) {
    const st = statSync(d);
    if (!permits(st, uid, gid, 1)) return `${describe(d, st)}: ${who} may not enter it`;
  }
  const st = statSync(real);
  if (!permits(st, uid, gid, 4)) return `${describe(real, st)}: ${who} may not read it`;
  return null;
}

/**
 * After a drop, reload still reads the config file (the token and the users' hashes are in
 * it); a file only root can read makes every reload fail. Says so once at start, with the
 * fix, rather than at the first reload. Called as the dropped user, so `access` answers for
 * it exactly (ACLs included); the mode bits say why.
 */
export function warnIfUnreadableAfterDrop(
  file: string,
  drop: DropResult,
  group: string,
  log: Logger,
): void {
  if (!drop.dropped) return;
  try {
    accessSync(file, constants.R_OK);
    return;
  } catch (err: unknown) {
    const reason = readProblem(file, drop.uid, drop.gid) ?? messageOf(err);
    log.warn(
      { config: file, uid: drop.uid, gid: drop.gid, reason },
      `config file not readable after the privilege drop, so every reload will fail: ` +
        `make it chown root:${group} and chmod 0640, and its directories searchable`,
    );
  }
}
