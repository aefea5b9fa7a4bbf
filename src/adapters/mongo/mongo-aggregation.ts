import type { Document } from "mongodb";
import type { Condition } from "../../domain/query/condition.ts";
import { type GroupPartial, type GroupValue, partialFor, partialKey } from "../../domain/query/evaluate.ts";
import { addToHistogram, binOf, COARSE_BINS, histogramQuantileBin } from "../../domain/query/histogram.ts";
import { DIMENSION_FILTERS, PERCENTILES, type QueryPlan } from "../../domain/query/plan.ts";
import { ATTR_PATH, type GroupField, type GroupKey } from "../../domain/query/stat-query.ts";

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
  /** More output rows than this and the pass is refused rather than answered in part. */
  maxRows?: number;
}

/** Top-level fields of a stored document that hold the store's own data, not the event's. */
const INTERNAL_FIELDS = new Set(["_id", "_q"]);

/**
 * Where an attr path lives in a stored document: the event is stored at its top level (see
 * mongo-document.ts), so a path is itself, except that `_id` and `_q` are the store's (a
 * producer's own are overwritten at write): a path into them is refused, never answered from them.
 */
export function attrStoredPath(path: string): string {
  if (!ATTR_PATH.test(path)) throw new Error(`attr:${path} is not a dotted path`);
  const head = path.split(".")[0] ?? "";
  if (INTERNAL_FIELDS.has(head)) throw new Error(`attr:${path}: ${head} is kept by the store for itself, not stored from the event`);
  return path;
}

/** Where a group key's value lives in a stored document. */
const keyPath = (key: GroupKey): string => (key.startsWith("attr:") ? attrStoredPath(key.slice(5)) : FIELD_PATH[key as GroupField]);

/**
 * How the value at a path becomes what the reference reads (condition.ts, derive.ts):
 *   derived: `_q` fields, written only when present and always scalar;
 *   string, number: the event's service/route/method ("" is absent) and statusCode, as sent;
 *   attr: any scalar, reached through objects only.
 */
type Kind = "derived" | "string" | "number" | "attr";

const DIMENSION_KIND: Readonly<Record<GroupField, Kind>> = {
  service: "string",
  route: "string",
  method: "string",
  statusCode: "number",
  errorCode: "derived",
};

/** The ops that hold when the reference value is not null. */
const PRESENT: Readonly<Record<Kind, Document>> = {
  derived: { $exists: true },
  string: { $type: "string", $ne: "" },
  number: { $type: "number" },
  attr: { $type: ["string", "number", "bool"] },
};

const NOT_ARRAY: Document = { $not: { $type: "array" } };

/**
 * `ops` on the value at `path`, where the reference reads one: MongoDB matches an array by its
 * elements and walks `a.b` into arrays of objects, but the reference reads any array on the way
 * or at the end as no value; so every prefix of the path must not be an array.
 */
function at(path: string, kind: Kind, ops: Document): Document {
  if (kind === "derived") return { [path]: ops };
  const clause: Document = {};
  if (kind === "attr") {
    const segments = path.split(".");
    for (let i = 1; i < segments.length; i++) clause[segments.slice(0, i).join(".")] = NOT_ARRAY;
  }
  clause[path] = { ...ops, ...NOT_ARRAY };
  return clause;
}

/**
 * A condition as $match clauses. eq, in, the ranges and `exists: true` need a value; neq, nin and
 * `exists: false` are their negations ($nor), so that a missing value, null, an object or an array
 * passes them, as in the reference. Range ops compare numbers only (MongoDB's type bracketing).
 */
