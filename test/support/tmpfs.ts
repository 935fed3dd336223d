/**
 * A real small file system that fills up: a tmpfs of a given size mounted on a fresh
 * directory, for tests of what happens when the disk is full. Mounting needs root (CI runs
 * as root); `tmpfsUnavailable` says why it cannot be done here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Tmpfs {
  dir: string;
  /** Changes the size (a remount): bigger makes room again. */
  resize(bytes: number): void;
  /** Unmounts and removes the directory; never throws. */
  remove(): void;
}

export function tmpfsUnavailable(): string | false {
  if (process.platform !== "linux") return "tmpfs is Linux's";
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root (CI runs as root)";
  return false;
}

function mount(args: string[]): void {
  const r = spawnSync("mount", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`mount ${args.join(" ")}: ${r.stderr || r.error?.message}`);
}

export function mountTmpfs(bytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), "netnet-tmpfs-"));
  try {
    mount(["-t", "tmpfs", "-o", `size=${bytes},mode=0700`, "tmpfs", dir]);
  } catch (err: unknown) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dir,
    resize: (next) => mount(["-o", `remount,size=${next}`, dir]),
    remove() {
      spawnSync("umount", [dir], { timeout: 10_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
