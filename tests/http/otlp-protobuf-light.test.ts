import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs";
import { compileRedaction, DEFAULT_LIMITS, type IngestLimits } from "../../src/domain/event/index.ts";
import { lightKeys } from "../../src/domain/event/light-events.ts";
import { KNOWN } from "../../src/domain/event/otlp.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import type { SamplingRule } from "../../src/domain/sampling/types.ts";
import type { IngestSetup } from "../../src/ingest/ingest-setup.ts";
import { OTLP_LOGS_PROTO } from "../../src/ingest/otlp-protobuf.ts";
import { parseOtlpRequestBody } from "../../src/ingest/parse-otlp-request.ts";
import { processEvents } from "../../src/ingest/process-events.ts";
import { NOW, prng } from "../support/random-events.ts";

// POST /v1/logs' half after the body is read (parseOtlpRequestBody + processEvents, as the route
// runs them) for OTLP protobuf bodies, with light events and without: the answer, the kept events
// (key order too), the rollups and the redaction counts must be the same.

const Request = protobuf.parse(OTLP_LOGS_PROTO, { keepCase: false }).root.lookupType("opentelemetry.proto.ExportLogsServiceRequest");
const encode = (json: unknown): Uint8Array => Request.encode(Request.fromObject(json as Record<string, unknown>)).finish();

type Json = Record<string, unknown>;
type Random = () => number;

const RULES: Array<[string, SamplingRule[]]> = [
  ["none", []],
  ["a rule on a top-level field", [{ name: "pro", when: [{ field: "user.plan", op: "eq", value: "pro" }], rate: 0.5 }]],
  ["a rule on message and severity", [{ name: "warn", when: [{ field: "severity", op: "eq", value: "WARN" }], rate: 1 }]],
  // A light event holds no `attributes`: such a rule must get whole events.
  ["a rule on attributes", [{ name: "plan", when: [{ field: "attributes.plan", op: "eq", value: "pro" }], rate: 1 }]],
];

function setupOf(limits: IngestLimits, rules: SamplingRule[]): IngestSetup {
  return {
    limits,
    redaction: compileRedaction({ cardNumbers: true, values: ["email"] }),
    sampler: createSampler({ normalRate: 0.2, slowMs: 2000, criticalRoutes: ["/admin/*"], rules }),
    rollups: new RollupAggregator({ maxGroups: 1000 }),
    futureSkew: { ms: 3_600_000, text: "1h" },
  };
}

const asRequest = (bytes: Uint8Array) => ({
  body: null,
  contentType: "application/x-protobuf",
  contentLength: String(bytes.byteLength),
  readText: async () => "",
  readBytes: async () => new Uint8Array(bytes).buffer,
});

/** `between`: a body decoded after this one is read and before its events are made whole, as another request may be. */
async function route(
  bytes: Uint8Array,
  limits: IngestLimits,
  rules: SamplingRule[],
  explain: boolean,
  light: boolean,
  between?: Uint8Array,
) {
  const s = setupOf(limits, rules);
  const keys = lightKeys(s.sampler.fields);
  const parsed = await parseOtlpRequestBody(asRequest(bytes), limits, light ? { lightKeys: keys } : {});
  if (between !== undefined) await parseOtlpRequestBody(asRequest(between), limits, { lightKeys: keys });
  let id = 0;
  const result = parsed.ok ? processEvents(parsed, s, { tenant: "t1", explain, now: () => NOW, newId: () => `gen-${id++}` }) : parsed;
  const rows = (s.rollups?.drain() ?? []).flatMap((d) => d.rows);
  return {
    light: parsed.ok && parsed.light !== undefined,
    // What the decoder counted must not depend on whether it built the values.
    answer: `${JSON.stringify(result)}\n${JSON.stringify(rows)}\n${JSON.stringify(s.redaction.counts)}\n${JSON.stringify(parsed.ok && parsed.checked)}`,
  };
}

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

/** A random AnyValue (OTLP/JSON form), nested at most `depth` more levels. */
function anyValue(r: Random, depth: number): Json {
  const x = r();
  if (x < 0.3)
    return str(
      ["x", "GET", "/pay", "4111 1111 1111 1111", "a@b.io", 'q"\\\n\u0001', "é€😀", "y".repeat(90)][Math.floor(r() * 8)] as string,
    );
  if (x < 0.4) return { intValue: String([0, 7, 200, 502, -3, 2 ** 40][Math.floor(r() * 6)]) };
  if (x < 0.5) return { doubleValue: [12.5, 0.1, 1e21, -2500.25][Math.floor(r() * 4)] };
  if (x < 0.55) return { boolValue: r() < 0.5 };
  if (x < 0.6) return { bytesValue: ["", "AQ==", "AQI=", "AQID", "AQIDBA=="][Math.floor(r() * 5)] };
  if (x < 0.63) return {};
  if (depth <= 0) return str("leaf");
  if (x < 0.8) return { arrayValue: { values: Array.from({ length: Math.floor(r() * 4) }, () => anyValue(r, depth - 1)) } };
  return { kvlistValue: { values: Array.from({ length: Math.floor(r() * 4) }, () => kv(randomKey(r), anyValue(r, depth - 1))) } };
}