function conditionClauses(path: string, kind: Kind, c: Condition): Document[] {
  const out: Document[] = [];
  const not = (clause: Document): Document => ({ $nor: [clause] });
  if (c.eq !== undefined) out.push(at(path, kind, { $eq: c.eq }));
  if (c.neq !== undefined) out.push(not(at(path, kind, { $eq: c.neq })));
  if (c.in !== undefined) out.push(at(path, kind, { $in: [...c.in] }));
  if (c.nin !== undefined) out.push(not(at(path, kind, { $in: [...c.nin] })));
  const range: Document = {};
  if (c.gte !== undefined) range.$gte = c.gte;
  if (c.gt !== undefined) range.$gt = c.gt;
  if (c.lte !== undefined) range.$lte = c.lte;
  if (c.lt !== undefined) range.$lt = c.lt;
  if (Object.keys(range).length > 0) out.push(at(path, kind, range));
  if (c.exists !== undefined) out.push(c.exists ? at(path, kind, PRESENT[kind]) : not(at(path, kind, PRESENT[kind])));
  return out;
}

/** The number an attr field reads, where the plan's measure is one. */
const measurePath = (plan: QueryPlan): string | null => (plan.field === "durationMs" ? null : attrStoredPath(plan.field.slice(5)));

export function matchStage(plan: QueryPlan): Document {
  const match: Document = { tenant: plan.tenant, "_q.ts": { $gte: new Date(plan.from), $lt: new Date(plan.to) } };
  const and: Document[] = [];
  const f = plan.filter;
  for (const field of DIMENSION_FILTERS) {
    const c = f[field];
    if (c === undefined) continue;
    // A bare value: the equality match the indexes serve, as before operators existed.
    if (c.eq !== undefined && Object.keys(c).length === 1) match[FIELD_PATH[field]] = c.eq;
    else and.push(...conditionClauses(FIELD_PATH[field], DIMENSION_KIND[field], c));
  }
  if (f.durationMs !== undefined) and.push(...conditionClauses("_q.d", "derived", f.durationMs));
  if (f.hasError !== undefined) match["_q.err"] = f.hasError ? 1 : 0;
  for (const { path, condition } of f.attr) and.push(...conditionClauses(attrStoredPath(path), "attr", condition));
  if (plan.usesDuration) {
    const measure = measurePath(plan);
    if (measure === null) match["_q.d"] = { $exists: true };
    else and.push(at(measure, "attr", { $type: "number" }));
  }
  if (and.length > 0) match.$and = and;
  return { $match: match };
}

