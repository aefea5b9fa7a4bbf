import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import protobuf from "protobufjs";
import { DEFAULT_LIMITS, type IngestLimits } from "../domain/event/limits.ts";
import { createNormalizeContext, type NormalizeContext, normalizeBody } from "../domain/event/normalize.ts";
import { OtlpAttributes, type OtlpMapResult, otlpRecordEvent } from "../domain/event/otlp.ts";
import type { ParsedItem } from "../domain/event/parse-body.ts";
import { compileRedaction } from "../domain/event/redaction.ts";
import { VALIDATE_ONLY } from "../domain/event/scrub.ts";
import { decodeOtlpLogsProtobuf, EVENT_FIELDS, OTLP_LOGS_PROTO } from "./otlp-protobuf.ts";
import { parseOtlpRequestBody } from "./parse-otlp-request.ts";

// What the decoder counts while it builds each event (ParsedBody.checked) must be an upper bound of
// what the scrub walk would count, and a body it vouches for must normalise exactly as the same
// events would without the vouch: same events, same rejections by index, same codes and messages.

const Request = protobuf.parse(OTLP_LOGS_PROTO, { keepCase: false }).root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");
const encode = (json: unknown): Uint8Array => Request.encode(Request.fromObject(json as Record<string, unknown>)).finish();

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });
const kvlist = (...values: unknown[]) => ({ kvlistValue: { values } });
const array = (...values: unknown[]) => ({ arrayValue: { values } });
/** One resource, one scope, these records. */
const body = (records: unknown[], resource: unknown[] = [kv("service.name", str("svc"))]) => ({
  resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: "s" }, logRecords: records }] }],
});

function decoded(json: unknown, limits: IngestLimits = DEFAULT_LIMITS): OtlpMapResult {
  const result = decodeOtlpLogsProtobuf(encode(json), limits);
  if (!result.ok) throw new Error(result.message);
  return result;
}

/** A deep copy that keeps `__proto__` as an own key, as the decoder makes it. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: copy(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const copies = (items: ParsedItem[]): ParsedItem[] => items.map((item) => ({ index: item.index, value: copy(item.value) }));

function context(limits: Pick<IngestLimits, "maxFields" | "maxDepth">, redaction = VALIDATE_ONLY): NormalizeContext {
  let n = 0;
  return createNormalizeContext({ tenant: "t", limits, redaction, now: () => 1_764_126_000_000, newId: () => `id-${n++}` });
}

/** normalizeBody of the decoded body and of copies of its events without the vouch, which must agree. */
function bothWays(result: OtlpMapResult, ctx: () => NormalizeContext) {
  const plain = normalizeBody({ items: copies(result.items), rejected: result.rejected.slice() }, ctx());
  const vouched = normalizeBody(result, ctx());
  expect(vouched).toEqual(plain);
  return vouched;
}

/** Object keys at all depths, and the nesting (the event is 1), as the scrub walk counts them. */
function measure(value: unknown, depth = 1): { fields: number; depth: number; forbidden: boolean } {
  let fields = 0;
  let deepest = depth;
  let forbidden = false;
  const children = Array.isArray(value) ? value : Object.values(value as object);
  if (!Array.isArray(value)) {
    for (const key of Object.keys(value as object)) {
      fields++;
      if (key === "__proto__" || key === "constructor" || key === "prototype") forbidden = true;
    }
  }
  for (const child of children) {
    if (typeof child !== "object" || child === null) continue;
    const inner = measure(child, depth + 1);
    fields += inner.fields;
    deepest = Math.max(deepest, inner.depth);
    forbidden ||= inner.forbidden;
  }
  return { fields, depth: deepest, forbidden };
}

