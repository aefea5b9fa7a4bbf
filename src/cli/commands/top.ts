import { type Command, Option } from "commander";
import { durationMs, positiveInt } from "../args.ts";
import { GatewayClient } from "../client.ts";
import { clientFor, globals } from "../context.ts";
import { CliError, usageError } from "../errors.ts";
import { formatNumber, formatPercent, printJson, printLine, renderTable } from "../output.ts";
import { parsePrometheus, type Sample, sum } from "../prometheus.ts";
import type { QueryAnswer } from "./query.ts";

/** Gateway-wide counters from /metrics (the process's own, reset when it restarts). */
export interface Pipeline {
  received: number;
  kept: number;
  dropped: number;
  rejected: number;
  publishFailures: number;
  publishQueueDepth: number;
  /** Events per second since the previous refresh; absent on the first. */
  rates?: { received: number; kept: number; dropped: number; rejected: number };
}

/**
 * Per service over the window. requests (every accepted event), error rate and latency are exact
 * from the rollups; kept is counted from the stored events of the same range, up to `keptCap`.
 * Rejected events have no per-service count anywhere: they are in the pipeline line only.
 */
export interface ServiceRow {
  service: string;
  requests: number;
  perSecond: number;
  /** Stored events of this service in the range; `keptCapped` when counting stopped at the cap. */
  kept: number;
  keptCapped: boolean;
  /** requests − kept: null when kept was capped. */
  dropped: number | null;
  errorRate: number | null;
  p95: number | null;
  p99: number | null;
}

export interface TopSnapshot {
  at: string;
  window: string;
  /** Null when the gateway's /metrics refused the key (it needs METRICS_API_KEY); `pipelineNote` says why. */
  pipeline: Pipeline | null;
  pipelineNote?: string;
  services: ServiceRow[];
}

const METRICS_KEY_NOTE = "needs the gateway's metrics key: pass --metrics-key or set WIDE_GATE_METRICS_KEY";

interface TopFlags {
  metricsKey?: string;
  window: string;
  interval: number;
  keptCap: number;
  once?: boolean;
  iterations?: number;
}

const WINDOW = /^([1-9]\d{0,3})(m|h|d)$/;

export function registerTop(program: Command): void {
  program
    .command("top")
    .description(
      "live view per service: requests, kept, dropped, error rate, p95/p99 (rollups and stored events), and the pipeline's received/kept/dropped/rejected (/metrics)",
    )
    .option("-w, --window <duration>", "window the per-service numbers cover (15m, 1h, …)", "5m")
    .option("-i, --interval <duration>", "refresh interval", durationMs, 2000)
    .option("--kept-cap <n>", "stop counting a service's stored events at this many (each refresh pages GET /v1/events)", positiveInt, 2000)
    .addOption(
      new Option("--metrics-key <key>", "operator key for /metrics (METRICS_API_KEY on the gateway); default: --key").env(
        "WIDE_GATE_METRICS_KEY",
      ),
    )
    .option("--once", "print one snapshot and exit")
    .option("--iterations <n>", "exit after this many refreshes", positiveInt)
    .addHelpText("after", "\nExamples:\n  wide-gate top\n  wide-gate --json top --once")
    .action(async (flags: TopFlags, cmd: Command) => {
      const match = WINDOW.exec(flags.window);
      if (!match) throw usageError(`--window: expected a duration like 5m, 1h or 1d (got ${flags.window})`);
      const windowSeconds = Number(match[1]) * { m: 60, h: 3600, d: 86_400 }[match[2] as "m" | "h" | "d"];
      const client = clientFor(cmd);
      const { json, url, key, timeout } = globals(cmd);
      const metricsKey = flags.metricsKey ?? key;
      const metricsClient = new GatewayClient({ url, timeoutMs: timeout, ...(metricsKey ? { key: metricsKey } : {}) });
      const live = !json && !flags.once && process.stdout.isTTY === true;
      const iterations = flags.once ? 1 : (flags.iterations ?? Number.POSITIVE_INFINITY);
      let previous: { at: number; pipeline: Pipeline } | undefined;
      for (let i = 0; i < iterations; i++) {
        if (i > 0) await Bun.sleep(flags.interval);
        const at = Date.now();
        const [samples, services] = await Promise.all([
          pipelineSamples(metricsClient),
          serviceRows(client, flags.window, windowSeconds, flags.keptCap),
        ]);
        const pipeline = samples ? pipelineFrom(samples, previous, at) : null;
        if (pipeline) previous = { at, pipeline };
        const snapshot: TopSnapshot = {
          at: new Date(at).toISOString(),
          window: flags.window,
          pipeline,
          ...(pipeline ? {} : { pipelineNote: METRICS_KEY_NOTE }),
          services,
        };
        if (json) printJson(snapshot);
        else {
          if (live) process.stdout.write("\x1b[2J\x1b[H");
          printLine(renderTop(snapshot, client.base));
        }
      }
    });
}

