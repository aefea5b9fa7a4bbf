import { type BasicStatQuery, resolveTimeRange, type StatRow } from "../query/stat-query.ts";

/**
 * The numbers behind incident questions, pure: change points in an exact per-minute error-rate
 * series, and how the distribution of every field differs between two sets of kept events
 * (weighted by 1/sampling.rate, like Honeycomb's BubbleUp).
 */

/**
 * The series bucket for an incident window: minutes up to 16 hours, so the whole window fits in a
 * series answer (at most 1,000 rows); 5 minutes up to 3 days; hours beyond.
 */
export function withAnalysisBucket(query: BasicStatQuery, now: number): BasicStatQuery {
  const { from, to } = resolveTimeRange(query.timeRange, now);
  const minutes = (to - from) / 60_000;
  const bucket = minutes <= 960 ? "1m" : minutes <= 4320 ? "5m" : "1h";
  return { ...query, bucket };
}

export interface MinutePoint {
  at: string;
  rate: number;
  count: number;
}

export interface Episode {
  /** First and last minute above the threshold, and the minute of the peak. */
  start: string;
  end: string;
  peak: MinutePoint;
  /** Median error rate of the minutes before the episode (of all minutes when none precede it). */
  baseline: number;
  threshold: number;
  /** Whether the last minute with traffic is still above the threshold. */
  ongoing: boolean;
  /** Estimated failing requests in the episode (rate × count per minute). */
  errors: number;
  requests: number;
}

const median = (values: readonly number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Whether a run's failures are more than chance: at least 3 standard deviations (Poisson) and
 * 2 failures above what the error rate outside the run predicts. A busy service's stray minute
 * with 3 errors in 100 requests is not an incident; ten minutes at 40% are.
 */
function significant(points: readonly MinutePoint[], [a, b]: [number, number]): boolean {
  let inErrors = 0;
  let inCount = 0;
  let outErrors = 0;
  let outCount = 0;
  points.forEach((p, i) => {
    if (i >= a && i <= b) {
      inErrors += p.rate * p.count;
      inCount += p.count;
    } else {
      outErrors += p.rate * p.count;
      outCount += p.count;
    }
  });
  const expected = outCount > 0 ? (outErrors / outCount) * inCount : 0;
  return inErrors - expected > 3 * Math.sqrt(Math.max(expected, 1)) + 2;
}

/** Joins the error-rate and count series of the same query by bucket; minutes without traffic are left out. */
export function minutePoints(rates: readonly StatRow[], counts: readonly StatRow[]): MinutePoint[] {
  const byBucket = new Map(counts.map((r) => [r.bucket, r.value ?? 0]));
  return rates
    .filter((r) => r.bucket && r.value !== null && (byBucket.get(r.bucket) ?? 0) > 0)
    .map((r) => ({ at: r.bucket as string, rate: r.value ?? 0, count: byBucket.get(r.bucket) ?? 0 }));
}

/**
 * The largest run of minutes whose error rate stands clearly above the typical minute (gaps of one
 * quiet minute are bridged), or undefined when nothing does. Clearly above: more than twice the
 * median, at least 2 points higher, and above the median plus 5 median absolute deviations.
 */
export function findEpisode(points: readonly MinutePoint[]): Episode | undefined {
  if (points.length < 3) return undefined;
  const typical = median(points.map((p) => p.rate));
  const mad = median(points.map((p) => Math.abs(p.rate - typical)));
  const threshold = Math.max(typical * 2, typical + 0.02, typical + 5 * mad);
  const runs: [number, number][] = [];
  let open: [number, number] | undefined;
  points.forEach((p, i) => {
    if (p.rate <= threshold) return;
    if (open && i - open[1] <= 2) open[1] = i;
    else {
      open = [i, i];
      runs.push(open);
    }
  });
  const weight = ([a, b]: [number, number]) => points.slice(a, b + 1).reduce((sum, p) => sum + p.rate * p.count, 0);
  const best = runs.sort((x, y) => weight(y) - weight(x))[0];
  if (!best || !significant(points, best)) return undefined;
  const [a, b] = best;
  const inside = points.slice(a, b + 1);
  const before = points.slice(0, a).map((p) => p.rate);
  const peak = inside.reduce((m, p) => (p.rate > m.rate ? p : m));
  return {
    start: points[a]?.at ?? "",
    end: points[b]?.at ?? "",
    peak,
    baseline: before.length >= 3 ? median(before) : typical,
    threshold,
    ongoing: b === points.length - 1,
    errors: inside.reduce((sum, p) => sum + p.rate * p.count, 0),
    requests: inside.reduce((sum, p) => sum + p.count, 0),
  };
}

/** One field value that sets the target events apart from the rest. */
export interface Difference {
  field: string;
  value: string;
  /** Weighted shares (0–1) of the value in each set. */
  targetShare: number;
  restShare: number;
  /** eventIds of target events that hold the value. */
  exemplars: string[];
}

type Event = Record<string, unknown>;

/**
 * Fields left out of the comparison: identities, clocks and free text are unique per event, and
 * the fields that define "failing" itself (status, error type and message) only restate the split.
 * error.code stays: which error it is, is the first thing worth knowing.
 */
const SKIPPED =
  /^(?:eventId|requestId|tenant|timestamp|receivedAt|durationMs|statusCode|sampling(?:\..*)?|error\.(?:message|type|stack)|message|user\.id|_metadata\..*|.*\.(?:id|ts|time)|_.*)$/;

/** Scalar leaves of an event as dotted paths, at most `max` of them. */
function leaves(event: Event, prefix = "", out: [string, string][] = [], max = 200): [string, string][] {
  for (const [key, value] of Object.entries(event)) {
    if (out.length >= max) break;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) leaves(value as Event, path, out, max);
    else if (["string", "number", "boolean"].includes(typeof value) && !SKIPPED.test(path)) out.push([path, String(value)]);
  }
  return out;
}

