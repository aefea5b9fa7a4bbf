import type { Document } from "mongodb";
import { type GroupPartial, type GroupValue, partialFor, partialKey } from "../../domain/query/evaluate.ts";
import { COARSE_BINS, histogramQuantileBin } from "../../domain/query/histogram.ts";
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
  /** `$percentile` (MongoDB 7+). Reported, not used: it takes no weights (see docs/stores.md). */
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
    // Coarse bins first (about 16 per group instead of 250): FerretDB 1.x's $group finds each
    // document's group by a linear search. refineHistogram then groups only the bins it needs.
    return [
      {
        pipeline: group(plan, { s: "$_q.s", hc: "$_q.hc" }, weight),
        read: (p, row, id) => {
          const w = num(row.v);
          addWeight(plan, p, w);
          sampled(p, id);
          const bin = typeof id.hc === "number" ? id.hc : LEGACY;
          p.hist ??= new Map();
          p.hist.set(bin, (p.hist.get(bin) ?? 0) + w);
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

/** Coarse-bin key of events stored before `_q.hc` was written. */
const LEGACY = Number.NaN;

/** True when statPasses' rows are not the answer yet: refineHistogram must run after them. */
export const needsRefine = (plan: QueryPlan, caps: Capabilities): boolean =>
  (isMinMax(plan) && !caps.minMax) || (!caps.multiSum && PERCENTILES[plan.metric] !== undefined);

/** More than this many groups and the refine pass filters on the union of their bins, not on each group. */
const MAX_OR_CLAUSES = 32;

/**
 * The second pass after statPasses' histogram, one aggregation:
 *   - percentiles on the portable path: the first pass gave coarse bins; each group's percentile
 *     lies in one of them, so only those events are grouped by fine bin, and the histogram becomes
 *     exact coarse weights below and above plus fine bins inside: the same answer as fine bins
 *     throughout (the one a single fine pass gives on MongoDB);
 *   - min/max without $min/$max: only the events in each group's extreme bin, grouped by exact value.
 * Events stored without `_q.hc` (before it existed) make either fall back to a first pass over
 * fine bins, which is right for any document.
 */
export async function refineHistogram(
  plan: QueryPlan,
  caps: Capabilities,
  partials: Map<string, GroupPartial>,
  run: (pipeline: Document[]) => Promise<Document[]>,
): Promise<void> {
  let coarse = !caps.multiSum;
  if (coarse && [...partials.values()].some((p) => p.hist?.has(LEGACY))) {
    partials.clear();
    const read = histogramRead(plan, (row) => num(row.v));
    const fine: Pass = {
      pipeline: group(plan, { s: "$_q.s", hb: "$_q.hb" }, { v: { $sum: "$_q.w" } }),
      read: (p, row, id) => {
        read(p, row, id);
        p.sampled += num(id.s);
      },
    };
    readRows(plan, fine, await run(fine.pipeline), partials);
    coarse = false;
  }
  const percentile = PERCENTILES[plan.metric];
  if (percentile !== undefined && !coarse) return;

  const targets = new Map<string, number>();
  for (const [k, p] of partials) {
    if (!p.hist || p.hist.size === 0) continue;
    const bins = [...p.hist.keys()];
    const target =
      percentile !== undefined ? histogramQuantileBin(p.hist, percentile) : plan.metric === "min" ? Math.min(...bins) : Math.max(...bins);
    if (target !== null) targets.set(k, target);
  }
  if (targets.size === 0) return;

  const binPath = coarse ? "_q.hc" : "_q.hb";
  const match = matchStage(plan);
  match.$match[binPath] = { $in: [...new Set(targets.values())] };
  if (targets.size <= MAX_OR_CLAUSES) {
    match.$match.$or = [...targets].map(([k, bin]) => {
      const p = partials.get(k) as GroupPartial;
      const clause: Document = { [binPath]: bin };
      plan.groupBy.forEach((field, i) => {
        clause[FIELD_PATH[field]] = p.keys[i] ?? null;
      });
      if (plan.bucket) clause[`_q.b${plan.bucket}`] = p.bucket;
      return clause;
    });
  }
  const pipeline =
    percentile !== undefined
      ? matchProjectGroup(match, { _id: groupId(plan, { bin: `$${binPath}`, hb: "$_q.hb" }), v: { $sum: "$_q.w" } })
      : matchProjectGroup(match, { _id: groupId(plan, { bin: `$${binPath}`, d: "$_q.d" }) });

  const fine = new Map<string, Map<number, number>>();
  for (const row of await run(pipeline)) {
    const { keys, bucket, id } = rowKeys(plan, row);
    const k = partialKey(keys, bucket);
    const p = partials.get(k);
    if (!p || id.bin !== targets.get(k)) continue;
    if (percentile !== undefined) {
      if (typeof id.hb !== "number") continue;
      const bins = fine.get(k) ?? new Map<number, number>();
      fine.set(k, bins.set(id.hb, (bins.get(id.hb) ?? 0) + num(row.v)));
      continue;
    }
    const d = id.d;
    if (typeof d !== "number") continue;
    if (plan.metric === "min" && (p.min === null || d < p.min)) p.min = d;
    if (plan.metric === "max" && (p.max === null || d > p.max)) p.max = d;
  }
  for (const [k, target] of targets) {
    const p = partials.get(k) as GroupPartial;
    if (percentile === undefined) {
      p.hist = null;
      continue;
    }
    // Each coarse bin c stands at its first fine bin; every fine bin of the target lies between those.
    const hist = new Map<number, number>();
    for (const [c, w] of p.hist ?? []) if (c !== target) hist.set(c * COARSE_BINS, w);
    const inside = fine.get(k);
    // Events gone between the passes (pruned by retention): the coarse bin answers, within ~37%.
    if (!inside || inside.size === 0) hist.set(target * COARSE_BINS, p.hist?.get(target) ?? 0);
    else for (const [hb, w] of inside) hist.set(hb, w);
    p.hist = hist;
  }
}
