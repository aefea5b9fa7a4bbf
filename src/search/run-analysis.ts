import { MAX_EVENTS_PAGE } from "../domain/query/event-filter.ts";
import { type BasicStatQuery, BUCKET_MS, resolveTimeRange, type StatResult } from "../domain/query/stat-query.ts";
import {
  compareDistributions,
  type Difference,
  type Episode,
  findEpisode,
  type MinutePoint,
  minutePoints,
} from "../domain/question/analysis.ts";
import type { AnalysisRequest } from "../domain/question/types.ts";
import type { EventFilter, EventStore, QueryScope } from "../ports/event-store.ts";
import { answerStatQuery } from "../stats/stat-service.ts";

/**
 * Runs an ANALYSIS plan: the exact per-minute error-rate and count series of the scope (rollups,
 * the same StatQuery POST /v1/query answers), the change point in it, and for "what is different"
 * the kept events of the failing (or slow) set against the rest, weighted by sampling rate.
 */

/** Kept events read per set for a comparison: enough for stable shares, bounded for the store. */
export const MAX_COMPARED_EVENTS = 4000;

export interface EpisodeResult {
  rates: StatResult;
  points: MinutePoint[];
  episode: Episode | undefined;
  codes: { code: string; count: number }[];
}

export async function runEpisode(store: EventStore, query: BasicStatQuery, scope: Required<QueryScope>): Promise<EpisodeResult> {
  const countQuery: BasicStatQuery = { ...query, metric: "count" };
  const [rates, counts] = await Promise.all([answerStatQuery(store, query, scope), answerStatQuery(store, countQuery, scope)]);
  const points = minutePoints(rates.rows, counts.rows);
  const episode = findEpisode(points);
  let codes: { code: string; count: number }[] = [];
  if (episode) {
    const to = new Date(Date.parse(episode.end) + BUCKET_MS[query.bucket ?? "1m"]).toISOString();
    const byCode = await answerStatQuery(
      store,
      { metric: "count", filter: { ...query.filter, hasError: true }, groupBy: ["errorCode"], timeRange: { from: episode.start, to } },
      scope,
    );
    codes = byCode.rows
      .filter((r) => typeof r.errorCode === "string" && (r.value ?? 0) > 0)
      .map((r) => ({ code: String(r.errorCode), count: r.value ?? 0 }))
      .sort((a, b) => b.count - a.count);
  }
  return { rates, points, episode, codes };
}

async function readAll(store: EventStore, filter: EventFilter, scope: QueryScope): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.find({ ...filter, limit: MAX_EVENTS_PAGE, ...(cursor ? { cursor } : {}) }, scope);
    out.push(...page.events);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < MAX_COMPARED_EVENTS);
  return out;
}

export interface DifferenceResult {
  differences: Difference[];
  targetCount: number;
  restCount: number;
  /** The duration (ms) from which a request counts as slow, for the slow cohort. */
  slowFromMs?: number;
}

const weight = (events: readonly Record<string, unknown>[]) =>
  events.reduce((sum, e) => {
    const rate = (e.sampling as { rate?: unknown } | undefined)?.rate;
    return sum + (typeof rate === "number" && rate > 0 ? 1 / rate : 1);
  }, 0);

export async function runDifference(store: EventStore, analysis: AnalysisRequest, scope: Required<QueryScope>): Promise<DifferenceResult> {
  const { query } = analysis;
  const { from, to } = resolveTimeRange(query.timeRange, scope.now);
  const base: EventFilter = { ...query.filter, from, to, limit: MAX_EVENTS_PAGE };
  delete base.hasError;
  if (analysis.cohort === "slow") {
    // Slow: at or above the scope's exact p95 (rollups), compared with everything faster.
    const p95 = await answerStatQuery(
      store,
      { metric: "p95", field: "durationMs", filter: query.filter, timeRange: query.timeRange },
      scope,
    );
    const slowFromMs = p95.rows[0]?.value ?? Number.POSITIVE_INFINITY;
    const all = await readAll(store, base, scope);
    const isSlow = (e: Record<string, unknown>) => typeof e.durationMs === "number" && e.durationMs >= slowFromMs;
    const target = all.filter(isSlow);
    const rest = all.filter((e) => !isSlow(e));
    return { differences: compareDistributions(target, rest), targetCount: weight(target), restCount: weight(rest), slowFromMs };
  }
  const [target, rest] = await Promise.all([
    readAll(store, { ...base, hasError: true }, scope),
    readAll(store, { ...base, hasError: false }, scope),
  ]);
  return { differences: compareDistributions(target, rest), targetCount: weight(target), restCount: weight(rest) };
}
