import type { Command } from "commander";
import { positiveInt } from "../args.ts";
import { clientFor, globals } from "../context.ts";
import { usageError } from "../errors.ts";
import { type Cell, formatPercent, note, printJson, printLine, renderTable } from "../output.ts";
import { type QueryFlags, queryFromFlags } from "../stat-query-flags.ts";

export interface QueryAnswer {
  rows: Array<Record<string, unknown> & { value: number | null }>;
  estimated: boolean;
  source?: "rollups" | "events";
  range?: { from: string; to: string };
  query: { metric: string; groupBy?: string[]; bucket?: string };
}

export function registerQuery(program: Command): void {
  program
    .command("query")
    .description("run a StatQuery (POST /v1/query), given as JSON or built from flags")
    .argument("[json]", "the StatQuery as JSON, or - to read it from stdin")
    .option("-m, --metric <metric>", "count | error_rate | avg | min | max | p50 | p95 | p99")
    .option("--field <field>", "durationMs (default) or attr:<path>, for avg/min/max/percentiles")
    .option("-g, --group-by <fields>", "comma list of service, route, statusCode, errorCode, method, attr:<path>")
    .option("-f, --filter <cond...>", "key=value, key!=value, key>=n, key<n, key=a,b (in), attr.<path>=value")
    .option("--last <duration>", "time range ending now, e.g. 15m, 1h, 7d")
    .option("--from <iso>", "range start (ISO-8601 with a zone)")
    .option("--to <iso>", "range end (ISO-8601 with a zone; default now)")
    .option("-b, --bucket <size>", "time series bucket: 1m 5m 15m 1h 6h 1d")
    .option("--limit <n>", "rows, 1-1000", positiveInt)
    .addHelpText(
      "after",
      '\nExamples:\n  wide-gate query -m p95 -g route -f service=payment --last 1h\n  echo \'{"metric":"count"}\' | wide-gate query -',
    )
    .action(async (json: string | undefined, flags: QueryFlags, command: Command) => {
      const body = json === undefined ? queryFromFlags(flags) : parseQueryJson(json === "-" ? await Bun.stdin.text() : json);
      const answer = await clientFor(command).postJson<QueryAnswer>("/v1/query", body);
      if (globals(command).json) return printJson(answer);
      printLine(renderQuery(answer));
      note(footer(answer));
    });
}

function parseQueryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`the StatQuery is not valid JSON: ${(error as Error).message}`);
  }
}

export function renderQuery(answer: QueryAnswer): string {
  const groups = answer.query.groupBy ?? [];
  const bucket = answer.query.bucket ? ["bucket"] : [];
  const metric = answer.query.metric;
  const head = [...bucket, ...groups, metric];
  const rows = answer.rows.map((row): Cell[] => [
    ...bucket.map(() => row.bucket as Cell),
    ...groups.map((g) => row[g] as Cell),
    metric === "error_rate" ? formatPercent(row.value) : row.value,
  ]);
  return renderTable(head, rows);
}

function footer(answer: QueryAnswer): string {
  const range = answer.range ? ` over ${answer.range.from} → ${answer.range.to}` : "";
  const how = answer.estimated ? "estimated from sampled events" : "exact";
  return `${answer.rows.length} row(s), ${how}${answer.source ? ` (source: ${answer.source})` : ""}${range}`;
}
