/**
 * The `netnet` command line. Each subcommand lives in its own module; this file only
 * declares them (with their --help) and turns failures into one clear line and an exit code.
 */
import { Command, InvalidArgumentError } from "commander";
import { messageOf } from "../util/errors.js";
import { packageVersion } from "../util/version.js";
import { DEFAULT_CLI_COST, hashPasswordCommand, parseCost } from "./hash-password-command.js";
import { interfacesCommand } from "./interfaces-command.js";
import { type ReplayOptions, replayCommand } from "./replay-command.js";

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
      "net-net: a real-time network monitor. Captures packets, tracks flows, aggregates " +
        "bandwidth and protocol statistics.",
    )
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("replay")
    .summary("process a capture file as fast as it can and report its traffic")
    .description(
      "Process a capture file (pcap, pcapng, or either gzip-compressed) as fast as possible " +
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
    .option(
      "--bpf <expr>",
      "process only the packets matching this BPF filter, as tcpdump -r FILE EXPR\n" +
        "(compiled by libpcap: needs the live-capture addon)",
    )
    .addHelpText(
      "after",
      "\nExit status: 0 on success, 1 when the file cannot be read, 2 when it is damaged\n" +
        "(the packets before the damage are processed and reported), 1 also for an invalid\n" +
        "--bpf filter (libpcap's message is printed).\n" +
        "Byte counts are frame lengths on the wire (pcap orig_len), as tshark's frame.len.\n" +
        "See docs/engine.md for decode rules, flow keys and counting conventions.",
    )
    // Commander's options object holds exactly the options above: the replay's own options.
    .action(async (file: string, o: ReplayOptions) => {
      process.exitCode = await replayCommand(file, o);
    });

  program
    .command("daemon")
    .summary("run the monitor: capture, history, API, live stream and dashboard")
    .description(
      "Run the monitor: live capture (or offline.file), flow tracking and statistics, the " +
        "SQLite history, and the REST API, live stream and dashboard on one port.",
    )
    .option(
      "-c, --config <file>",
      "YAML config (see examples/netnet.yaml); default: built-in defaults",
    )
    .addHelpText(
      "after",
      "\nSignals: SIGTERM or SIGINT stop capture, write the open window and every flow, close\n" +
        "the database and exit 0; SIGHUP re-reads the config (POST /control/reload does too).\n" +
        "Live capture needs root or CAP_NET_RAW; npm run demo replays a bundled capture instead.\n" +
        "See docs/api.md, docs/configuration.md and docs/security.md.",
    )
    .action(async (o: { config?: string }) => {
      const { daemonCommand } = await import("./daemon-command.js");
      process.exitCode = await daemonCommand(o.config === undefined ? {} : { config: o.config });
    });

  program
    .command("check-config")
    .summary("check a config as the daemon would, without starting it")
    .description(
      "Check a config file the way the daemon would, without starting it: every key, the BPF " +
        "filter (libpcap's message), users and password hashes, and the exposure rules.",
    )
    .option("-c, --config <file>", "YAML config to check; default: the built-in defaults")
    .addHelpText(
      "after",
      "\nExit status: 0 when the daemon would start on it (warnings are printed but pass),\n" +
        "1 with one line per error, naming the key. See docs/configuration.md.",
    )
    .action(async (o: { config?: string }) => {
      const { checkConfigCommand } = await import("./check-config-command.js");
      process.exitCode = await checkConfigCommand(
        o.config === undefined ? {} : { config: o.config },
      );
    });

  program
    .command("interfaces")
    .summary("list the devices libpcap can capture on")
    .description(
      "List the devices libpcap can capture on, with their addresses and flags; the one " +
        "marked * carries the default route and is captured when the config names none.",
    )
    .option("--json", "print the list as one JSON object on stdout", false)
    .addHelpText(
      "after",
      "\nNeeds the live-capture addon (npm run build:native, with libpcap-dev installed).\n" +
        "Exit status: 0, or 1 when the addon is missing or libpcap cannot list devices.\n" +
        "See docs/capture.md.",
    )
    .action((o: { json: boolean }) => {
      process.exitCode = interfacesCommand({ json: o.json });
    });

  program
    .command("hash-password")
    .summary("print a bcrypt hash for users[].password")
    .description(
      "Print a bcrypt hash of a password, for users[].password in the config. " +
        "On a terminal the password is typed twice without echo; otherwise it is read " +
        "as one line from standard input. The password itself is never printed.",
    )
    .option(
      "--cost <n>",
      "bcrypt cost, 10 to 15 (each step doubles the time)",
      parseCost,
      DEFAULT_CLI_COST,
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  netnet hash-password\n" +
        "  read -rs PW && printf '%s\\n' \"$PW\" | netnet hash-password --cost 13\n" +
        "\nExit status: 0 with the hash on stdout, 1 on an empty, mismatched or too long\n" +
        "(over 72 bytes) password, 130 when cancelled with Ctrl-C.",
    )
    .action(async (o: { cost: number }) => {
      process.exitCode = await hashPasswordCommand({ cost: o.cost });
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err: unknown) {
    // Anything that reaches here is unexpected or an operating-system error (a path that
    // cannot be written, say): one line for the user, the stack only when asked for.
    const message = messageOf(err);
    process.stderr.write(`netnet: ${message}\n`);
    if (process.env.NETNET_DEBUG && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    process.exitCode = 1;
  }
}

await main(process.argv);