/** How often a key is hostile or empty, set per body: most bodies have none, so most can be light. */
let oddKeys = 0;

/** Mostly plain names, sometimes one the mapping reads, a hostile one or an empty one. */
function randomKey(r: Random): string {
  const x = r();
  if (x < oddKeys) return ["__proto__", "constructor", "prototype", ""][Math.floor(r() * 4)] as string;
  if (x < 0.65) return ["user", "plan", "cart", "tags", "x", "email", "password"][Math.floor(r() * 7)] as string;
  return MAPPED[Math.floor(r() * MAPPED.length)] as string;
}

/** The attribute names /v1/logs maps onto wide-event fields. */
const MAPPED: readonly string[] = KNOWN;

/** A mapped name's value: mostly what an SDK sends, sometimes a type validation refuses or a container. */
function mappedValue(r: Random, key: string): Json {
  if (r() < 0.15) return anyValue(r, 2);
  if (key.includes("status")) return { intValue: String([200, 200, 404, 500, 99][Math.floor(r() * 5)]) };
  if (key.includes("duration")) return { doubleValue: [1, 12.5, 2500, -1][Math.floor(r() * 4)] };
  if (key.includes("method")) return str(["GET", "post", ""][Math.floor(r() * 3)] as string);
  if (key.includes("route") || key.includes("path") || key.includes("target"))
    return str(["/pay", "/admin/x", "/users/a@b.io"][Math.floor(r() * 3)] as string);
  return str(`${key}-${Math.floor(r() * 5)}`);
}

const USER = (i: number) => ({ kvlistValue: { values: [kv("id", str(`u_${i % 3}`)), kv("plan", str("free"))] } });
const TAGS = { arrayValue: { values: [str("a"), { kvlistValue: { values: [kv("k", { arrayValue: { values: [str("v")] } })] } }] } };

function randomRecord(r: Random, i: number): Json {
  const record: Json = {};
  if (r() < 0.85) record.timeUnixNano = String((NOW - i * 997) * 1e6 + Math.floor(r() * 1e6));
  if (r() < 0.2) record.observedTimeUnixNano = String((NOW - i * 500) * 1e6);
  if (r() < 0.9) record.severityNumber = [9, 13, 17, 21][Math.floor(r() * 4)];
  if (r() < 0.7) record.severityText = ["INFO", "WARN", "ERROR"][Math.floor(r() * 3)];
  if (r() < 0.8) record.body = r() < 0.7 ? str(`GET /pay ${i}`) : anyValue(r, 3);
  if (r() < 0.6) record.traceId = Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256)));
  if (r() < 0.4) record.spanId = Buffer.from(Array.from({ length: 8 }, () => Math.floor(r() * 256)));
  if (r() < 0.1) record.eventName = "evt";
  const attributes: Json[] = [];
  const n = Math.floor(r() * 12);
  for (let k = 0; k < n; k++) {
    const key = randomKey(r);
    attributes.push(kv(key, MAPPED.includes(key) ? mappedValue(r, key) : anyValue(r, r() < 0.1 ? 8 : 3)));
  }
  // The attributes of the bench's events, repeated across records (the KeyValue cache sees them).
  if (r() < 0.5) attributes.push(kv("user", USER(i)));
  if (r() < 0.5) attributes.push(kv("request.id", str(`req-${i}`)));
  // The same containers again, one level deeper, beside a value that differs.
  if (r() < 0.4)
    attributes.push(kv("ctx", { kvlistValue: { values: [kv("user", USER(i)), kv("n", { intValue: String(i) }), kv("tags", TAGS)] } }));
  if (r() < 0.3) attributes.push(kv("tags", TAGS));
  record.attributes = attributes;
  return record;
}

function randomRequest(r: Random): Json {
  const resources = 1 + Math.floor(r() * 3);
  return {
    resourceLogs: Array.from({ length: resources }, () => ({
      ...(r() < 0.9
        ? {
            resource: {
              attributes: [
                ...(r() < 0.8 ? [kv("service.name", str(["payment", "checkout", ""][Math.floor(r() * 3)] as string))] : []),
                ...(r() < 0.3 ? [kv(randomKey(r), anyValue(r, 2))] : []),
                ...(r() < 0.5 ? [kv("deployment.environment", str("prod"))] : []),
              ],
            },
          }
        : {}),
      scopeLogs: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
        ...(r() < 0.7 ? { scope: { name: "lib" } } : {}),
        logRecords: Array.from({ length: Math.floor(r() * 25) }, (_, i) => randomRecord(r, i)),
      })),
    })),
  };
}

/** Encoded, sometimes cut short or with one byte changed, so wire errors come up too. */
function randomBody(r: Random): Uint8Array {
  oddKeys = r() < 0.15 ? 0.05 : 0;
  const bytes = encode(randomRequest(r));
  const edit = r();
  if (edit < 0.04 && bytes.length > 4) return bytes.subarray(0, Math.floor(r() * bytes.length));
  if (edit < 0.08 && bytes.length > 4) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
  return bytes;
}

