/**
 * The test side of capture-agent.ts: starts an agent in a namespace and sends it commands.
 * Every request has a time limit, and `kill` ends the agent by its PID if a test fails
 * before it exits by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../../support/paths.js";

const AGENT = `${REPO_ROOT}dist/test/integration/live/capture-agent.js`;

export type Reply = Record<string, unknown> & { ok: boolean };

export class Agent {
  private readonly child: ChildProcess;
  private readonly waiting: ((reply: Reply) => void)[] = [];
  private stderr = "";
  readonly exited: Promise<number | null>;

  private constructor(netns: string | null, script: string) {
    const [cmd, args] =
      netns === null
        ? [process.execPath, [script]]
        : ["ip", ["netns", "exec", netns, process.execPath, script]];
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    const stdout = this.child.stdout;
    if (stdout === null) throw new Error("agent has no stdout");
    createInterface({ input: stdout }).on("line", (line) => {
      const next = this.waiting.shift();
      const reply: unknown = JSON.parse(line);
      if (next !== undefined && typeof reply === "object" && reply !== null && "ok" in reply) {
        next(reply as Reply);
      }
    });
  }

  /**
   * Starts an agent (in `netns`, or here) and waits for it to be ready. `script` is another
   * program speaking the same protocol (the live benchmark's runner).
   */
  static async start(netns: string | null, script = AGENT): Promise<Agent> {
    const agent = new Agent(netns, script);
    await agent.reply("start", 20_000);
    return agent;
  }

  private reply(what: string, timeoutMs: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`agent: no reply to ${what} in ${timeoutMs} ms; ${this.stderr}`)),
        timeoutMs,
      );
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Sends a command; resolves with its reply (ok or not). */
  send(command: Record<string, unknown>, timeoutMs = 30_000): Promise<Reply> {
    const pending = this.reply(String(command.op), timeoutMs);
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
    return pending;
  }

  /** Sends a command that must succeed; resolves with its reply. */
  async do(command: Record<string, unknown>, timeoutMs = 30_000): Promise<Reply> {
    const r = await this.send(command, timeoutMs);
    if (!r.ok) throw new Error(`agent ${String(command.op)}: ${JSON.stringify(r.error)}`);
    return r;
  }

  /** True until the agent process has exited. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get errorOutput(): string {
    return this.stderr;
  }

  /** Ends the agent by its PID if it is still running (test clean-up). */
  kill(): void {
    if (this.running) this.child.kill("SIGKILL");
  }
}
