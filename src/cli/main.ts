// `wide-gate`: the operator's command line (npm run cli -- …, or the package's bin).

import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { positiveInt } from "./args.ts";
import { registerAsk } from "./commands/ask.ts";
import { registerDlq } from "./commands/dlq.ts";
import { registerEvents } from "./commands/events.ts";
import { registerKey } from "./commands/key.ts";
import { registerQuery } from "./commands/query.ts";
import { registerReplay } from "./commands/replay.ts";
import { registerTail } from "./commands/tail.ts";
import { registerTop } from "./commands/top.ts";
import { DEFAULT_URL } from "./context.ts";
import { CliError, EXIT } from "./errors.ts";

/** Read at run time: src/ does not import files outside it. */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function buildProgram(): Command {
  const program = new Command("wide-gate")
    .description("Query, search, follow and operate a wide-gate gateway.")
    .version(version())
    .addOption(new Option("--url <url>", "gateway base URL").env("WIDE_GATE_URL").default(DEFAULT_URL))
    .addOption(new Option("--key <key>", "query API key (sent as Authorization: Bearer)").env("WIDE_GATE_KEY"))
    .option("--json", "print JSON for scripts instead of tables", false)
    .addOption(new Option("--timeout <ms>", "per-request timeout in milliseconds").default(15_000).argParser(positiveInt))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText("after", "\nExit codes: 0 ok, 1 the gateway or Kafka answered with an error, 2 usage error, 3 cannot connect.");
  registerQuery(program);
  registerAsk(program);
  registerEvents(program);
  registerTail(program);
  registerTop(program);
  registerDlq(program);
  registerReplay(program);
  registerKey(program);
  return program;
}

/** Runs the CLI and returns its exit code; every expected failure is one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`wide-gate: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`wide-gate: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT.answer;
  }
}

if (import.meta.main) process.exit(await runCli(process.argv.slice(2)));