describe("decodeOtlpLogsProtobuf: what it counts (checked)", () => {
  test("EVENT_FIELDS is every field otlpRecordEvent makes besides the attributes it copies", () => {
    const attrs = new OtlpAttributes();
    for (const name of ["service.name", "request.id", "http.route", "http.request.method", "http.response.status_code", "duration_ms"]) {
      attrs.set(name, "x");
    }
    for (const name of ["exception.type", "exception.message", "error.code"]) attrs.set(name, "x");
    attrs.set("extra", "x");
    const record = { timestamp: 1, severityNumber: 17, severityText: "ERROR", message: "m", traceId: "ab", spanId: "cd" };
    const event = otlpRecordEvent(attrs, record, "scope");
    expect(measure(event).fields - 1).toBe(EVENT_FIELDS); // less the one attribute copied
  });

  test("a body within the limits is vouched for with bounds at least what the walk counts", () => {
    const result = decoded(
      body([
        { severityNumber: 17, body: kvlist(kv("a", array(str("x"), kvlist(kv("b", str("y")))))), attributes: [kv("k", str("v"))] },
        { attributes: [kv("user", kvlist(kv("id", str("u")), kv("plan", str("p"))))] },
      ]),
    );
    expect(result.checked).toBeDefined();
    for (const item of result.items) {
      const seen = measure(item.value);
      expect(seen.fields).toBeLessThanOrEqual(result.checked?.maxFields ?? -1);
      expect(seen.depth).toBeLessThanOrEqual(result.checked?.maxDepth ?? -1);
    }
  });

  test("the field bound counts the resource's attributes, the record's and every kvlist key inside them", () => {
    const resource = [kv("service.name", str("svc")), kv("r", kvlist(kv("r1", str("x")), kv("r2", str("x"))))];
    const result = decoded(
      body([{ attributes: [kv("a", kvlist(kv("a1", str("x")))), kv("b", str("x"))], body: kvlist(kv("m", str("x"))) }], resource),
    );
    // resource 2 + 2, record 2 + 1, body 1
    expect(result.checked).toEqual({ maxFields: EVENT_FIELDS + 8, maxDepth: 3 });
  });

  test("KeyValues repeated from an earlier record count as fields", () => {
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => kv(`k${i}`, str("v")));
    const result = decoded(body([{ attributes: attributes(10) }, { attributes: attributes(30) }], []));
    expect(result.checked?.maxFields).toBe(EVENT_FIELDS + 30);
  });

  test("the depth bound is one more than the deepest kvlist or array decoded", () => {
    const result = decoded(body([{ attributes: [kv("a", array(array(kvlist(kv("b", str("x"))))))] }]));
    // attributes (2) → a's array (3) → array (4) → kvlist (5)
    expect(result.checked?.maxDepth).toBe(5);
    expect(measure(result.items[0]?.value).depth).toBe(5);
  });

  test("an event without kvlists or arrays is bounded at depth 2 (attributes, error)", () => {
    expect(decoded(body([{ severityNumber: 17, attributes: [kv("k", str("v"))] }])).checked?.maxDepth).toBe(2);
  });

  test.each([
    ["a record attribute", body([{ attributes: [kv("constructor", str("x"))] }])],
    ["a kvlist in a record attribute", body([{ attributes: [kv("u", kvlist(kv("__proto__", str("x"))))] }])],
    ["a kvlist inside an array", body([{ attributes: [kv("u", array(kvlist(kv("prototype", str("x")))))] }])],
    ["the record body", body([{ body: kvlist(kv("constructor", str("x"))) }])],
    ["a resource attribute", body([{ attributes: [kv("k", str("v"))] }], [kv("prototype", str("x"))])],
  ])("a forbidden key in %s leaves the body unvouched", (_, json) => {
    expect(decoded(json).checked).toBeUndefined();
  });

  test("keys as long as the forbidden ones are not forbidden", () => {
    expect(
      decoded(body([{ attributes: [kv("__proto_x", str("x")), kv("constructo_", str("x")), kv("prototypex", str("x"))] }])).checked,
    ).toBeDefined();
  });

  test("a body with an event over INGEST_MAX_FIELDS or INGEST_MAX_DEPTH is not vouched for", () => {
    const json = body([{ attributes: [kv("a", kvlist(kv("b", str("x"))))] }]);
    const { checked } = decoded(json);
    if (checked === undefined) throw new Error("expected a vouch");
    expect(decoded(json, { ...DEFAULT_LIMITS, maxFields: checked.maxFields }).checked).toEqual(checked);
    expect(decoded(json, { ...DEFAULT_LIMITS, maxFields: checked.maxFields - 1 }).checked).toBeUndefined();
    expect(decoded(json, { ...DEFAULT_LIMITS, maxDepth: checked.maxDepth }).checked).toEqual(checked);
    expect(decoded(json, { ...DEFAULT_LIMITS, maxDepth: checked.maxDepth - 1 }).checked).toBeUndefined();
  });
});

