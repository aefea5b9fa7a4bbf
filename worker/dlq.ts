// DLQ tools: `bun run dlq:list [-- --json] [--limit N]` prints dead letters with their reasons;
// `bun run dlq:replay [-- --limit N] [--dry-run]` puts their original bytes back on their source topic.
// The same commands as `wide-gate dlq list|replay` (src/cli/commands/dlq.ts), with its exit codes.

import { runCli } from "../src/cli/main.ts";

process.exit(await runCli(["dlq", ...process.argv.slice(2)]));
