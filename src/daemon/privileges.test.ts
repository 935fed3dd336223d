import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { memoryLogger } from "../../test/support/log.js";
import { readProblem, warnIfUnreadableAfterDrop } from "./privileges.js";

/** A service user and group that own nothing else in the test's directory. */
const UID = 4242;
const GID = 4343;
const OTHER_GID = 4444;

const isRoot = process.getuid?.() === 0;

describe("whether the config file stays readable after the privilege drop", {
  skip: isRoot ? false : "needs root to give files other owners",
}, () => {
  let dir: string;
  /** A file in a directory everyone may enter, with this owner and mode. */
  const file = (name: string, uid: number, gid: number, mode: number): string => {
    const path = join(dir, name);
    writeFileSync(path, "api:\n  token: x\n");
    chownSync(path, uid, gid);
    chmodSync(path, mode);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "netnet-privileges-"));
    chmodSync(dir, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("H10: root:<the service group> 0640 is readable by the service user", () => {
    assert.equal(readProblem(file("shared.yaml", 0, GID, 0o640), UID, GID), null);
  });

  test("H10: a file only root may read is not, and the reason names its owner and mode", () => {
    const path = file("root-only.yaml", 0, 0, 0o600);
    assert.equal(
      readProblem(path, UID, GID),
      `${path} is 0:0 mode 0600: uid ${UID} (gid ${GID}) may not read it`,
    );
    // Another group than the service user's does not help either.
    const other = file("other-group.yaml", 0, OTHER_GID, 0o640);
    assert.match(readProblem(other, UID, GID) ?? "", /0:4444 mode 0640: uid 4242 .* may not read/);
  });

  test("H10: the class that matches decides, with no fallback to the next", () => {
    // The group matches and has no read bit: others' read bit does not apply to the group.
    assert.match(readProblem(file("group-denied.yaml", 0, GID, 0o604), UID, GID) ?? "", /0604/);
    // The owner matches and has no read bit: the group's does not apply to the owner.
    assert.match(readProblem(file("owner-denied.yaml", UID, GID, 0o040), UID, GID) ?? "", /0040/);
    assert.equal(readProblem(file("owner.yaml", UID, GID, 0o400), UID, GID), null);
    assert.equal(readProblem(file("world.yaml", 0, 0, 0o644), UID, GID), null);
  });

  test("H10: every directory above the file must be searchable", () => {
    const closed = join(dir, "closed");
    mkdirSync(closed);
    chmodSync(closed, 0o750); // root:root, so the service user is "others" here
    const path = join(closed, "netnet.yaml");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    assert.equal(
      readProblem(path, UID, GID),
      `${closed} is 0:0 mode 0750: uid ${UID} (gid ${GID}) may not enter it`,
    );
    chownSync(closed, 0, GID);
    assert.equal(readProblem(path, UID, GID), null);
  });

  test("H10: root reads anything; a missing file is a problem of its own", () => {
    assert.equal(readProblem(file("root.yaml", 0, 0, 0o000), 0, 0), null);
    assert.match(readProblem(join(dir, "missing.yaml"), UID, GID) ?? "", /cannot be found/);
  });

  test("H10: nothing is checked without a drop", () => {
    const { log, lines } = memoryLogger();
    const path = file("not-dropped.yaml", 0, 0, 0o600);
    warnIfUnreadableAfterDrop(path, { dropped: false, uid: 0, gid: 0 }, "netnet", log);
    assert.deepEqual(lines, []);
  });
});