describe("POST /v1/logs' reading of a protobuf body", () => {
  test("hands the decoder's count on to processEvents", async () => {
    const bytes = encode(body([{ attributes: [kv("k", str("v"))] }]));
    const read = await parseOtlpRequestBody({
      body: null,
      contentType: "application/x-protobuf",
      contentLength: String(bytes.byteLength),
      readText: async () => "",
      readBytes: async () => bytes.slice().buffer,
    });
    expect(read).toMatchObject({ ok: true, checked: { maxFields: EVENT_FIELDS + 2, maxDepth: 2 } });
  });
});

describe("a decoded body is refused exactly as before", () => {
  const ctx = (limits: Pick<IngestLimits, "maxFields" | "maxDepth">) => () => context(limits);

  test.each([
    ["constructor", body([{ attributes: [kv("k", str("v"))] }, { attributes: [kv("constructor", str("x"))] }]), "at the top level"],
    [
      "__proto__",
      body([{ attributes: [kv("k", str("v"))] }, { attributes: [kv("u", kvlist(kv("__proto__", str("x"))))] }]),
      "in attributes.u",
    ],
    ["prototype", body([{ attributes: [kv("k", str("v"))] }, { body: kvlist(kv("prototype", str("x"))) }]), "in message"],
  ])("a %s key is FORBIDDEN_KEY by index with the same message", (key, json, where) => {
    const batch = bothWays(decoded(json), ctx(DEFAULT_LIMITS));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events.map((e) => e.index)).toEqual([0]);
    // A record attribute sits in `attributes`; the walk names the container it is found in.
    const at = where === "at the top level" ? "in attributes" : where;
    expect(batch.rejected).toEqual([{ index: 1, code: "FORBIDDEN_KEY", error: `key "${key}" is not allowed (${at})` }]);
  });

  test("a forbidden key repeated after a record rejected for its size is still FORBIDDEN_KEY", () => {
    // The first record is rejected before it counts; the second repeats its forbidden KeyValue byte for byte.
    const json = body([
      { attributes: [kv("constructor", str("x")), kv("big", str("y".repeat(200)))] },
      { attributes: [kv("constructor", str("x"))] },
    ]);
    const result = decoded(json, { ...DEFAULT_LIMITS, maxEventBytes: 200 });
    expect(result.rejected.map((r) => r.code)).toEqual(["EVENT_TOO_LARGE"]);
    const batch = bothWays(result, ctx(DEFAULT_LIMITS));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.rejected).toEqual([
      { index: 0, code: "EVENT_TOO_LARGE", error: expect.any(String) },
      { index: 1, code: "FORBIDDEN_KEY", error: 'key "constructor" is not allowed (in attributes)' },
    ]);
  });

  test("an event over INGEST_MAX_FIELDS is TOO_MANY_FIELDS by index with the same message", () => {
    const many = Array.from({ length: 30 }, (_, i) => kv(`k${i}`, str("v")));
    const json = body([{ attributes: [kv("k", str("v"))] }, { attributes: many }]);
    const batch = bothWays(decoded(json, { ...DEFAULT_LIMITS, maxFields: 30 }), ctx({ maxFields: 30, maxDepth: 32 }));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events.map((e) => e.index)).toEqual([0]);
    expect(batch.rejected).toEqual([{ index: 1, code: "TOO_MANY_FIELDS", error: "event has more than 30 fields (INGEST_MAX_FIELDS)" }]);
  });

  test("an event nested past INGEST_MAX_DEPTH refuses the body with the same TOO_DEEP", () => {
    const json = body([{ attributes: [kv("k", str("v"))] }, { attributes: [kv("u", kvlist(kv("v", kvlist(kv("w", str("x"))))))] }]);
    const result = decoded(json, { ...DEFAULT_LIMITS, maxDepth: 3 });
    expect(result.checked).toBeUndefined();
    const refused = bothWays(result, ctx({ maxFields: 1000, maxDepth: 3 }));
    expect(refused).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
    expect(!refused.ok && refused.message).toContain("in the event at index 1");
  });

  test("a body vouched for under wide limits is walked under narrower ones", () => {
    const many = Array.from({ length: 30 }, (_, i) => kv(`k${i}`, str("v")));
    const result = decoded(body([{ attributes: many }, { attributes: [kv("u", kvlist(kv("v", kvlist(kv("w", str("x"))))))] }]));
    expect(result.checked).toBeDefined();
    const fewer = normalizeBody(result, context({ maxFields: 20, maxDepth: 32 }));
    if (!fewer.ok) throw new Error(fewer.message);
    expect(fewer.rejected).toEqual([{ index: 0, code: "TOO_MANY_FIELDS", error: "event has more than 20 fields (INGEST_MAX_FIELDS)" }]);
    const again = decoded(body([{ attributes: [kv("u", kvlist(kv("v", kvlist(kv("w", str("x"))))))] }]));
    expect(again.checked).toBeDefined();
    expect(normalizeBody(again, context({ maxFields: 1000, maxDepth: 3 }))).toMatchObject({ ok: false, code: "TOO_DEEP" });
  });

  test("a vouched body is still redacted when real redaction is asked for", () => {
    const result = decoded(body([{ attributes: [kv("password", str("hunter2"))] }]));
    expect(result.checked).toBeDefined();
    const batch = normalizeBody(result, context(DEFAULT_LIMITS, compileRedaction()));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events[0]?.event.attributes).toEqual({ password: "[REDACTED]" });
  });
});

