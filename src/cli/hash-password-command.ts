/**
 * `netnet hash-password`: prints a bcrypt hash for `users[].password` in the config. On a
 * terminal the password is typed twice without echo; otherwise it is one line of standard
 * input. The password is never printed, logged or part of an error message.
 */
import type { Readable, Writable } from "node:stream";
import { InvalidArgumentError } from "commander";
import { NetnetError } from "../util/errors.js";

/** Costs offered by the command: 10 is the least worth having, 15 takes seconds per login. */
export const MIN_COST = 10;
export const MAX_COST = 15;
export const DEFAULT_CLI_COST = 12;

/** Standard input larger than this is not a password line. */
const MAX_STDIN_BYTES = 64 * 1024;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** As a shell reports a command ended by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

export function parseCost(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_COST || n > MAX_COST) {
    throw new InvalidArgumentError(`must be a whole number from ${MIN_COST} to ${MAX_COST}`);
  }
  return n;
}

/** A terminal's input: Node's `tty.ReadStream` fits. */
interface TerminalInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface HashPasswordIo {
  stdin: TerminalInput;
  stdout: Writable;
  stderr: Writable;
}

/** Codes of the command's own errors (they end the command with a message, never a trace). */
export const HASH_PASSWORD_ERROR_CODES = [
  "ERR_CLI_INTERRUPTED", // Ctrl-C at a prompt
  "ERR_CLI_PASSWORD_INPUT", // no usable password was entered (the message says why)
] as const;

/** Thrown when the user presses Ctrl-C at a prompt. */
class Interrupted extends NetnetError {
  constructor() {
    super("ERR_CLI_INTERRUPTED", "interrupted");
  }
}

/** A failure whose message is safe to show: it never contains the password. */
class InputError extends NetnetError {
  constructor(message: string) {
    super("ERR_CLI_PASSWORD_INPUT", message);
  }
}

/**
 * Reads one line from a terminal in raw mode, so nothing typed is echoed. Handles backspace,
 * Ctrl-U (erase the line), Ctrl-C (cancel) and Ctrl-D on an empty line; escape sequences
 * (arrow keys) are ignored.
 */
function readHidden(prompt: string, input: TerminalInput, output: Writable): Promise<string> {
  // Echo goes off before the prompt shows, so nothing typed after seeing it is echoed.
  input.setRawMode?.(true);
  output.write(prompt);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let chars: string[] = [];
    const finish = () => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.setRawMode?.(false);
      input.pause();
      output.write("\n");
    };
    const onEnd = () => {
      finish();
      reject(new InputError("the terminal closed before a password was entered"));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          finish();
          resolve(chars.join(""));
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new Interrupted());
          return;
        }
        if (ch === "\u0004") {
          if (chars.length > 0) continue;
          finish();
          reject(new InputError("no password entered"));
          return;
        }
        if (ch === "\u007f" || ch === "\b") chars.pop();
        else if (ch === "\u0015") chars = [];
        else if (ch === "\u001b") break;
        else if (ch >= " ") chars.push(ch);
      }
    };
    input.on("data", onData);
    input.once("end", onEnd);
  });
}

/** Reads all of a non-terminal standard input and returns its one line, newline stripped. */
async function readLine(input: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new InputError("standard input is too long for a password");
    parts.push(buf);
  }
  let text = Buffer.concat(parts).toString("utf8");
  if (text.endsWith("\n")) text = text.slice(0, -1);
  if (text.endsWith("\r")) text = text.slice(0, -1);
  if (text.includes("\n")) {
    throw new InputError("standard input must hold one line: the password");
  }
  return text;
}

export async function hashPasswordCommand(
  opts: { cost: number },
  io: HashPasswordIo = process,
): Promise<number> {
  let password: string;
  try {
    if (io.stdin.isTTY === true) {
      password = await readHidden("Password: ", io.stdin, io.stderr);
      const again = await readHidden("Repeat password: ", io.stdin, io.stderr);
      if (again !== password) throw new InputError("the passwords do not match");
    } else {
      password = await readLine(io.stdin);
    }
  } catch (err: unknown) {
    if (err instanceof Interrupted) {
      io.stderr.write("netnet: cancelled\n");
      return EXIT_INTERRUPTED;
    }
    if (err instanceof InputError) {
      io.stderr.write(`netnet: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }

  // Loaded here so that other commands do not load the native bcrypt module.
  const { hashPassword } = await import("../auth/passwords.js");
  let hashed: string;
  try {
    hashed = await hashPassword(password, opts.cost);
  } catch (err: unknown) {
    // hashPassword's own messages (empty, too long, cost) never contain the password.
    if (err instanceof RangeError) {
      io.stderr.write(`netnet: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  io.stdout.write(`${hashed}\n`);
  return EXIT_OK;
}
