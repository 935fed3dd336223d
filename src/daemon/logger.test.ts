import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { LOG_FILE_MODE, openDaemonLog } from "./logger.js";

/** The messages of a JSON-lines log file, in order; none while it does not exist. */
function messages(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => String((JSON.parse(l) as { msg: unknown }).msg));
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** Waits until `fn` holds, polling every 10 ms for at most 2 s. */
async function until(fn: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fn(), `timed out waiting for ${what}`);
}

describe("the daemon's log file", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "netnet-logger-"));
    file = join(dir, "netnet.log");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("H17: a new log file is readable by its owner and group only", () => {
    const { log } = openDaemonLog({ level: "info", file, timestamps: false }, true);
    log.info({ client: "192.0.2.1", user: "admin" }, "login");
    assert.equal(LOG_FILE_MODE, 0o640);
    assert.equal(modeOf(file), 0o640);
    assert.deepEqual(messages(file), ["login"]);
  });

  test("H17: reopen writes to a new file at the path once the old one was moved away", async () => {
    const { log, reopen } = openDaemonLog({ level: "info", file, timestamps: false });
    log.info("before");
    await until(() => messages(file).includes("before"), "the first line");
    renameSync(file, `${file}.1`);
    reopen();
    await until(() => messages(file).includes("log file reopened"), "the reopened file");
    log.info("after");
    await until(() => messages(file).includes("after"), "a line in the new file");
    assert.deepEqual(messages(`${file}.1`), ["before"]);
    assert.equal(modeOf(file), 0o640);
  });

  test("H17: a reopen that fails is logged, and the lines go on to the old file", async () => {
    const { log, reopen } = openDaemonLog({ level: "info", file, timestamps: false });
    log.info("before");
    await until(() => messages(file).includes("before"), "the first line");
    renameSync(file, `${file}.1`);
    mkdirSync(file); // nothing can be opened for writing at the path now
    reopen();
    await until(
      () =>
        messages(`${file}.1`).includes("log file could not be reopened; writing on to the old one"),
      "the failure, in the old file",
    );
    log.info("after");
    await until(() => messages(`${file}.1`).includes("after"), "the next line, in the old file");
  });

  test("H17: a log file readable by everyone loses the others' access when opened", () => {
    writeFileSync(file, "");
    chmodSync(file, 0o664); // exactly, whatever the umask
    const { log } = openDaemonLog({ level: "info", file, timestamps: false }, true);
    log.info("next");
    assert.equal(modeOf(file), 0o660, "only the others' bits go");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.deepEqual(JSON.parse(lines[0] ?? "{}"), {
      level: 30,
      name: "netnet",
      file,
      was: "0664",
      mode: "0660",
      msg: "log file was readable by others; now it is not",
    });
  });
});
