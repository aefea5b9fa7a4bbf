import { describe, expect, test } from "bun:test";
import { compileFieldPaths } from "../../src/domain/event/field-paths.ts";
import { compileRedaction, DEFAULT_LIMITS, type ParsedBody } from "../../src/domain/event/index.ts";
import { adoptDraft, lightKeys } from "../../src/domain/event/light-events.ts";
import type { DraftEvent } from "../../src/domain/event/normalize.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import type { SamplingRule } from "../../src/domain/sampling/types.ts";
import type { IngestSetup } from "../../src/ingest/ingest-setup.ts";
import { processEvents } from "../../src/ingest/process-events.ts";
import { NOW, prng, randomEvent } from "../support/random-events.ts";

// Light events (ParsedBody.light) against whole ones: the same body must give the same answer,
// the same kept events field for field and in the same key order, the same rollups and the same
// redaction counts. The light body here is made in JS as the WebAssembly reader makes it.

interface Variant {
  name: string;
  rules?: SamplingRule[];
  criticalRoutes?: string[];
  drop?: string[];
  hash?: string[];
  keys?: string[];
}

const VARIANTS: Variant[] = [
  { name: "defaults" },
  { name: "critical routes", criticalRoutes: ["/admin/*"] },
  {
    name: "rules on a nested field, on level and on tenant",
    rules: [
      { name: "pro", when: [{ field: "user.plan", op: "eq", value: "pro" }], rate: 0.5 },
      { name: "warn", when: [{ field: "level", op: "eq", value: "warn" }], rate: 1 },
      { name: "t", when: [{ field: "tenant", op: "eq", value: "t1" }], rate: 0.2 },
    ],
  },
  { name: "a rule on eventId (ids first)", rules: [{ name: "id", when: [{ field: "eventId", op: "eq", value: "ev-3" }], rate: 1 }] },
  { name: "drop and hash paths on rollup fields", drop: ["route"], hash: ["error.code", "user.id"] },
  { name: "sensitive keys include error", keys: ["error", "password"] },
];

function setupOf(v: Variant): IngestSetup {
  const paths = compileFieldPaths({ drop: v.drop ?? [], hash: v.hash ?? [], hashKey: "k" });
  return {
    limits: DEFAULT_LIMITS,
    redaction: compileRedaction({
      ...(v.keys ? { keys: v.keys } : {}),
      ...(paths ? { paths } : {}),
      cardNumbers: true,
      values: ["email", "jwt", "bearer"],
    }),
    sampler: createSampler({ normalRate: 0.3, slowMs: 2000, criticalRoutes: v.criticalRoutes ?? [], rules: v.rules ?? [] }),
    rollups: new RollupAggregator({ maxGroups: 1000 }),
    futureSkew: { ms: 3_600_000, text: "1h" },
  };
}

/** The light body a reader that checked `texts` makes: each item holds only `keys`, as JSON.parse resolves them. */
function lightBody(texts: string[], keys: readonly string[]): Pick<ParsedBody, "items" | "rejected" | "checked" | "light"> {
  const items = texts.map((text, index) => {
    const value = JSON.parse(text) as Record<string, unknown>;
    const light: Record<string, unknown> = {};
    for (const key of Object.keys(value)) if (keys.includes(key)) light[key] = value[key];
    return { index, value: light };
  });
  return {
    items,
    rejected: [],
    checked: { maxFields: 40, maxDepth: 4 },
    light: { keys, whole: (index) => JSON.parse(texts[index] as string) as Record<string, unknown> },
  };
}

function run(v: Variant, body: Pick<ParsedBody, "items" | "rejected" | "checked" | "light">, explain: boolean) {
  const s = setupOf(v);
  let id = 0;
  const result = processEvents(body, s, { tenant: "t1", explain, now: () => NOW, newId: () => `gen-${id++}` });
  const rows = (s.rollups?.drain() ?? []).flatMap((d) => d.rows);
  return { text: JSON.stringify(result), rows: JSON.stringify(rows), counts: JSON.stringify(s.redaction.counts) };
}

describe("processEvents with light events", () => {
  for (const v of VARIANTS) {
    test(`answers as with whole events: ${v.name}`, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const r = prng(seed * 7919 + v.name.length);
        const texts = Array.from({ length: 60 }, (_, i) => JSON.stringify(randomEvent(r, i)));
        const keys = lightKeys(setupOf(v).sampler.fields);
        for (const explain of [false, true]) {
          const whole = run(v, { items: texts.map((t, index) => ({ index, value: JSON.parse(t) })), rejected: [] }, explain);
          const light = run(v, lightBody(texts, keys), explain);
          if (light.text !== whole.text || light.rows !== whole.rows || light.counts !== whole.counts) {
            throw new Error(`seed ${seed}, explain ${explain}: light and whole events differ`);
          }
          expect(light.text).toBe(whole.text);
        }
      }
    });
  }

  test("the generated bodies keep some events, drop some and reject some", () => {
    const r = prng(5);
    const texts = Array.from({ length: 60 }, (_, i) => JSON.stringify(randomEvent(r, i)));
    const result = JSON.parse(run(VARIANTS[0] as Variant, lightBody(texts, lightKeys(new Set())), false).text);
    expect(result.kept.length).toBeGreaterThan(0);
    expect(result.accepted).toBeGreaterThan(result.kept.length);
    expect(result.rejected.length).toBeGreaterThan(0);
  });

  test("only kept events are parsed whole", () => {
    const r = prng(9);
    const texts = Array.from({ length: 200 }, (_, i) => JSON.stringify(randomEvent(r, i)));
    const body = lightBody(texts, lightKeys(new Set()));
    const parsed: number[] = [];
    const light = body.light;
    if (light === undefined) throw new Error("light");
    const result = processEvents(
      {
        ...body,
        light: {
          keys: light.keys,
          whole: (i) => {
            parsed.push(i);
            return light.whole(i);
          },
        },
      },
      setupOf({ name: "d" }),
      {
        tenant: "t1",
        now: () => NOW,
      },
    );
    if (!result.ok) throw new Error("expected accepted");
    expect(parsed.length).toBe(result.kept.length);
    expect(parsed.length).toBeLessThan(result.accepted);
  });
});

describe("adoptDraft", () => {
  const keys = lightKeys(new Set());

  test("a field normalising deleted and added again comes last, as it would", () => {
    const whole = { requestId: null, service: "a", user: { id: 1 } };
    const draft = { service: "a", requestId: "gen" } as unknown as DraftEvent;
    expect(Object.keys(adoptDraft(whole, draft, keys))).toEqual(["service", "user", "requestId"]);
  });

  test("a field rewritten in place keeps its place", () => {
    const whole = { method: "get", service: "a", extra: 1 };
    const draft = { method: "GET", service: "a" } as unknown as DraftEvent;
    expect(JSON.stringify(adoptDraft(whole, draft, keys))).toBe('{"method":"GET","service":"a","extra":1}');
  });

  test("a light field the draft lost is deleted; other fields are left alone", () => {
    const whole = { service: "a", route: "/x", eventId: "", level: null };
    const draft = { service: "a" } as unknown as DraftEvent;
    expect(adoptDraft(whole, draft, keys)).toEqual({ service: "a", level: null } as unknown as DraftEvent);
  });
});
