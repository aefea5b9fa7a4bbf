import { expect, test } from "bun:test";
import type { Document } from "mongodb";
import { MemoryEventStore } from "../../../src/adapters/memory/memory-event-store.ts";
import {
  type Capabilities,
  MAX_VALUE_ROWS,
  matchStage,
  needsRefine,
  PORTABLE,
  readRows,
  refineHistogram,
  statPasses,
} from "../../../src/adapters/mongo/mongo-aggregation.ts";
import { toDocument } from "../../../src/adapters/mongo/mongo-document.ts";
import { finalize, type GroupPartial } from "../../../src/domain/query/evaluate.ts";
import { planQuery } from "../../../src/domain/query/plan.ts";
import { parseStatQuery } from "../../../src/domain/query/stat-query.ts";
import { CONTRACT_QUERIES, contractEvents, NOW } from "../../query/fixtures.ts";
import { expectSameRows } from "../../query/store-contract.ts";

/**
 * The pipelines' shape, and the MongoDB fast path's arithmetic. The portable path runs against
 * FerretDB in tests/query; no MongoDB server is available here, so the fast path (several
 * accumulators, $min/$max) is checked by evaluating its pipelines with MongoDB's documented
 * semantics for the few stages it uses. This interpreter is a check of our reading of the output,
 * not a stand-in for a database in any other test.
 */
const MONGODB: Capabilities = { multiSum: true, minMax: true, percentile: true, dateTrunc: true };
/** Query operators FerretDB 1.24 was seen to run as MongoDB does (tests/query runs them there), plus the stages. */
const PORTABLE_OPERATORS = new Set([
  "$match",
  "$project",
  "$group",
  "$limit",
  "$sum",
  "$and",
  "$or",
  "$nor",
  "$not",
  "$eq",
  "$ne",
  "$in",
  "$nin",
  "$gte",
  "$gt",
  "$lte",
  "$lt",
  "$exists",
  "$type",
]);

