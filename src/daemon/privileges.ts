/**
 * Least privilege: once the capture handles are open, nothing the daemon does needs a
 * privilege. The open handles keep working (they are file descriptors, and stop and start
 * pause them with a filter rather than reopen them); new ones could not be opened, which is
 * the point.
 *
 * - Started as root with `privilege.drop`: the capability bounding set of every thread is
 *   emptied first (while CAP_SETPCAP is still there), so that no later exec, of a set-user-ID
 *   program for instance, can regain a capability; then the daemon becomes `privilege.user` /
 *   `privilege.group` with its supplementary groups cleared, which clears every other set of
 *   every thread (the kernel does so when no user id is 0 any more, and glibc makes the call
 *   in every thread).
 * - Not root but holding capabilities (a service user with ambient CAP_NET_RAW and
 *   CAP_NET_ADMIN, as examples/netnet.service gives them, or `setcap` on node): the
 *   effective, permitted, inheritable and ambient sets of every thread are cleared.
 *
 * Capabilities belong to threads on Linux, and the process has many (the main thread, the
 * capture worker, V8's and libuv's helpers), so the clearing is the capture addon's
 * (native/src/capabilities.cc), and afterwards every thread in /proc/self/task is read back:
 * a thread that still holds one stops the start. Without the addon (live capture cannot have
 * started then, but a replay may run with capabilities it was given) the daemon refuses to
 * start rather than serve with capabilities it cannot clear.
 *
 * Root with `privilege.drop: false` keeps root and its capabilities: that is asked for.
 */
import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { ADDON_BUILD_HINT } from "../capture/live/pcap-addon.js";
import { messageOf, NetnetError } from "../util/errors.js";
import type { Logger } from "../util/log.js";

/** Codes of `PrivilegeError`. */
export const PRIVILEGE_ERROR_CODES = [
  "ERR_PRIVILEGE_NO_USER", // privilege.drop is true but privilege.user is empty
  "ERR_PRIVILEGE_DROP", // setgroups, setgid or setuid failed (an unknown user or group)
  "ERR_PRIVILEGE_STILL_ROOT", // after the drop the process could become root again
  "ERR_PRIVILEGE_CAPABILITIES", // a thread still holds a capability once the handles are open
] as const;
export type PrivilegeErrorCode = (typeof PRIVILEGE_ERROR_CODES)[number];

export class PrivilegeError extends NetnetError<PrivilegeErrorCode> {}

export interface PrivilegeConfig {
  drop: boolean;
  user: string;
  group: string;
}

/** What the privilege step needs of the capture addon (`dropCapabilities`). */
export interface CapabilityCalls {
  /** Clears sets of every thread ("bounding": the bounding set only); returns the threads. */
  dropCapabilities(sets: "bounding" | "all"): number;
}

export interface DropResult {
  dropped: boolean;
  uid: number;
  gid: number;
  /** Threads whose capabilities were cleared (0: none held any). */
  clearedThreads: number;
}

/** One thread's capability sets, as /proc/PID/task/TID/status shows them. */
export interface ThreadCapabilities {
  tid: number;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
  bounding: bigint;
}

/** The sets of a status file's `CapInh`, `CapPrm`, `CapEff`, `CapBnd` and `CapAmb` lines. */
export function parseCapabilities(tid: number, status: string): ThreadCapabilities {
  const set = (key: string): bigint => {
    const m = new RegExp(`^${key}:\\s*([0-9a-f]+)\\s*$`, "m").exec(status);
    return m?.[1] === undefined ? 0n : BigInt(`0x${m[1]}`);
  };
  return {
    tid,
    effective: set("CapEff"),
    permitted: set("CapPrm"),
    inheritable: set("CapInh"),
    ambient: set("CapAmb"),
    bounding: set("CapBnd"),
  };
}

/**
 * Every thread of the process `pid` ("self": this one); threads that end meanwhile are left
 * out. None where there is no /proc/PID/task (capabilities as sets per thread are Linux's).
 */
