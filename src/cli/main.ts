/**
 * The `netnet` command line. Each subcommand lives in its own module; this file only
 * declares them (with their --help) and turns failures into one clear line and an exit code.
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { replayCommand } from "./replay-command.js";

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
    );
    if (pkg && typeof pkg === "object" && "version" in pkg && typeof pkg.version === "string") {
      return pkg.version;
    }
  } catch {
    // Fall through: a version is nice to have, not a reason to fail.
  }
  return "unknown";
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw new InvalidArgumentError("must be a whole number from 0 to 1000000");
  }
  return n;
}

export function buildProgram(): Command {
  const program = new Command()
    .name("netnet")
    .description(
      "net-net: a real-time network monitor. Captures packets, tracks flows, aggregates\n" +
        "bandwidth and protocol statistics.",
    )
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("replay")
    .description(
      "Process a capture file (pcap, pcapng, or either gzip-compressed) as fast as possible\n" +
        "and print a report of its traffic, flows and statistics.",
    )
    .argument("<file>", "capture file to read (.pcap, .pcapng, .pcap.gz, ...)")
    .option("--json", "print the report as one JSON object on stdout", false)
    .option(
      "--top <n>",
      "entries in each top list (flows, sources, destinations, ports)",
      nonNegativeInt,
      10,
    )
    .option("--flows-out <file>", "write every flow of the run as one JSON object per line")
    .option("-c, --config <file>", "read tracking.* and stats.* settings from this YAML config")
    .option(
      "--no-progress",
      "never draw the progress bar (it is drawn only when stderr is a terminal)",
    )
    .addHelpText(
      "after",
      "\nExit status: 0 on success, 1 when the file cannot be read, 2 when it is damaged\n" +
        "(the packets before the damage are processed and reported).\n" +
        "Byte counts are frame lengths on the wire (pcap orig_len), as tshark's frame.len.\n" +
        "See docs/engine.md for decode rules, flow keys and counting conventions.",
    )
    .action(
      async (
        file: string,
        o: { json: boolean; top: number; flowsOut?: string; config?: string; progress: boolean },
      ) => {
        process.exitCode = await replayCommand(file, {
          json: o.json,
          top: o.top,
          progress: o.progress,
          ...(o.flowsOut !== undefined ? { flowsOut: o.flowsOut } : {}),
          ...(o.config !== undefined ? { config: o.config } : {}),
        });
      },
    );

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err: unknown) {
    // Anything that reaches here is unexpected or an operating-system error (a path that
    // cannot be written, say): one line for the user, the stack only when asked for.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`netnet: ${message}\n`);
    if (process.env.NETNET_DEBUG && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
