/**
 * The agents' protocol (the live tests' capture agent, bench:live's runner): one JSON command
 * per line of stdin, one JSON reply per line of stdout, and a ready line first. The client is
 * agent-client.ts.
 */
import { createInterface, type Interface } from "node:readline";

export type Command = Record<string, unknown> & { op: string };

/** Answers each command with `run`; returns the line reader, for `exit` to close. */
export function serveCommands(run: (c: Command) => Promise<Record<string, unknown>>): Interface {
  const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const input = createInterface({ input: process.stdin });
  input.on("line", (line) => {
    const c: unknown = JSON.parse(line);
    if (typeof c !== "object" || c === null || !("op" in c) || typeof c.op !== "string") {
      reply({ ok: false, error: { message: "bad command" } });
      return;
    }
    run(c as Command).then(
      (r) => reply({ ok: true, ...r }),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const code = "code" in e && typeof e.code === "string" ? e.code : null;
        reply({ ok: false, error: { code, message: e.message } });
      },
    );
  });
  reply({ ok: true, ready: true, pid: process.pid });
  return input;
}