export function threadCapabilities(pid: number | "self" = "self"): ThreadCapabilities[] {
  const out: ThreadCapabilities[] = [];
  if (process.platform !== "linux") return out;
  for (const name of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${name}/status`, "utf8");
    } catch {
      continue;
    }
    out.push(parseCapabilities(Number(name), status));
  }
  return out;
}

/** What a thread can use now or pass on: every set but the bounding set. */
export function heldBy(t: ThreadCapabilities): bigint {
  return t.effective | t.permitted | t.inheritable | t.ambient;
}

/** Capability names by number (linux/capability.h), for messages. */
const CAPABILITY_NAMES = [
  "chown",
  "dac_override",
  "dac_read_search",
  "fowner",
  "fsetid",
  "kill",
  "setgid",
  "setuid",
  "setpcap",
  "linux_immutable",
  "net_bind_service",
  "net_broadcast",
  "net_admin",
  "net_raw",
  "ipc_lock",
  "ipc_owner",
  "sys_module",
  "sys_rawio",
  "sys_chroot",
  "sys_ptrace",
  "sys_pacct",
  "sys_admin",
  "sys_boot",
  "sys_nice",
  "sys_resource",
  "sys_time",
  "sys_tty_config",
  "mknod",
  "lease",
  "audit_write",
  "audit_control",
  "setfcap",
  "mac_override",
  "mac_admin",
  "syslog",
  "wake_alarm",
  "block_suspend",
  "audit_read",
  "perfmon",
  "bpf",
  "checkpoint_restore",
];

/** `cap_net_admin,cap_net_raw` for a set's bits. */
export function capabilityNames(set: bigint): string {
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((set >> BigInt(bit)) & 1n) names.push(`cap_${CAPABILITY_NAMES[bit] ?? bit}`);
  }
  return names.join(",");
}

export function dropPrivileges(
  cfg: PrivilegeConfig,
  log: Logger,
  caps: CapabilityCalls | null,
): DropResult {
  const getuid = process.getuid?.bind(process);
  const getgid = process.getgid?.bind(process);
  if (getuid === undefined || getgid === undefined) {
    return { dropped: false, uid: -1, gid: -1, clearedThreads: 0 };
  }
  let dropped = false;
  if (getuid() === 0) {
    if (!cfg.drop) return { dropped: false, uid: 0, gid: getgid(), clearedThreads: 0 };
    becomeUser(cfg, log, caps);
    dropped = true;
  } else if (cfg.drop) {
    log.info({ uid: getuid() }, "not running as root: no user to change to");
  }
  const clearedThreads = clearCapabilities(log, caps);
  return { dropped, uid: getuid(), gid: getgid(), clearedThreads };
}

/** Root becomes `cfg.user` / `cfg.group`, with the bounding set emptied before. */
function becomeUser(cfg: PrivilegeConfig, log: Logger, caps: CapabilityCalls | null): void {
  if (cfg.user === "") {
    throw new PrivilegeError(
      "ERR_PRIVILEGE_NO_USER",
      "privilege.drop is true but privilege.user is empty: name the user to run as (a dedicated system user such as netnet, not nobody)",
    );
  }
  const group = cfg.group === "" ? cfg.user : cfg.group;
  // Only while CAP_SETPCAP is held; the bounding set limits what an exec could gain later.
  if (caps === null) {
    log.warn(
      { reason: `the capture addon is not built: ${ADDON_BUILD_HINT}` },
      "capability bounding set kept",
    );
  } else {
    try {
      caps.dropCapabilities("bounding");
    } catch (err: unknown) {
      log.warn({ reason: messageOf(err) }, "capability bounding set kept");
    }
  }
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
  if (regained || process.getuid?.() === 0)
    throw new PrivilegeError(
      "ERR_PRIVILEGE_STILL_ROOT",
      "privileges could not be dropped: still root",
    );
  log.info(
    { uid: process.getuid?.(), gid: process.getgid?.(), user: cfg.user, group },
    "privileges dropped",
  );
}

/**
 * Clears what any thread still holds; returns the threads cleared (0: none held anything).
 * Throws when a thread keeps a capability, or there is something to clear and no addon.
 */
function clearCapabilities(log: Logger, caps: CapabilityCalls | null): number {
  const holding = threadCapabilities().filter((t) => heldBy(t) !== 0n);
  if (holding.length === 0) return 0;
  const held = capabilityNames(holding.reduce((all, t) => all | heldBy(t), 0n));
  if (caps === null) {
    throw new PrivilegeError(
      "ERR_PRIVILEGE_CAPABILITIES",
      `this process holds ${held}, which it does not need once its capture handles are open, and clearing them from every thread needs the capture addon: ${ADDON_BUILD_HINT} Or start it without capabilities.`,
    );
  }
  let threads: number;
  try {
    threads = caps.dropCapabilities("all");
  } catch (err: unknown) {
    throw new PrivilegeError("ERR_PRIVILEGE_CAPABILITIES", messageOf(err), { cause: err });
  }
  const left = threadCapabilities().find((t) => heldBy(t) !== 0n);
  if (left !== undefined) {
    throw new PrivilegeError(
      "ERR_PRIVILEGE_CAPABILITIES",
      `thread ${left.tid} still holds ${capabilityNames(heldBy(left))} after they were cleared`,
    );
  }
  log.info({ threads, capabilities: held }, "capabilities cleared");
  return threads;
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
  drop: Pick<DropResult, "dropped" | "uid" | "gid">,
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