const isObject = (v: unknown): v is Document => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** A path in an expression ("$a.b"): an array on the way gives the array of its elements' values. */
function get(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split(".")) {
    if (Array.isArray(node)) node = node.map((el) => (isObject(el) ? el[key] : undefined)).filter((v) => v !== undefined);
    else node = isObject(node) ? node[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** A path in a query: MongoDB walks into arrays of documents and tries every value it reaches. */
function reached(node: unknown, keys: string[]): unknown[] {
  if (keys.length === 0) return [node];
  if (Array.isArray(node)) return node.flatMap((el) => (isObject(el) ? reached(el, keys) : []));
  const [key, ...rest] = keys;
  return isObject(node) && key !== undefined && Object.hasOwn(node, key) ? reached(node[key], rest) : [];
}

const TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  number: (v) => typeof v === "number",
  bool: (v) => typeof v === "boolean",
  array: (v) => Array.isArray(v),
  null: (v) => v === null,
};
const ms = (x: unknown): unknown => (x instanceof Date ? x.getTime() : x);
/** A value and, for an array, its elements: what a comparison tries (MongoDB matches an array by any element). */
const tried = (v: unknown): unknown[] => (Array.isArray(v) ? [v, ...v] : [v]);
const RANGE: Record<string, (a: number, b: number) => boolean> = {
  $gte: (a, b) => a >= b,
  $gt: (a, b) => a > b,
  $lte: (a, b) => a <= b,
  $lt: (a, b) => a < b,
};

function fieldMatches(values: unknown[], op: string, arg: unknown): boolean {
  const equals = (x: unknown) =>
    x === null ? values.length === 0 || values.includes(null) : values.some((v) => tried(v).some((t) => ms(t) === ms(x)));
  switch (op) {
    case "$eq":
      return equals(arg);
    case "$ne":
      return !equals(arg);
    case "$in":
      return (arg as unknown[]).some(equals);
    case "$nin":
      return !(arg as unknown[]).some(equals);
    case "$exists":
      return values.length > 0 === arg;
    case "$type": {
      const types = (Array.isArray(arg) ? arg : [arg]) as string[];
      return values.some((v) => types.some((t) => (t === "array" ? [v] : tried(v)).some((x) => TYPES[t]?.(x) === true)));
    }
    case "$not":
      return !Object.entries(arg as Document).every(([o, a]) => fieldMatches(values, o, a));
    default: {
      const compare = RANGE[op];
      if (!compare) throw new Error(`the interpreter does not know ${op}`);
      const bound = ms(arg);
      return values.some((v) => tried(v).some((t) => typeof ms(t) === typeof bound && compare(ms(t) as number, bound as number)));
    }
  }
}

function matches(doc: Document, match: Document): boolean {
  return Object.entries(match).every(([path, cond]) => {
    if (path === "$or") return (cond as Document[]).some((clause) => matches(doc, clause));
    if (path === "$and") return (cond as Document[]).every((clause) => matches(doc, clause));
    if (path === "$nor") return !(cond as Document[]).some((clause) => matches(doc, clause));
    const values = reached(doc, path.split("."));
    if (isObject(cond) && Object.keys(cond).every((k) => k.startsWith("$"))) {
      return Object.entries(cond).every(([op, arg]) => fieldMatches(values, op, arg));
    }
    return fieldMatches(values, "$eq", cond);
  });
}

/** An accumulator's argument: a path, a literal or $multiply. */
function expression(doc: Document, arg: unknown): unknown {
  if (typeof arg === "string") return arg.startsWith("$") ? get(doc, arg.slice(1)) : arg;
  if (isObject(arg) && Array.isArray(arg.$multiply)) {
    const factors = arg.$multiply.map((a: unknown) => expression(doc, a));
    return factors.every((f: unknown) => typeof f === "number") ? factors.reduce((x: number, y: number) => x * y, 1) : null;
  }
  return arg;
}

/** An inclusion $project: only the listed paths survive (so a path the $group needs but the projection drops reads as missing). */
function project(doc: Document, spec: Document): Document {
  const out: Document = {};
  for (const [path, on] of Object.entries(spec)) {
    if (on !== 1) continue;
    const value = get(doc, path);
    if (value === undefined) continue;
    const parts = path.split(".");
    let at = out;
    for (const part of parts.slice(0, -1)) {
      at[part] ??= {};
      at = at[part] as Document;
    }
    at[parts.at(-1) as string] = value;
  }
  return out;
}

function evaluate(docs: Document[], pipeline: Document[]): Document[] {
  const [{ $match }, { $project }, { $group }, limit] = pipeline as [
    { $match: Document },
    { $project: Document },
    { $group: Document },
    { $limit: number } | undefined,
  ];
  const groups = new Map<string, Document>();
  for (const doc of docs.filter((d) => matches(d, $match)).map((d) => project(d, $project))) {
    const id: Document | null = $group._id ? {} : null;
    if (id)
      for (const [k, path] of Object.entries($group._id as Document))
        if (get(doc, String(path).slice(1)) !== undefined) id[k] = get(doc, String(path).slice(1));
    const key = JSON.stringify(id);
    const out = groups.get(key) ?? { _id: id };
    groups.set(key, out);
    for (const [name, acc] of Object.entries($group)) {
      if (name === "_id") continue;
      const [op, arg] = Object.entries(acc as Document)[0] as [string, unknown];
      const v = expression(doc, arg);
      if (op === "$sum") out[name] = (out[name] ?? 0) + (typeof v === "number" ? v : 0);
      if (op === "$min" && typeof v === "number") out[name] = out[name] === undefined ? v : Math.min(out[name], v);
      if (op === "$max" && typeof v === "number") out[name] = out[name] === undefined ? v : Math.max(out[name], v);
    }
  }
  const out = [...groups.values()];
  return limit ? out.slice(0, limit.$limit) : out;
}

function operators(value: unknown, into = new Set<string>()): Set<string> {
  if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$")) into.add(k);
      operators(v, into);
    }
  }
  return into;
}

const events = contractEvents(1500);
const docs = events.map((e) => toDocument(e, NOW));
const reference = new MemoryEventStore();
await reference.insertMany(events);

/** The `_id` spec of a pipeline's $group stage. */
const groupIdOf = (pipeline: Document[] | undefined): Document =>
  ((pipeline ?? []).find((stage) => "$group" in stage) as { $group: { _id: Document } } | undefined)?.$group._id ?? {};

