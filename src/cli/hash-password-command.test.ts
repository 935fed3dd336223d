import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { verifyPassword } from "../auth/passwords.js";

/** bin/netnet.js, from dist/src/cli/. */
const BIN = fileURLToPath(new URL("../../../bin/netnet.js", import.meta.url));

function hashPasswordCli(input: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "hash-password", ...args], {
    input,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BCRYPT_LINE = /^\$2b\$(\d\d)\$[./A-Za-z0-9]{53}\n$/;

describe("netnet hash-password", () => {
  test("hashes one line of standard input and prints nothing else", async () => {
    const password = "c0rrect-hörse battery";
    const r = hashPasswordCli(`${password}\n`, "--cost", "10");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, BCRYPT_LINE);
    assert.equal(BCRYPT_LINE.exec(r.stdout)?.[1], "10");
    assert.equal(r.stderr, "");
    assert.equal(await verifyPassword(password, r.stdout.trim()), true);
    assert.equal(r.stdout.includes(password), false);
  });

  test("strips a CRLF line end, takes a last line without one, and defaults to cost 12", async () => {
    const crlf = hashPasswordCli("pässword\r\n", "--cost", "10");
    assert.equal(crlf.code, 0, crlf.stderr);
    assert.equal(await verifyPassword("pässword", crlf.stdout.trim()), true);
    const bare = hashPasswordCli("no-newline");
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(BCRYPT_LINE.exec(bare.stdout)?.[1], "12");
    assert.equal(await verifyPassword("no-newline", bare.stdout.trim()), true);
  });

  test("refuses empty input, several lines and an over-long password, never echoing it", () => {
    const cases = [
      ["", /the password is empty/],
      ["\n", /the password is empty/],
      ["first-secret\nsecond-secret\n", /one line/],
      [`${"long-secret-".repeat(7)}\n`, /longer than 72 bytes/],
    ] as const;
    for (const [input, message] of cases) {
      const r = hashPasswordCli(input, "--cost", "10");
      assert.equal(r.code, 1, JSON.stringify(input));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, message);
      assert.equal(r.stderr.includes("secret"), false);
    }
  });

  test("--cost must be 10 to 15", () => {
    for (const cost of ["9", "16", "12.5", "abc"]) {
      const r = hashPasswordCli("pw\n", "--cost", cost);
      assert.notEqual(r.code, 0, cost);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /must be a whole number from 10 to 15/);
    }
  });

  test("--help describes the command and its option", () => {
    const r = hashPasswordCli("", "--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--cost <n>/);
    assert.match(r.stdout, /without echo/);
    const top = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" });
    assert.match(top.stdout, /hash-password/);
  });
});

/**
 * Runs the command on a pseudo-terminal (script(1)), typing each answer only once its
 * prompt is shown, as a person would. Returns everything the terminal displayed.
 */
function onTerminal(answers: string[]): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "script",
      ["-qec", `${process.execPath} ${BIN} hash-password --cost 10`, "/dev/null"],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let screen = "";
    let prompts = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no answer from the terminal; it shows ${JSON.stringify(screen)}`));
    }, 20_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      screen += chunk;
      const seen = screen.split(/password: /i).length - 1;
      while (prompts < seen && prompts < answers.length) {
        child.stdin.write(answers[prompts]);
        prompts++;
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, screen });
    });
  });
}

describe("netnet hash-password on a terminal", () => {
  test("asks twice without echo and prints the hash", async () => {
    // Typed with a mistake, fixed with backspace: the password is "tty-secret".
    const r = await onTerminal(["tty-secrex\u007ft\r", "tty-secret\r"]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /Password: /);
    assert.match(r.screen, /Repeat password: /);
    const hash = /\$2b\$10\$[./A-Za-z0-9]{53}/.exec(r.screen)?.[0] ?? "";
    assert.equal(await verifyPassword("tty-secret", hash), true);
    assert.equal(r.screen.includes("tty-secre"), false, "nothing typed is echoed");
  });

  test("refuses two different answers", async () => {
    const r = await onTerminal(["tty-secret-one\r", "tty-secret-two\r"]);
    assert.equal(r.code, 1);
    assert.match(r.screen, /the passwords do not match/);
    assert.doesNotMatch(r.screen, /\$2b\$/);
    assert.equal(r.screen.includes("tty-secret"), false);
  });

  test("Ctrl-C cancels", async () => {
    const r = await onTerminal(["abc\u0003"]);
    assert.equal(r.code, 130);
    assert.match(r.screen, /cancelled/);
    assert.equal(r.screen.includes("abc"), false);
  });
});
