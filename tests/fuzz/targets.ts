/**
 * Property-based fuzz targets for every parser that reads outside input: one property each, shared
 * by `npm run fuzz` (long runs, scripts/fuzz.ts) and tests/fuzz/fuzz.test.ts (a short fixed-seed run).
 * Each property states what must always hold: no throw, an answer of the documented shape, and no
 * prototype pollution (checked after every case).
 */
import fc from "fast-check";
import protobuf from "protobufjs";
import { bodyFormat } from "../../src/domain/event/content-type.ts";
import { LIGHT_FIELDS } from "../../src/domain/event/light-events.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "../../src/domain/event/limits.ts";
import { createNormalizeContext, normalizeBody } from "../../src/domain/event/normalize.ts";
import { mapOtlpLogs, parseOtlpLogs } from "../../src/domain/event/otlp.ts";
import { type parseBody, parseJsonBody, parseNdjsonBody } from "../../src/domain/event/parse-body.ts";
import { redactValue } from "../../src/domain/event/pii.ts";
import { decodeCursor, encodeCursor, parseEventFilter } from "../../src/domain/query/event-filter.ts";
import { parseStatQuery } from "../../src/domain/query/stat-query.ts";
import { planWithRules } from "../../src/domain/question/rules-parser.ts";
import { decodeTurn } from "../../src/domain/question/session-turn.ts";
import { parseTimeExpression } from "../../src/domain/question/time-expr.ts";
import type { PriorTurn } from "../../src/domain/question/types.ts";
import { compileRules } from "../../src/domain/sampling/rules.ts";
import type { SamplingRule } from "../../src/domain/sampling/types.ts";
import { decodeOtlpLogsProtobuf, OTLP_LOGS_PROTO } from "../../src/ingest/otlp-protobuf.ts";
import { lightAgrees } from "../support/events-light-differential.ts";
import { otlpJsonBodies, otlpJsonLimits, readerAgrees } from "../support/otlp-json-differential.ts";

export interface FuzzTarget {
  name: string;
  property: () => fc.IPropertyWithHooks<unknown[]> | fc.IProperty<unknown[]>;
}

/** Small limits, so the limit paths are reached by small inputs too. */
const LIMITS: IngestLimits = {
  ...DEFAULT_LIMITS,
  maxBodyBytes: 4096,
  maxEvents: 20,
  maxEventBytes: 512,
  maxDepth: 6,
  maxFields: 24,
  maxExpandedBytes: 8192,
};
const NOW = Date.UTC(2026, 10, 26, 3);
const BODY_STATUSES = new Set([400, 413, 415]);

function assertNoPollution(): void {
  const proto = Object.prototype as Record<string, unknown>;
  for (const key of ["polluted", "isAdmin", "a", "service"]) {
    if (key in proto) throw new Error(`Object.prototype.${key} was set`);
  }
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

// Keys that matter to parsers and to prototype pollution, beside random ones.
const hostileKey = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "valueOf",
    "service",
    "requestId",
    "timestamp",
    "durationMs",
    "statusCode",
    "error",
    "password",
  ),
  fc.constantFrom("http.request.header.authorization", "user.email", "polluted", "isAdmin", "$where", ""),
  fc.string({ maxLength: 12 }),
);

/** A JSON value whose objects use hostile keys, written as text (so `__proto__` is an own key after JSON.parse). */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v) ?? "null"),
    fc.constantFrom("1e308", "-0", "1e-400", '"2026-11-26T03:00:00Z"', '"\\ud800"', "null", "true"),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
    fc
      .array(fc.tuple(hostileKey, tie("value")), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
  ),
})).value;

/** Valid JSON, or JSON broken at a random place. */
const bodyText = fc.oneof(
  jsonText,
  fc.tuple(jsonText, fc.nat(), fc.string({ maxLength: 3 })).map(([text, at, junk]) => text.slice(0, at % (text.length + 1)) + junk),
  fc.string({ maxLength: 64 }),
  fc.constantFrom("", " ", "\ufeff{}", "[".repeat(40), "[]", "{}", '{"service":"a"}\n{"service":"b"}'),
);

/** A value for a field the gateway reads: plausible, wrong-typed, or any JSON. */
const fieldValue = fc.oneof(
  fc.constantFrom(
    '"payment"',
    '"/admin/x"',
    '"/pay"',
    '"GET"',
    '"post"',
    "200",
    "503",
    "12.5",
    "2500",
    "null",
    '""',
    '{"code":"E1"}',
    '"boom"',
  ),
  fc.constantFrom('"2026-11-26T03:04:05Z"', `${NOW}`, '"2026-11-26T03:04:05.000Z"', '"a@b.io"', '"4111 1111 1111 1111"'),
  jsonText,
);

