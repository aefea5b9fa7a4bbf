import { expect, test } from "bun:test";
import type { Document } from "mongodb";
import { CONTRACT_QUERIES, contractEvents, NOW } from "../../../tests/query/fixtures.ts";
import { expectSameRows } from "../../../tests/query/store-contract.ts";
import { finalize, type GroupPartial } from "../../domain/query/evaluate.ts";
import { planQuery } from "../../domain/query/plan.ts";
import { parseStatQuery } from "../../domain/query/stat-query.ts";
import { MemoryEventStore } from "../memory/memory-event-store.ts";
import { toDocument } from "./mongo-document.ts";
import { type Capabilities, needsRefine, PORTABLE, readRows, refineMinMax, statPasses } from "./mongo-pipeline.ts";

/**
 * The pipelines' shape, and the MongoDB fast path's arithmetic. The portable path runs against
 * FerretDB in tests/query; no MongoDB server is available here, so the fast path (several
 * accumulators, $min/$max) is checked by evaluating its pipelines with MongoDB's documented
 * semantics for the few stages it uses. This interpreter is a check of our reading of the output,
 * not a stand-in for a database in any other test.
 */
const MONGODB: Capabilities = { multiSum: true, minMax: true, percentile: true, dateTrunc: true };
const PORTABLE_OPERATORS = new Set(["$match", "$project", "$group", "$sum", "$gte", "$lt", "$exists", "$in"]);

const get = (doc: Document, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Document)[k] : undefined), doc);

function matches(doc: Document, match: Document): boolean {
  return Object.entries(match).every(([path, cond]) => {
    const value = get(doc, path);
    if (cond && typeof cond === "object" && !(cond instanceof Date)) {
      const c = cond as Document;
      const n = value instanceof Date ? value.getTime() : value;
      const t = (x: unknown) => (x instanceof Date ? x.getTime() : x) as number;
      if ("$exists" in c && (value !== undefined) !== c.$exists) return false;
      if ("$gte" in c && !((n as number) >= t(c.$gte))) return false;
      if ("$lt" in c && !((n as number) < t(c.$lt))) return false;
      if ("$in" in c && !(c.$in as unknown[]).includes(value)) return false;
      return true;
    }
    return value === cond;
  });
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
  const [{ $match }, { $project }, { $group }] = pipeline as [{ $match: Document }, { $project: Document }, { $group: Document }];
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
      const v = typeof arg === "string" ? get(doc, arg.slice(1)) : arg;
      if (op === "$sum") out[name] = (out[name] ?? 0) + (typeof v === "number" ? v : 0);
      if (op === "$min" && typeof v === "number") out[name] = out[name] === undefined ? v : Math.min(out[name], v);
      if (op === "$max" && typeof v === "number") out[name] = out[name] === undefined ? v : Math.max(out[name], v);
    }
  }
  return [...groups.values()];
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
      if (needsRefine(plan, caps)) await refineMinMax(plan, partials, async (p) => evaluate(docs, p));
      try {
        expectSameRows(plan.metric, finalize(plan, partials.values()), await reference.query(parsed.query, scope));
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`);
      }
    }
  });
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