const weightOf = (e: Event): number => {
  const rate = (e.sampling as { rate?: unknown } | undefined)?.rate;
  return typeof rate === "number" && rate > 0 && rate <= 1 ? 1 / rate : 1;
};

function shares(events: readonly Event[]): { total: number; byField: Map<string, Map<string, number>>; ids: Map<string, string[]> } {
  let total = 0;
  const byField = new Map<string, Map<string, number>>();
  const ids = new Map<string, string[]>();
  for (const e of events) {
    const w = weightOf(e);
    total += w;
    for (const [field, value] of leaves(e)) {
      const values = byField.get(field) ?? new Map<string, number>();
      values.set(value, (values.get(value) ?? 0) + w);
      byField.set(field, values);
      const key = `${field}\u0000${value}`;
      const list = ids.get(key) ?? [];
      if (list.length < 3 && typeof e.eventId === "string") list.push(e.eventId);
      ids.set(key, list);
    }
  }
  return { total, byField, ids };
}

/** Where the target set most differs from the rest: per field, its most over-represented value. */
export function compareDistributions(target: readonly Event[], rest: readonly Event[], top = 5): Difference[] {
  const t = shares(target);
  const r = shares(rest);
  if (t.total === 0) return [];
  const out: (Difference & { score: number })[] = [];
  for (const [field, values] of t.byField) {
    let best: (Difference & { score: number }) | undefined;
    for (const [value, weight] of values) {
      const targetShare = weight / t.total;
      const restShare = r.total > 0 ? (r.byField.get(field)?.get(value) ?? 0) / r.total : 0;
      const score = targetShare - restShare;
      if (!best || score > best.score)
        best = { field, value, targetShare, restShare, score, exemplars: t.ids.get(`${field}\u0000${value}`) ?? [] };
    }
    // Values nearly every event holds in both sets (one region, one plan) say nothing.
    if (best && best.score > 0.05) out.push(best);
  }
  // Ties go to the more specific field: a route names more than its service.
  const rank = (f: string) => (f === "error.code" ? 0 : f === "route" ? 1 : f === "service" ? 3 : 2);
  return out
    .sort((a, b) => b.score - a.score || rank(a.field) - rank(b.field))
    .slice(0, top)
    .map(({ score: _, ...d }) => d);
}