/** Mostly the fields the gateway reads, sometimes a hostile or random key. */
const eventKey = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...LIGHT_FIELDS, "user", "tags"),
  },
  hostileKey,
);

/** A JSON array of event-like objects as text, sometimes broken or with junk. */
const eventsBody: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.array(fc.tuple(eventKey, fieldValue), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
    fc.constantFrom("", " ", "\n", "\ufeff"),
    fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, fc.tuple(fc.nat(), fc.string({ maxLength: 3 }))),
  )
  .map(([events, pad, cut]) => {
    const text = `${pad}[${events.map((e) => `{${e.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`).join(",")}]${pad}`;
    return cut === null ? text : text.slice(0, cut[0] % (text.length + 1)) + cut[1] + text.slice(cut[0] % (text.length + 1));
  });

const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.record({ stringValue: fc.string({ maxLength: 20 }) }),
    fc.record({ intValue: fc.oneof(fc.string({ maxLength: 22 }), fc.integer()) }),
    fc.record({ doubleValue: fc.oneof(fc.double(), fc.string({ maxLength: 5 })) }),
    fc.record({ boolValue: fc.anything({ maxDepth: 0 }) }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie("v"), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: hostileKey, value: tie("v") }), { maxLength: 3 }) }) }),
    fc.anything({ maxDepth: 1 }),
  ),
})).v;

const otlpAttributes = fc.array(
  fc.oneof(
    fc.record({
      key: fc.oneof(
        hostileKey,
        fc.constantFrom(
          "service.name",
          "http.route",
          "http.response.status_code",
          "duration_ms",
          "error.code",
          "exception.message",
          "exception.type",
        ),
      ),
      value: anyValue,
    }),
    fc.anything({ maxDepth: 1 }),
  ),
  { maxLength: 6 },
);

