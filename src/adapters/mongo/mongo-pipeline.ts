import type { Document } from "mongodb";
import { type GroupPartial, type GroupValue, partialFor, partialKey } from "../../domain/query/evaluate.ts";
import { PERCENTILES, type QueryPlan } from "../../domain/query/plan.ts";
import type { GroupField } from "../../domain/query/stat-query.ts";

/**
 * StatQuery → aggregation passes that use only $match, $group with $sum and fields computed at
 * write time (see mongo-document.ts), so FerretDB 1.x runs them as MongoDB does. Richer forms are
 * used only when the server was seen to run them (Capabilities, probed at init).
 */

/** Where each whitelisted field lives in a stored document. */
export const FIELD_PATH: Readonly<Record<GroupField, string>> = {
  service: "service",
  route: "route",
  statusCode: "statusCode",
  errorCode: "_q.ec",
  method: "method",
};

export interface Capabilities {
  /**
   * Several accumulators in one `$group`. FerretDB 1.24.2 accepts them but computes only the first
   * (the others come back 0), so without this each pass carries one `$sum` and puts the rest of
   * what it needs (sampled flag, error flag, duration bin) in the group key.
   */
  multiSum: boolean;
  /** `$min` / `$max` accumulators (MongoDB; FerretDB 1.24 answers NotImplemented). */
  minMax: boolean;
  /** `$percentile` (MongoDB 7+). Reported, not used: it takes no weights (see README). */
  percentile: boolean;
  /** `$dateTrunc` (MongoDB 5+). Reported, not used: bucket starts are stored at write time. */
  dateTrunc: boolean;
}

export const PORTABLE: Capabilities = { multiSum: false, minMax: false, percentile: false, dateTrunc: false };

/** One aggregation and how its output rows add into the partials. */
export interface Pass {
  pipeline: Document[];
  read: (partial: GroupPartial, row: Document, id: Document) => void;
}

export function matchStage(plan: QueryPlan): Document {
  const match: Document = { tenant: plan.tenant, "_q.ts": { $gte: new Date(plan.from), $lt: new Date(plan.to) } };
  const f = plan.filter;
  if (f.service !== undefined) match.service = f.service;
  if (f.route !== undefined) match.route = f.route;
  if (f.statusCode !== undefined) match.statusCode = f.statusCode;
  if (f.errorCode !== undefined) match["_q.ec"] = f.errorCode;
  if (f.method !== undefined) match.method = f.method;
  if (f.hasError !== undefined) match["_q.err"] = f.hasError ? 1 : 0;
  if (plan.usesDuration) match["_q.d"] = { $exists: true };
  return { $match: match };
}

/** Group key: the groupBy fields as g0…, the bucket start as b, plus `extra` (flags, bins). */
function groupId(plan: QueryPlan, extra: Document = {}): Document | null {
  const id: Document = {};
  plan.groupBy.forEach((field, i) => {
    id[`g${i}`] = `$${FIELD_PATH[field]}`;
  });
  if (plan.bucket) id.b = `$_q.b${plan.bucket}`;
  Object.assign(id, extra);
  return Object.keys(id).length > 0 ? id : null;
}

const num = (value: unknown): number => (typeof value === "number" ? value : 0);
/** Every field path (`"$a.b"` → `a.b`) an expression reads. */
function fieldPaths(expression: unknown, into: Set<string>): Set<string> {
  if (typeof expression === "string" && expression.startsWith("$")) into.add(expression.slice(1));
  else if (typeof expression === "object" && expression !== null) for (const value of Object.values(expression)) fieldPaths(value, into);
  return into;
}

/**
 * $match, then $project of only what the $group reads, then the $group. FerretDB 1.x keeps every
 * document a $group sees in memory until the end (1M stored events took its process past 23 GB
 * here); projected first, each costs a few hundred bytes. MongoDB projects by itself: harmless there.
 */
function matchProjectGroup(match: Document, $group: Document): Document[] {
  const project: Document = { _id: 0 };
  for (const path of fieldPaths($group, new Set())) project[path] = 1;
  return [match, { $project: project }, { $group }];
}

const group = (plan: QueryPlan, extra: Document, sums: Document): Document[] =>
  matchProjectGroup(matchStage(plan), { _id: groupId(plan, extra), ...sums });
const isMinMax = (plan: QueryPlan) => plan.metric === "min" || plan.metric === "max";

/** Adds a weight to the partial's totals (and to wn when the plan reads durations). */
function addWeight(plan: QueryPlan, p: GroupPartial, w: number): void {
  p.w += w;
  if (plan.usesDuration) p.wn += w;
}

function histogramRead(plan: QueryPlan, weight: (row: Document) => number): Pass["read"] {
  return (p, row, id) => {
    const w = weight(row);
    addWeight(plan, p, w);
    if (typeof id.hb !== "number") return;
    p.hist ??= new Map();
    p.hist.set(id.hb, (p.hist.get(id.hb) ?? 0) + w);
  };
}