/** Rows of a query through statPasses + refineHistogram over `over`, and every pipeline that ran. */
async function portableRows(query: unknown, caps: Capabilities, over: Document[] = docs) {
  const parsed = parseStatQuery(structuredClone(query));
  if (!parsed.ok) throw new Error(parsed.error);
  const plan = planQuery(parsed.query, { tenant: "acme", now: NOW });
  const ran: Document[][] = [];
  const run = async (pipeline: Document[]) => {
    ran.push(pipeline);
    return evaluate(over, pipeline);
  };
  const partials = new Map<string, GroupPartial>();
  for (const pass of statPasses(plan, caps)) readRows(plan, pass, await run(pass.pipeline), partials);
  if (needsRefine(plan, caps)) await refineHistogram(plan, caps, partials, run);
  return { rows: finalize(plan, partials.values()).rows, ran };
}

/** Percentiles of durations: the ones with stored bins, and so coarse and fine passes (an attr field's read its values). */
const PERCENTILE_QUERIES = CONTRACT_QUERIES.filter(
  ({ query }) => String(query.metric).startsWith("p") && !query.field?.startsWith("attr:"),
);

for (const [label, caps] of [
  ["portable (FerretDB)", PORTABLE],
  ["fast (MongoDB)", MONGODB],
] as const) {
  test(`${label}: every contract query gives the reference rows`, async () => {
    for (const { name, query } of CONTRACT_QUERIES) {
      const parsed = parseStatQuery(structuredClone(query));
      if (!parsed.ok) throw new Error(parsed.error);
      const scope = { tenant: "acme", now: NOW };
      const plan = planQuery(parsed.query, scope);
      const partials = new Map<string, GroupPartial>();
      for (const pass of statPasses(plan, caps)) readRows(plan, pass, evaluate(docs, pass.pipeline), partials);
      if (needsRefine(plan, caps)) await refineHistogram(plan, caps, partials, async (p) => evaluate(docs, p));
      try {
        expectSameRows(plan.metric, finalize(plan, partials.values()), await reference.query(parsed.query, scope));
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  }, 60_000); // ~120 queries through a JS interpreter of the pipelines
}

test("portable passes use only $match, $group and $sum, with one accumulator per $group", () => {
  for (const { query } of CONTRACT_QUERIES) {
    const parsed = parseStatQuery(structuredClone(query));
    if (!parsed.ok) throw new Error(parsed.error);
    const plan = planQuery(parsed.query, { tenant: "acme", now: NOW });
    for (const pass of statPasses(plan, PORTABLE)) {
      expect([...operators(pass.pipeline)].filter((op) => !PORTABLE_OPERATORS.has(op))).toEqual([]);
      const group = (pass.pipeline.find((stage) => "$group" in stage) as { $group: Document }).$group;
      expect(Object.keys(group).filter((k) => k !== "_id").length).toBeLessThanOrEqual(1);
    }
  }
});

test("the MongoDB path is one pass with $min/$max for min and max", () => {
  const parsed = parseStatQuery({ metric: "max", groupBy: ["service"] });
  if (!parsed.ok) throw new Error(parsed.error);
  const passes = statPasses(planQuery(parsed.query, { tenant: "acme", now: NOW }), MONGODB);
  expect(passes.length).toBe(1);
  expect(operators(passes[0]?.pipeline).has("$max")).toBe(true);
});

test("portable percentiles (coarse bins, then fine bins of one) equal the one-pass fine-bin answer exactly", async () => {
  expect(PERCENTILE_QUERIES.length).toBeGreaterThan(3);
  const refineFilters = new Set<string>();
  for (const { query } of PERCENTILE_QUERIES) {
    const portable = await portableRows(query, PORTABLE);
    expect(portable.ran.length).toBe(portable.rows.some((row) => row.value !== null) ? 2 : 1); // no events: no second pass
    expect(portable.rows).toEqual((await portableRows(query, MONGODB)).rows);
    const refine = portable.ran[1]?.[0] as { $match: Document } | undefined;
    if (refine) refineFilters.add("$or" in refine.$match ? "each group's bin" : "the union of bins");
  }
  expect([...refineFilters].sort()).toEqual(["each group's bin", "the union of bins"]);
});

test("the portable first pass groups by coarse bin, not by fine bin", async () => {
  const { ran } = await portableRows({ metric: "p95", groupBy: ["service"] }, PORTABLE);
  const firstGroup = groupIdOf(ran[0]);
  expect(firstGroup.hc).toBe("$_q.hc");
  expect(firstGroup.hb).toBeUndefined();
  // 6 services × sampled or not × a handful of coarse bins, where fine bins give hundreds.
  const coarseRows = evaluate(docs, ran[0] as Document[]).length;
  const fineRows = new Set(docs.map((d) => `${d.service}:${d._q.s}:${d._q.hb}`)).size;
  expect(coarseRows * 5).toBeLessThan(fineRows);
});

test("refine passes use only portable operators, one accumulator at most", async () => {
  for (const { query } of CONTRACT_QUERIES) {
    for (const pipeline of (await portableRows(query, PORTABLE)).ran) {
      expect([...operators(pipeline)].filter((op) => !PORTABLE_OPERATORS.has(op))).toEqual([]);
      const group = (pipeline.find((stage) => "$group" in stage) as { $group: Document }).$group;
      expect(Object.keys(group).filter((k) => k !== "_id").length).toBeLessThanOrEqual(1);
    }
  }
});

test("events stored before _q.hc existed: percentiles fall back to one fine-bin pass, same answer", async () => {
  // The slower half of the events lack _q.hc: an answer that left them out would be far off.
  const bins = docs.map((d) => d._q.hb).filter((hb): hb is number => typeof hb === "number");
  const median = bins.sort((a, b) => a - b)[Math.floor(bins.length / 2)] as number;
  const legacy = docs.map((d) => {
    if (!(d._q.hb > median)) return d;
    const { hc: _, ...q } = d._q;
    return { ...d, _q: q };
  });
  for (const { query } of PERCENTILE_QUERIES) {
    const { rows, ran } = await portableRows(query, PORTABLE, legacy);
    expect(rows).toEqual((await portableRows(query, MONGODB)).rows);
    if (ran.length === 1) continue; // nothing matched
    const fallback = groupIdOf(ran[1]);
    expect(fallback.hb).toBe("$_q.hb");
    expect(fallback.bin).toBeUndefined();
  }
});

test("min and max on the portable path: the refine pass reads only the extreme coarse bin of each group", async () => {
  const { rows, ran } = await portableRows({ metric: "max", groupBy: ["service"] }, PORTABLE);
  expect(rows).toEqual((await portableRows({ metric: "max", groupBy: ["service"] }, MONGODB)).rows);
  const refine = ran[1]?.[0] as { $match: Document };
  expect(Object.keys(refine.$match)).toEqual(expect.arrayContaining(["_q.hc", "$or"]));
});

const planOf = (query: unknown) => {
  const parsed = parseStatQuery(structuredClone(query));
  if (!parsed.ok) throw new Error(parsed.error);
  return planQuery(parsed.query, { tenant: "acme", now: NOW });
};

test("attr paths into the store's own _id and _q are refused, in filters, groups and fields", () => {
  for (const caps of [PORTABLE, MONGODB]) {
    expect(() => statPasses(planOf({ metric: "count", filter: { attr: { "_q.w": { gte: 1 } } } }), caps)).toThrow("_q");
    expect(() => statPasses(planOf({ metric: "count", groupBy: ["attr:_id"] }), caps)).toThrow("_id");
    expect(() => statPasses(planOf({ metric: "max", field: "attr:_q.d" }), caps)).toThrow("_q");
  }
});

test("an attr path on the way through an array never reaches MongoDB's element matching", () => {
  const match = matchStage(planOf({ metric: "count", filter: { attr: { "a.b.c": "x" } } })).$match as Document;
  expect(match.$and).toEqual([
    { a: { $not: { $type: "array" } }, "a.b": { $not: { $type: "array" } }, "a.b.c": { $eq: "x", $not: { $type: "array" } } },
  ]);
});

test("a bare dimension value stays a plain equality match (the indexes' form)", () => {
  const match = matchStage(planOf({ metric: "count", filter: { service: "payment", statusCode: 502 } })).$match as Document;
  expect(match.service).toBe("payment");
  expect(match.statusCode).toBe(502);
  expect(match.$and).toBeUndefined();
});

test("an attr field's value pass is refused past MAX_VALUE_ROWS distinct values, not answered in part", () => {
  const plan = planOf({ metric: "p95", field: "attr:cart.total" });
  const [pass] = statPasses(plan, PORTABLE);
  if (!pass) throw new Error("no pass");
  expect(pass.pipeline.at(-1)).toEqual({ $limit: MAX_VALUE_ROWS + 1 });
  const rows = Array.from({ length: MAX_VALUE_ROWS + 1 }, (_, i) => ({ _id: { s: 0, m: i }, v: 1 }));
  expect(() => readRows(plan, pass, rows, new Map())).toThrow("distinct values");
  expect(() => readRows(plan, pass, rows.slice(1), new Map())).not.toThrow();
});