const otlpBody = fc.record(
  {
    resourceLogs: fc.array(
      fc.record(
        {
          resource: fc.record({ attributes: otlpAttributes }, { requiredKeys: [] }),
          scopeLogs: fc.array(
            fc.record(
              {
                scope: fc.record({ name: fc.anything({ maxDepth: 0 }) }, { requiredKeys: [] }),
                logRecords: fc.array(
                  fc.oneof(
                    fc.record(
                      {
                        timeUnixNano: fc.oneof(fc.string({ maxLength: 22 }), fc.double(), fc.constantFrom("1764126000123456789", "0")),
                        severityNumber: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.string({ maxLength: 2 })),
                        severityText: fc.anything({ maxDepth: 0 }),
                        body: anyValue,
                        traceId: fc.anything({ maxDepth: 0 }),
                        attributes: otlpAttributes,
                      },
                      { requiredKeys: [] },
                    ),
                    fc.anything({ maxDepth: 1 }),
                  ),
                  { maxLength: 6 },
                ),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

const OtlpRequest = protobuf.parse(OTLP_LOGS_PROTO).root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");

/** Encoded OTLP bodies, then damaged: bytes overwritten and the end cut off, so every decoder branch meets bad input. */
const protobufBody = fc
  .tuple(otlpBody, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.option(fc.nat()))
  .map(([body, writes, cut]) => {
    let bytes: Uint8Array;
    try {
      bytes = OtlpRequest.encode(OtlpRequest.fromObject(body)).finish();
    } catch {
      bytes = new Uint8Array([0x0a, 0x02, 0x12, 0x00]);
    }
    const damaged = new Uint8Array(bytes);
    for (const [at, value] of writes) if (damaged.length > 0) damaged[at % damaged.length] = value;
    return cut === null ? damaged : damaged.subarray(0, cut % (damaged.length + 1));
  });

/**
 * Light events (ParsedBody.light) of the same bytes: the same answer but for the events, each light
 * event the whole one's light fields in its order, and `whole` the whole event.
 */
function protobufLightAgrees(bytes: Uint8Array, whole: ReturnType<typeof decodeOtlpLogsProtobuf>): void {
  const light = decodeOtlpLogsProtobuf(bytes, LIMITS, LIGHT_FIELDS);
  if (!light.ok || !whole.ok) {
    assert(JSON.stringify(light) === JSON.stringify(whole), "light events: another error");
    return;
  }
  const { items, light: events, ...rest } = light;
  const { items: wholeItems, ...wholeRest } = whole;
  assert(JSON.stringify(rest) === JSON.stringify(wholeRest), "light events: another certificate or rejection");
  assert(items.length === wholeItems.length, "light events: another number of events");
  if (events === undefined) {
    assert(JSON.stringify(items) === JSON.stringify(wholeItems), "no light events, yet other events");
    return;
  }
  items.forEach((item, i) => {
    const expected = wholeItems[i]?.value as Record<string, unknown>;
    const picked = Object.fromEntries(Object.entries(expected).filter(([key]) => LIGHT_FIELDS.includes(key)));
    assert(item.index === wholeItems[i]?.index, "light events: another index");
    assert(JSON.stringify(item.value) === JSON.stringify(picked), "a light event is not the whole one's light fields");
    assert(Object.hasOwn(item.value as object, "requestId"), "a light event without its requestId key");
    assert(JSON.stringify(events.whole(item.index)) === JSON.stringify(expected), "whole() is not the whole event");
  });
}

function checkBatch(result: ReturnType<typeof parseBody>): void {
  if (!result.ok) {
    assert(BODY_STATUSES.has(result.status) && result.message.length > 0, `bad body error ${JSON.stringify(result)}`);
    return;
  }
  const batch = normalizeBody(result, createNormalizeContext({ tenant: "t", limits: LIMITS, now: () => NOW, newId: () => "id" }));
  if (!batch.ok) {
    assert(batch.status === 400 && batch.code === "TOO_DEEP", `normalizeBody refused with ${batch.code}`);
    return;
  }
  const indexes = [...batch.events.map((e) => e.index), ...batch.rejected.map((r) => r.index)];
  assert(new Set(indexes).size === indexes.length, "an index is reported twice");
  for (const { event } of batch.events) {
    assert(
      event.tenant === "t" && typeof event.service === "string" && typeof event.timestamp === "string",
      "an accepted event lacks its fields",
    );
    assert(event.durationMs === undefined || Number.isFinite(event.durationMs), "durationMs is not finite");
    assert(Object.getPrototypeOf(event) === Object.prototype || Object.getPrototypeOf(event) === null, "an event's prototype changed");
  }
}

function priorTurn(turn: { question: string; intent: "STATISTICAL" | "SEARCH" | "CONVERSATIONAL" }): PriorTurn {
  if (turn.intent === "STATISTICAL") return { ...turn, query: { metric: "count" } };
  if (turn.intent === "SEARCH") return { ...turn, query: { service: "payment" } };
  return turn;
}

const prop = <T>(arb: fc.Arbitrary<T>, check: (value: T) => void) =>
  fc.property(arb, (value) => {
    check(value);
    assertNoPollution();
  });

export const FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: "content-type",
    property: () =>
      prop(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.constantFrom("application/json; charset=utf-16", "application/x-ndjson", 'APPLICATION/JSON;charset="UTF-8"'),
        ),
        (header) => {
          const format = bodyFormat(header);
          assert(
            format === "json" ||
              format === "ndjson" ||
              (typeof format === "object" && format.status === 415 && format.message.length < 300),
            "bad content-type answer",
          );
        },
      ),
  },
  {
    name: "json-body",
    property: () =>
      prop(fc.tuple(bodyText, fc.boolean()), ([text, walk]) => {
        checkBatch(parseJsonBody(text, LIMITS, walk ? { depth: "walk" } : {}));
      }),
  },
  {
    name: "ndjson-body",
    property: () =>
      prop(fc.array(bodyText, { maxLength: 8 }), (lines) => {
        checkBatch(parseNdjsonBody(lines.join("\n"), LIMITS));
      }),
  },
  {
    name: "otlp-logs",
    property: () =>
      prop(
        fc.oneof(
          otlpBody.map((body) => JSON.stringify(body) ?? ""),
          bodyText,
        ),
        (text) => {
          const mapped = parseOtlpLogs(text, LIMITS);
          if (!mapped.ok) {
            assert(BODY_STATUSES.has(mapped.status), `bad OTLP error status ${mapped.status}`);
            return;
          }
          checkBatch(mapped);
        },
      ),
  },
  {
    // The WebAssembly reader answers only for bodies it maps exactly as the JS mapping does.
    name: "otlp-json-fast",
    property: () =>
      prop(fc.tuple(otlpJsonBodies, otlpJsonLimits), ([bytes, limits]) => {
        assert(readerAgrees(bytes, limits), "the WebAssembly reader and the JS mapping differ");
      }),
  },
  {
    name: "events-light",
    property: () =>
      prop(fc.tuple(eventsBody, fc.boolean(), fc.boolean()), ([text, small, rules]) => {
        const { agrees } = lightAgrees(new TextEncoder().encode(text), small ? LIMITS : DEFAULT_LIMITS, rules);
        assert(agrees, "light events and JSON.parse of the body process differently");
      }),
  },
  {
    name: "otlp-values",
    property: () =>
      prop(fc.oneof(otlpBody, fc.anything({ maxDepth: 3 })), (body) => {
        const mapped = mapOtlpLogs(body, LIMITS);
        if (mapped.ok) checkBatch(mapped);
        else assert(BODY_STATUSES.has(mapped.status), "bad OTLP error status");
      }),
  },
  {
    name: "otlp-protobuf",
    property: () =>
      prop(fc.oneof(protobufBody, fc.uint8Array({ maxLength: 200 })), (bytes) => {
        const decoded = decodeOtlpLogsProtobuf(bytes, LIMITS);
        // Before checkBatch, whose normalising rewrites the events.
        protobufLightAgrees(bytes, decoded);
        if (decoded.ok) checkBatch(decoded);
        else assert(BODY_STATUSES.has(decoded.status) && decoded.message.length > 0, "bad OTLP protobuf error");
      }),
  },
  {
    name: "stat-query",
    property: () =>
      prop(
        fc.oneof(
          jsonText.map((t) => JSON.parse(t) as unknown),
          fc.record(
            {
              metric: fc.constantFrom("count", "error_rate", "avg", "p99", "nope", "$where"),
              field: fc.constantFrom("durationMs", "attr:cart.total", "attr:__proto__", "$x"),
              filter: fc.dictionary(
                fc.constantFrom("service", "route", "statusCode", "attr", "hasError", "__proto__"),
                fc.anything({ maxDepth: 2 }),
              ),
              timeRange: fc.oneof(fc.record({ last: fc.string({ maxLength: 5 }) }), fc.anything({ maxDepth: 1 })),
              groupBy: fc.array(fc.constantFrom("service", "route", "attr:user.plan", "attr:", "$where"), { maxLength: 3 }),
              bucket: fc.constantFrom("1m", "5m", "1h", "1y", 5),
              limit: fc.oneof(fc.integer(), fc.double()),
            },
            { requiredKeys: ["metric"] },
          ),
        ),
        (input) => {
          const result = parseStatQuery(input);
          if (result.ok) assert(parseStatQuery(JSON.parse(JSON.stringify(result.query))).ok, "a valid query does not survive JSON");
          else assert(typeof result.error === "string" && result.error.length > 0, "an error without a message");
        },
      ),
  },
  {
    name: "time-expression",
    property: () =>
      prop(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc
              .tuple(
                fc.constantFrom("last", "past", "since", "in the last", "today", "yesterday", "between", "from"),
                fc.oneof(fc.integer({ min: -5, max: 100000 }).map(String), fc.constantFrom("99999999999", "1e9", "0", "")),
                fc.constantFrom("minutes", "hours", "days", "weeks", "h", "m", "d", "months"),
              )
              .map((parts) => parts.join(" ")),
          ),
          fc.integer({ min: -720, max: 840 }),
        ),
        ([text, tz]) => {
          const range = parseTimeExpression(text, NOW, tz);
          if (range === undefined) return;
          const json = JSON.stringify(range);
          assert(json !== undefined && !json.includes("null"), `a range with a non-finite bound: ${json}`);
        },
      ),
  },
  {
    name: "question-rules",
    property: () =>
      prop(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 80 }),
            fc
              .array(
                fc.constantFrom(
                  "how many",
                  "errors",
                  "p99",
                  "of",
                  "payment",
                  "/api/pay",
                  "in the last 2 hours",
                  "events like",
                  "timeout",
                  "by route",
                  "and",
                  "what about",
                  "search",
                ),
                { maxLength: 10 },
              )
              .map((w) => w.join(" ")),
          ),
          fc.array(
            fc.record({
              question: fc.string({ maxLength: 20 }),
              intent: fc.constantFrom("STATISTICAL", "SEARCH", "CONVERSATIONAL") as fc.Arbitrary<
                "STATISTICAL" | "SEARCH" | "CONVERSATIONAL"
              >,
            }),
            { maxLength: 2 },
          ),
        ),
        ([question, history]) => {
          const plan = planWithRules({
            question,
            vocabulary: { services: ["payment", "search"], routes: ["/api/pay"], errorCodes: ["GATEWAY_TIMEOUT"] },
            history: history.map(priorTurn),
            now: NOW,
          });
          const intents = ["STATISTICAL", "SEARCH", "ANALYSIS", "CONVERSATIONAL"];
          assert(intents.includes(plan.intent) && Array.isArray(plan.unresolved), "a plan of unknown shape");
        },
      ),
  },
  {
    name: "cursor",
    property: () =>
      prop(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.tuple(fc.integer(), fc.string({ minLength: 1, maxLength: 200 })).map(([ts, id]) => ({ ts, id })),
          fc.jsonValue({ maxDepth: 2 }).map((v) => btoa(unescape(encodeURIComponent(JSON.stringify(v) ?? ""))).replace(/=+$/, "")),
        ),
        (input) => {
          if (typeof input === "string") {
            const cursor = decodeCursor(input);
            const valid = cursor === null || (Number.isSafeInteger(cursor.ts) && cursor.id.length > 0);
            assert(valid, "a decoded cursor of the wrong shape");
          } else {
            const back = decodeCursor(encodeCursor(input));
            assert(JSON.stringify(back) === JSON.stringify(input), "a cursor does not round-trip");
          }
        },
      ),
  },
  {
    name: "event-filter",
    property: () =>
      prop(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom("service", "route", "statusCode", "errorCode", "from", "to", "q", "limit", "cursor", "__proto__", "$where"),
              fc.string({ maxLength: 8 }),
            ),
            fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("500", "-1", "1e9", "2026-11-26T03:00:00Z", "now-1h", "(a+)+$", "$ne")),
          ),
          { maxLength: 6 },
        ),
        (pairs) => {
          const result = parseEventFilter(new URLSearchParams(pairs));
          if (result.ok) assert(result.search.limit >= 1 && Number.isInteger(result.search.limit), "a search without a sane limit");
          else assert(result.error.length > 0, "an error without a message");
        },
      ),
  },
  {
    name: "sampling-rules",
    property: () =>
      prop(
        fc.tuple(
          fc.array(
            fc.record({
              name: fc.string({ minLength: 1, maxLength: 10 }),
              rate: fc.double({ min: 0, max: 1, noNaN: true }),
              when: fc.array(
                fc.record({
                  field: fc.oneof(
                    fc.constantFrom("service", "route", "error.code", "user.plan", "__proto__.polluted", "constructor.prototype"),
                    fc.string({ maxLength: 10 }),
                  ),
                  op: fc.constantFrom("eq", "neq", "in", "exists", "gt", "lt", "prefix"),
                  value: fc.oneof(
                    fc.string({ maxLength: 8 }),
                    fc.integer(),
                    fc.boolean(),
                    fc.constant(null),
                    fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
                  ),
                }),
                { minLength: 1, maxLength: 3 },
              ),
            }),
            { maxLength: 3 },
          ),
          jsonText.map((t) => JSON.parse(t) as unknown),
        ),
        ([rules, event]) => {
          let compiled: ReturnType<typeof compileRules>;
          try {
            compiled = compileRules(rules as SamplingRule[]);
          } catch (error) {
            assert(error instanceof Error && error.message.length > 0, "a rule refused without a message");
            return;
          }
          for (const rule of compiled) rule.matches(event as Record<string, unknown>);
        },
      ),
  },
  {
    name: "session-turn",
    property: () =>
      prop(
        fc.oneof(
          bodyText,
          fc
            .record({
              at: fc.constantFrom("2026-11-26T03:00:00.000Z", "yesterday", "2026-11-26T03:00:00+02:00"),
              question: fc.string({ maxLength: 30 }),
              intent: fc.constantFrom("STATISTICAL", "SEARCH", "ANALYSIS", "CONVERSATIONAL", "OTHER"),
              answer: fc.string({ maxLength: 30 }),
              query: fc.anything({ maxDepth: 2 }),
            })
            .map((turn) => JSON.stringify(turn)),
        ),
        (text) => {
          const turn = decodeTurn(text);
          assert(
            turn === undefined || (typeof turn.question === "string" && typeof turn.answer === "string"),
            "a decoded turn of the wrong shape",
          );
        },
      ),
  },
  {
    name: "pii-scanners",
    property: () =>
      prop(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 20 }),
            fc.constantFrom(
              "jane@example.com",
              "+44 20 7946 0958",
              "(202) 555-0143",
              "DE89 3704 0044 0532 0130 00",
              "Bearer abcdefgh12345678",
              "eyJhbGciOi.eyJzdWIiOi.sig",
              "@",
              "+",
              "-",
              "eyJ",
            ),
          ),
          { maxLength: 8 },
        ),
        (parts) => {
          const on = { email: true, phone: true, iban: true, jwt: true, bearer: true };
          const once = redactValue(parts.join(" "), on);
          assert(redactValue(once, on) === once, `redaction is not idempotent on ${JSON.stringify(parts.join(" "))}`);
        },
      ),
  },
];