// Random bodies with hostile keys and nesting, under random limits: the vouch changes nothing.
const KEYS = ["a", "b", "service.name", "http.route", "exception.message", "error.code", "__proto__", "constructor", "prototype", ""];
const key = fc.constantFrom(...KEYS);
const { anyValue } = fc.letrec((tie) => ({
  anyValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 4 }).map(str),
    fc.integer({ min: -5, max: 600 }).map((n) => ({ intValue: n })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    fc.array(tie("anyValue"), { maxLength: 3 }).map((values) => array(...values)),
    fc.array(tie("keyValue"), { maxLength: 4 }).map((values) => kvlist(...values)),
  ),
  keyValue: fc.record({ key, value: tie("anyValue") }),
}));
const keyValues = fc.array(fc.record({ key, value: anyValue }), { maxLength: 6 });
const record = fc.record(
  { attributes: keyValues, body: anyValue, severityNumber: fc.constantFrom(9, 17), traceId: fc.constant("AAECAwQFBgcICQoLDA0ODw==") },
  { requiredKeys: [] },
);
const requests = fc
  .array(fc.record({ resource: fc.record({ attributes: keyValues }), logRecords: fc.array(record, { minLength: 1, maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 2,
  })
  .map((resources) => ({
    resourceLogs: resources.map((r) => ({
      resource: { attributes: [kv("service.name", str("svc")), ...r.resource.attributes] },
      scopeLogs: [{ logRecords: r.logRecords }],
    })),
  }));
const limits = fc.record({ maxFields: fc.integer({ min: 5, max: 40 }), maxDepth: fc.integer({ min: 1, max: 7 }) });

describe("a vouched body normalises as its unvouched copy (property)", () => {
  test("random bodies with hostile keys under random decode and normalise limits", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(requests, limits, limits, (json, decodeLimits, normaliseLimits) => {
        const result = decodeOtlpLogsProtobuf(encode(json), { ...DEFAULT_LIMITS, ...decodeLimits });
        if (!result.ok) return;
        if (result.checked !== undefined) {
          seen.add("vouched");
          for (const item of result.items) {
            const found = measure(item.value);
            expect(found.forbidden).toBe(false);
            expect(found.fields).toBeLessThanOrEqual(result.checked.maxFields);
            expect(found.depth).toBeLessThanOrEqual(result.checked.maxDepth);
          }
        }
        for (const narrowed of [decodeLimits, normaliseLimits]) {
          const batch = bothWays(structuredCloneResult(result), () => context(narrowed));
          if (!batch.ok) seen.add(batch.code);
          else for (const r of batch.rejected) seen.add(r.code);
          if (batch.ok && batch.events.length > 0) seen.add("accepted");
        }
      }),
      { numRuns: 1500, seed: 18 },
    );
    expect([...seen]).toEqual(expect.arrayContaining(["FORBIDDEN_KEY", "TOO_DEEP", "TOO_MANY_FIELDS", "accepted", "vouched"]));
  });
});

/** The decoded result with fresh copies of its events (normalizeBody mutates them), keeping its vouch. */
function structuredCloneResult(result: OtlpMapResult): OtlpMapResult {
  return { ...result, items: copies(result.items), rejected: result.rejected.slice() };
}