const LIMITS: Array<[string, IngestLimits]> = [
  ["default limits", DEFAULT_LIMITS],
  ["small limits", { ...DEFAULT_LIMITS, maxFields: 60, maxDepth: 5, maxEvents: 60, maxEventBytes: 700, maxExpandedBytes: 8000 }],
];

describe("POST /v1/logs, OTLP protobuf, with light events", () => {
  for (const [name, limits] of LIMITS) {
    test(`the same answer, kept events, rollups and counts as with whole events, over generated bodies (${name})`, async () => {
      let light = 0;
      const runs = 400;
      const codes = new Set<string>();
      for (let seed = 1; seed <= runs; seed++) {
        const r = prng(seed * 7717 + limits.maxFields);
        const bytes = randomBody(r);
        const [rulesName, rules] = RULES[Math.floor(r() * RULES.length)] as [string, SamplingRule[]];
        const explain = r() < 0.2;
        const whole = await route(bytes, limits, rules, explain, false);
        const withLight = await route(bytes, limits, rules, explain, true, r() < 0.3 ? randomBody(r) : undefined);
        if (withLight.light) light++;
        if (withLight.answer !== whole.answer) {
          throw new Error(
            `seed ${seed} (rules: ${rulesName}): the answers differ\n${whole.answer.slice(0, 600)}\n${withLight.answer.slice(0, 600)}`,
          );
        }
        for (const match of whole.answer.matchAll(/"code":"([A-Z_]+)"/g)) codes.add(match[1] as string);
        if (/"kept":\[\{/.test(whole.answer)) codes.add("kept");
      }
      console.log(`${name}: light events for ${light} of ${runs} bodies; ${[...codes].sort().join(" ")}`);
      // The property says little if the decoder declined nearly every body.
      expect(light / runs).toBeGreaterThan(name === "default limits" ? 0.5 : 0.2);
      expect([...codes]).toEqual(expect.arrayContaining(["INVALID_OTLP", "INVALID_EVENT", "kept"]));
      if (name === "small limits") expect([...codes]).toEqual(expect.arrayContaining(["EVENT_TOO_LARGE", "EXPANSION_TOO_LARGE"]));
    }, 60_000);
  }

  test("a key sent again after its value, now a mapped name, maps as with whole events", async () => {
    // LogRecord{attributes: KeyValue{key "x", value "/r", key "http.route"}} by hand: protobufjs writes key first.
    const bytesOf = (text: string) => [...new TextEncoder().encode(text)];
    const len = (field: number, body: number[]) => [(field << 3) | 2, body.length, ...body];
    const keyValue = [...len(1, bytesOf("x")), ...len(2, len(1, bytesOf("/r"))), ...len(1, bytesOf("http.route"))];
    const record = [...len(6, keyValue), ...len(6, [...len(1, bytesOf("http.response.status_code")), ...len(2, [3 << 3, 0xf6, 0x03])])];
    const resource = len(1, len(1, [...len(1, bytesOf("service.name")), ...len(2, len(1, bytesOf("svc")))]));
    const bytes = new Uint8Array(len(1, [...resource, ...len(2, len(2, record))]));
    for (const rules of [[], RULES[3]?.[1] as SamplingRule[]]) {
      const whole = await route(bytes, DEFAULT_LIMITS, rules, true, false);
      const withLight = await route(bytes, DEFAULT_LIMITS, rules, true, true);
      expect(withLight.answer).toBe(whole.answer);
      expect(whole.answer).toContain('"route":"/r"');
      expect(whole.answer).toContain('"statusCode":502');
      expect(withLight.light).toBe(rules.length === 0);
    }
  });

  test("a KeyValue sent value first is read under its own key wherever its bytes come again", async () => {
    const bytesOf = (text: string) => [...new TextEncoder().encode(text)];
    const len = (field: number, body: number[]) => [(field << 3) | 2, body.length, ...body];
    const valueFirst = [...len(2, len(1, bytesOf("/v"))), ...len(1, bytesOf("x"))];
    // The same bytes as a record attribute, in the record's body (a kvlist) and in a later record.
    const record = [
      ...len(6, valueFirst),
      ...len(5, len(6, len(1, valueFirst))),
      ...len(6, [...len(1, bytesOf("error.code")), ...len(2, len(1, bytesOf("E")))]),
    ];
    const resource = len(1, len(1, [...len(1, bytesOf("service.name")), ...len(2, len(1, bytesOf("svc")))]));
    const bytes = new Uint8Array(len(1, [...resource, ...len(2, [...len(2, record), ...len(2, record)])]));
    const whole = await route(bytes, DEFAULT_LIMITS, [], false, false);
    const withLight = await route(bytes, DEFAULT_LIMITS, [], false, true);
    expect(withLight.light).toBe(true);
    expect(whole.answer).toContain('"attributes":{"x":"/v"}');
    expect(whole.answer).toContain('"message":{"x":"/v"}');
    expect(withLight.answer).toBe(whole.answer);
  });
});