/** Group key: the groupBy fields as g0…, the bucket start as b, plus `extra` (flags, bins). */
function groupId(plan: QueryPlan, extra: Document = {}): Document | null {
  const id: Document = {};
  plan.groupBy.forEach((key, i) => {
    id[`g${i}`] = `$${keyPath(key)}`;
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
  const paths = [...fieldPaths($group, new Set())];
  // MongoDB refuses `a` and `a.b` in one projection (a path collision): `a` brings `a.b` anyway.
  for (const path of paths) if (!paths.some((other) => path.startsWith(`${other}.`))) project[path] = 1;
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

/** Output rows an attr field's value pass may give: (group, sampled flag, distinct value) triples. */
export const MAX_VALUE_ROWS = 100_000;

/**
 * An attr field on a server that cannot compute its histogram bin, weighted sum or extremes (no
 * $ln, $multiply or $min on FerretDB 1.24): the weight of each distinct value, with one $sum, and
 * the rest in JS: Σ w·v, min, max and binOf, which is what the reference computes. Bounded by
 * MAX_VALUE_ROWS: past it the query is refused, never answered from part of the values.
 */
function valuePass(plan: QueryPlan, measure: string): Pass {
  const percentile = PERCENTILES[plan.metric] !== undefined;
  return {
    pipeline: [...group(plan, { s: "$_q.s", m: `$${measure}` }, { v: { $sum: "$_q.w" } }), { $limit: MAX_VALUE_ROWS + 1 }],
    maxRows: MAX_VALUE_ROWS,
    read: (p, row, id) => {
      const w = num(row.v);
      addWeight(plan, p, w);
      p.sampled += num(id.s);
      const m = id.m;
      if (typeof m !== "number") return;
      p.wd += w * m;
      if (p.min === null || m < p.min) p.min = m;
      if (p.max === null || m > p.max) p.max = m;
      if (percentile) {
        p.hist ??= new Map();
        addToHistogram(p.hist, binOf(m), w);
      }
    },
  };
}

/** The passes of a plan: one on MongoDB, one or two (run together) on FerretDB. */
export function statPasses(plan: QueryPlan, caps: Capabilities): Pass[] {
  const histogram = PERCENTILES[plan.metric] !== undefined || (isMinMax(plan) && !caps.minMax);
  const measure = measurePath(plan);
  if (measure !== null) {
    // An attr field has no stored bin: percentiles, and min/max without $min/$max, read values.
    if (histogram || !caps.multiSum) return [valuePass(plan, measure)];
    const sums: Document = { w: { $sum: "$_q.w" }, s: { $sum: "$_q.s" }, wd: { $sum: { $multiply: ["$_q.w", `$${measure}`] } } };
    if (isMinMax(plan)) Object.assign(sums, { mn: { $min: `$${measure}` }, mx: { $max: `$${measure}` } });
    const read: Pass["read"] = (p, row) => {
      addWeight(plan, p, num(row.w));
      p.sampled += num(row.s);
      p.wd += num(row.wd);
      if (typeof row.mn === "number" && (p.min === null || row.mn < p.min)) p.min = row.mn;
      if (typeof row.mx === "number" && (p.max === null || row.mx > p.max)) p.max = row.mx;
    };
    return [{ pipeline: group(plan, {}, sums), read }];
  }
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

/** A group value as the reference gives it: scalars as they are; null, objects and arrays (MongoDB groups them apart) as null. */
const key = (value: unknown): GroupValue =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : null;

/** Group keys of one output row; a missing field is absent from `_id` on MongoDB and FerretDB alike. */
export function rowKeys(plan: QueryPlan, row: Document): { keys: GroupValue[]; bucket: number | null; id: Document } {
  const id: Document = row._id && typeof row._id === "object" ? (row._id as Document) : {};
  const bucket = plan.bucket ? num(id.b) : null;
  return { keys: plan.groupBy.map((_, i) => key(id[`g${i}`])), bucket, id };
}

/** Output rows of one pass → the partials. */
export function readRows(plan: QueryPlan, pass: Pass, rows: readonly Document[], groups: Map<string, GroupPartial>): void {
  if (pass.maxRows !== undefined && rows.length > pass.maxRows) {
    throw new Error(`${plan.field} has more than ${pass.maxRows} distinct values in range: narrow the filter or the time range`);
  }
  for (const row of rows) {
    const { keys, bucket, id } = rowKeys(plan, row);
    pass.read(partialFor(groups, keys, bucket), row, id);
  }
}

/** Coarse-bin key of events stored before `_q.hc` was written. */
const LEGACY = Number.NaN;

/** True when statPasses' rows are not the answer yet: refineHistogram must run after them. */
export const needsRefine = (plan: QueryPlan, caps: Capabilities): boolean =>
  plan.field === "durationMs" && ((isMinMax(plan) && !caps.minMax) || (!caps.multiSum && PERCENTILES[plan.metric] !== undefined));

/** Events of one group: the key's value at its path, null meaning the reference reads none there. */
function keyClause(key: GroupKey, value: GroupValue): Document {
  if (!key.startsWith("attr:")) return { [FIELD_PATH[key as GroupField]]: value };
  const path = attrStoredPath(key.slice(5));
  return value === null ? { $nor: [at(path, "attr", PRESENT.attr)] } : at(path, "attr", { $eq: value });
}

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
      const keys = plan.groupBy.map((key, i) => keyClause(key, p.keys[i] ?? null));
      // attr keys' clauses may name the same prefixes: each stays whole under $and.
      if (plan.groupBy.some((key) => key.startsWith("attr:"))) clause.$and = keys;
      else for (const k of keys) Object.assign(clause, k);
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