/** The passes of a plan: one on MongoDB, one or two (run together) on FerretDB. */
export function statPasses(plan: QueryPlan, caps: Capabilities): Pass[] {
  const histogram = PERCENTILES[plan.metric] !== undefined || (isMinMax(plan) && !caps.minMax);
  if (caps.multiSum) {
    const sums: Document = { w: { $sum: "$_q.w" }, s: { $sum: "$_q.s" } };
    if (histogram) {
      const read = histogramRead(plan, (row) => num(row.w));
      return [
        {
          pipeline: group(plan, { hb: "$_q.hb" }, sums),
          read: (p, row, id) => {
            read(p, row, id);
            p.sampled += num(row.s);
          },
        },
      ];
    }
    Object.assign(sums, { ew: { $sum: "$_q.ew" }, wd: { $sum: "$_q.wd" } });
    if (isMinMax(plan)) Object.assign(sums, { mn: { $min: "$_q.d" }, mx: { $max: "$_q.d" } });
    const read: Pass["read"] = (p, row) => {
      addWeight(plan, p, num(row.w));
      p.sampled += num(row.s);
      p.ew += num(row.ew);
      p.wd += num(row.wd);
      if (typeof row.mn === "number" && (p.min === null || row.mn < p.min)) p.min = row.mn;
      if (typeof row.mx === "number" && (p.max === null || row.mx > p.max)) p.max = row.mx;
    };
    return [{ pipeline: group(plan, {}, sums), read }];
  }
  // Portable: exactly one $sum per $group.
  const sampled = (p: GroupPartial, id: Document) => {
    p.sampled += num(id.s);
  };
  const weight = { v: { $sum: "$_q.w" } };
  if (histogram) {
    const read = histogramRead(plan, (row) => num(row.v));
    return [
      {
        pipeline: group(plan, { s: "$_q.s", hb: "$_q.hb" }, weight),
        read: (p, row, id) => {
          read(p, row, id);
          sampled(p, id);
        },
      },
    ];
  }
  if (plan.metric === "error_rate") {
    const read: Pass["read"] = (p, row, id) => {
      addWeight(plan, p, num(row.v));
      if (id.err === 1) p.ew += num(row.v);
      sampled(p, id);
    };
    return [{ pipeline: group(plan, { s: "$_q.s", err: "$_q.err" }, weight), read }];
  }
  const counts: Pass = {
    pipeline: group(plan, { s: "$_q.s" }, weight),
    read: (p, row, id) => {
      addWeight(plan, p, num(row.v));
      sampled(p, id);
    },
  };
  if (plan.metric !== "avg") return [counts];
  const durations: Pass = {
    pipeline: group(plan, {}, { v: { $sum: "$_q.wd" } }),
    read: (p, row) => {
      p.wd += num(row.v);
    },
  };
  return [counts, durations];
}

const key = (value: unknown): GroupValue => (typeof value === "string" || typeof value === "number" ? value : null);

/** Group keys of one output row; a missing field is absent from `_id` on MongoDB and FerretDB alike. */
export function rowKeys(plan: QueryPlan, row: Document): { keys: GroupValue[]; bucket: number | null; id: Document } {
  const id: Document = row._id && typeof row._id === "object" ? (row._id as Document) : {};
  const bucket = plan.bucket ? num(id.b) : null;
  return { keys: plan.groupBy.map((_, i) => key(id[`g${i}`])), bucket, id };
}

/** Output rows of one pass → the partials. */
export function readRows(plan: QueryPlan, pass: Pass, rows: readonly Document[], groups: Map<string, GroupPartial>): void {
  for (const row of rows) {
    const { keys, bucket, id } = rowKeys(plan, row);
    pass.read(partialFor(groups, keys, bucket), row, id);
  }
}

/**
 * Portable exact min/max, second pass: only the events in each group's extreme histogram bin (a
 * 1%-wide slice, so few), grouped by exact value to bound the transfer further.
 */
export function refinePipeline(plan: QueryPlan, bins: readonly number[]): Document[] {
  const match = matchStage(plan);
  match.$match["_q.hb"] = { $in: [...bins] };
  return matchProjectGroup(match, { _id: groupId(plan, { hb: "$_q.hb", d: "$_q.d" }) });
}

/** Turns min/max histograms into exact values with one refinePipeline pass. */
export async function refineMinMax(
  plan: QueryPlan,
  partials: Map<string, GroupPartial>,
  run: (pipeline: Document[]) => Promise<Document[]>,
): Promise<void> {
  const wantMin = plan.metric === "min";
  const extreme = new Map<string, number>();
  for (const [k, p] of partials) {
    if (!p.hist || p.hist.size === 0) continue;
    const bins = [...p.hist.keys()];
    extreme.set(k, wantMin ? Math.min(...bins) : Math.max(...bins));
    p.hist = null;
  }
  if (extreme.size === 0) return;
  for (const row of await run(refinePipeline(plan, [...new Set(extreme.values())]))) {
    const { keys, bucket, id } = rowKeys(plan, row);
    const k = partialKey(keys, bucket);
    const p = partials.get(k);
    const d = id.d;
    if (!p || typeof d !== "number" || id.hb !== extreme.get(k)) continue;
    if (wantMin && (p.min === null || d < p.min)) p.min = d;
    if (!wantMin && (p.max === null || d > p.max)) p.max = d;
  }
}

/** True when the plan ends with refineMinMax (min/max without $min/$max). */
export const needsRefine = (plan: QueryPlan, caps: Capabilities): boolean => isMinMax(plan) && !caps.minMax;