/** /metrics parsed; undefined when the gateway wants an operator key this caller lacks (401). */
async function pipelineSamples(client: GatewayClient): Promise<Sample[] | undefined> {
  try {
    return parsePrometheus(await client.getText("/metrics"));
  } catch (error) {
    if (error instanceof CliError && error.status === 401) return undefined;
    throw error;
  }
}

function pipelineFrom(samples: Sample[], previous: { at: number; pipeline: Pipeline } | undefined, at: number): Pipeline {
  const outcome = (o: string) => sum(samples, "widegate_ingest_events_total", { outcome: o });
  const kept = outcome("kept");
  const dropped = outcome("dropped");
  const rejected = outcome("rejected");
  const pipeline: Pipeline = {
    received: kept + dropped + rejected,
    kept,
    dropped,
    rejected,
    publishFailures: sum(samples, "widegate_publish_failures_total"),
    publishQueueDepth: sum(samples, "widegate_publish_queue_depth"),
  };
  if (previous) {
    const seconds = Math.max((at - previous.at) / 1000, 0.001);
    // A restart resets the counters: a negative delta means "since the restart".
    const rate = (now: number, before: number) => (now >= before ? now - before : now) / seconds;
    pipeline.rates = {
      received: rate(pipeline.received, previous.pipeline.received),
      kept: rate(kept, previous.pipeline.kept),
      dropped: rate(dropped, previous.pipeline.dropped),
      rejected: rate(rejected, previous.pipeline.rejected),
    };
  }
  return pipeline;
}

async function serviceRows(client: GatewayClient, window: string, windowSeconds: number, keptCap: number): Promise<ServiceRow[]> {
  const ask = (metric: string) =>
    client.postJson<QueryAnswer>("/v1/query", { metric, groupBy: ["service"], timeRange: { last: window }, limit: 1000 });
  const [counts, errors, p95, p99] = await Promise.all([ask("count"), ask("error_rate"), ask("p95"), ask("p99")]);
  const byService = (answer: QueryAnswer) => new Map(answer.rows.map((r) => [String(r.service), r.value]));
  const errorOf = byService(errors);
  const p95Of = byService(p95);
  const p99Of = byService(p99);
  // The rollups' minute-aligned range, so kept and requests cover the same events.
  const to = counts.range ? Date.parse(counts.range.to) : Date.now();
  const from = counts.range ? Date.parse(counts.range.from) : to - windowSeconds * 1000;
  return Promise.all(
    counts.rows.map(async (r) => {
      const service = String(r.service);
      const requests = r.value ?? 0;
      const kept = await countStored(client, service, from, to, keptCap);
      return {
        service,
        requests,
        perSecond: requests / windowSeconds,
        kept: kept.count,
        keptCapped: kept.capped,
        dropped: kept.capped ? null : Math.max(requests - kept.count, 0),
        errorRate: errorOf.get(service) ?? null,
        p95: p95Of.get(service) ?? null,
        p99: p99Of.get(service) ?? null,
      };
    }),
  );
}

const PAGE = 200;

/** Stored events of one service in [from, to), paging GET /v1/events until the end or the cap. */
async function countStored(client: GatewayClient, service: string, from: number, to: number, cap: number) {
  let count = 0;
  let cursor: string | null | undefined;
  do {
    const query = new URLSearchParams({ service, from: String(from), to: String(to - 1), limit: String(Math.min(PAGE, cap - count + 1)) });
    if (cursor) query.set("cursor", cursor);
    const page = await client.getJson<{ events: unknown[]; nextCursor?: string | null }>(`/v1/events?${query}`);
    count += page.events.length;
    cursor = page.nextCursor;
  } while (cursor && count <= cap);
  return count > cap ? { count: cap, capped: true } : { count, capped: false };
}

export function renderTop(s: TopSnapshot, base: string): string {
  const p = s.pipeline;
  const r = p?.rates;
  const rate = (n: number | undefined) => (n === undefined ? "" : ` (${formatNumber(n)}/s)`);
  const header = [
    `wide-gate top  ${base}  ${s.at}`,
    ...(p
      ? [
          `pipeline since start: received ${p.received}${rate(r?.received)}  kept ${p.kept}${rate(r?.kept)}  dropped ${p.dropped}${rate(r?.dropped)}  rejected ${p.rejected}${rate(r?.rejected)}`,
          `publish: failures ${p.publishFailures}  queue ${p.publishQueueDepth}`,
        ]
      : [`pipeline: ${s.pipelineNote ?? METRICS_KEY_NOTE}`]),
    `per service, last ${s.window}:`,
  ];
  const table = renderTable(
    ["service", "requests", "req/s", "kept", "dropped", "error rate", "p95 ms", "p99 ms"],
    s.services.map((row) => [
      row.service,
      row.requests,
      row.perSecond,
      row.keptCapped ? `≥${row.kept}` : row.kept,
      row.dropped ?? "?",
      formatPercent(row.errorRate),
      row.p95,
      row.p99,
    ]),
  );
  return `${header.join("\n")}\n${table}`;
}
