/**
 * Least privilege: after the capture handles are open, a daemon started as root becomes
 * `privilege.user` / `privilege.group`, with its supplementary groups cleared, before it
 * serves anything. The open capture handles keep working (they are file descriptors); new
 * ones could not be opened, which is the point. A daemon not started as root (for example a
 * service user holding only CAP_NET_RAW) has nothing to drop.
 */
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
      "privilege.drop is true but privilege.user is empty: name the user to run as (for example nobody)",
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
