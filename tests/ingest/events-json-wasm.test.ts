import { beforeAll, describe, expect, test } from "bun:test";
import { makeBatch } from "../../bench/fixtures.ts";
import {
  eventsJsonSkimmerMemoryBytes,
  hasEventsJsonSkimmer,
  type SkimmedEvents,
  skimEventsJson,
  useEventsJsonModule,
} from "../../src/ingest/events-json-wasm.ts";
import { EVENTS_JSON_WASM_BASE64 } from "../../src/ingest/events-json-wasm-bytes.ts";
import { wasmModuleFromBase64 } from "../../src/ingest/wasm-slot.ts";
import { prng } from "../support/random-events.ts";

const KEYS = ["service", "requestId", "eventId", "timestamp", "route", "method", "statusCode", "durationMs", "error"] as const;
const LIMITS = { maxEvents: 1000, maxEventBytes: 1 << 20, maxFields: 1000, maxDepth: 64 };
const HOSTILE = new Set(["__proto__", "constructor", "prototype"]);

beforeAll(() => {
  useEventsJsonModule(wasmModuleFromBase64(EVENTS_JSON_WASM_BASE64));
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytesOf = (body: string | Uint8Array) => (typeof body === "string" ? encoder.encode(body) : body);
const skim = (body: string | Uint8Array, keys: readonly string[] = KEYS, limits = LIMITS) => skimEventsJson(bytesOf(body), keys, limits);

/** Keys and nesting of one element as the scrub walk counts them (fieldsLeft in src/domain/event/scrub.ts). */
function counts(value: unknown, depth = 1): { fields: number; depth: number; hostile: boolean } {
  const result = { fields: 0, depth, hostile: false };
  const children: unknown[] = [];
  if (Array.isArray(value)) children.push(...value);
  else {
    for (const key of Object.keys(value as object)) {
      result.fields++;
      if (HOSTILE.has(key)) result.hostile = true;
      children.push((value as Record<string, unknown>)[key]);
    }
  }
  for (const child of children) {
    if (typeof child !== "object" || child === null) continue;
    const inner = counts(child, depth + 1);
    result.fields += inner.fields;
    result.depth = Math.max(result.depth, inner.depth);
    result.hostile ||= inner.hostile;
  }
  return result;
}

/** The object JSON.parse would make of only the listed keys (its resolution of duplicates and key order). */
function pick(element: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(element)) if (keys.includes(key)) out[key] = element[key];
  return out;
}

/** Checks one answer against JSON.parse; returns whether the skimmer answered. */
function check(bytes: Uint8Array, keys: readonly string[] = KEYS, limits = LIMITS): boolean {
  const result = skimEventsJson(bytes, keys, limits);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    expect(result).toBeNull();
    return false;
  }
  if (result === null) return false;
  expect(Array.isArray(parsed)).toBe(true);
  const elements = parsed as unknown[];
  expect(result.bounds.length / 2).toBe(elements.length);
  expect(elements.length).toBeLessThanOrEqual(limits.maxEvents);
  const light = JSON.parse(result.light) as Record<string, unknown>[];
  expect(light.length).toBe(elements.length);
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i] as Record<string, unknown>;
    expect(typeof element === "object" && element !== null && !Array.isArray(element)).toBe(true);
    const start = result.bounds[2 * i] as number;
    const end = result.bounds[2 * i + 1] as number;
    expect((end - start) * 3).toBeLessThanOrEqual(limits.maxEventBytes);
    expect(JSON.parse(decoder.decode(bytes.subarray(start, end)))).toStrictEqual(element);
    const expected = pick(element, keys);
    expect(Object.keys(light[i] as object)).toEqual(Object.keys(expected));
    expect(light[i]).toStrictEqual(expected);
    const real = counts(element);
    expect(real.hostile).toBe(false);
    expect(result.maxFields).toBeGreaterThanOrEqual(real.fields);
    expect(result.maxDepth).toBeGreaterThanOrEqual(real.depth);
  }
  expect(result.maxFields).toBeLessThanOrEqual(limits.maxFields);
  expect(result.maxDepth).toBeLessThanOrEqual(limits.maxDepth);
  return true;
}

// ---- random bodies ----

class Gen {
  /** The last body has a key the skimmer must decline (escaped or hostile). */
  declinable = false;
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  of<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  ws(): string {
    return this.r() < 0.85 ? "" : this.of([" ", "\n", "\t", "\r\n  ", "  "]);
  }
  string(): string {
    const parts: string[] = [];
    const n = this.r() < 0.05 ? 40 + this.int(200) : this.int(12);
    for (let i = 0; i < n; i++) {
      const k = this.r();
      if (k < 0.75) parts.push(String.fromCharCode(0x20 + this.int(95)).replace(/["\\]/, "x"));
      else if (k < 0.85)
        parts.push(this.of(["\\n", "\\t", '\\"', "\\\\", "\\/", "\\b", "\\f", "\\r", "\\u00e9", "\\uD83D\\uDE00", "\\u0000"]));
      else parts.push(this.of(["é", "日本", "😀", "ß"]));
    }
    return `"${parts.join("")}"`;
  }
  number(): string {
    return this.of(["0", "-0", "1", "-12", "1.5", "0.25", "1e5", "1E+2", "2e-3", "-1.5e-7", "123456789012345678901234", "99.99", "3.0"]);
  }
  key(): string {
    const k = this.r();
    if (k < 0.45) return `"${this.of(KEYS)}"`;
    if (k < 0.9) return `"${this.of(["a", "b", "user", "cart", "items", "0", "10", "", "servic", "services", "statusCodes"])}"`;
    const key =
      k < 0.93 ? `"${this.of([...HOSTILE])}"` : k < 0.95 ? this.of(['"serv\\u0069ce"', '"a\\nb"', '"\\u005f_proto__"']) : this.string();
    if (k < 0.95 || key.includes("\\")) this.declinable = true;
    return key;
  }
  value(depth: number): string {
    const k = this.r();
    if (depth < 6 && k < 0.15) return this.object(depth + 1);
    if (depth < 6 && k < 0.25) {
      const n = this.int(4);
      const items = Array.from({ length: n }, () => this.ws() + this.value(depth + 1) + this.ws());
      return `[${n === 0 ? this.ws() : items.join(",")}]`;
    }
    if (k < 0.6) return this.string();
    if (k < 0.85) return this.number();
    return this.of(["true", "false", "null"]);
  }
  object(depth: number): string {
    const n = this.int(depth === 1 ? 8 : 4);
    const pairs = Array.from({ length: n }, () => `${this.ws()}${this.key()}${this.ws()}:${this.ws()}${this.value(depth)}${this.ws()}`);
    return `{${n === 0 ? this.ws() : pairs.join(",")}}`;
  }
  body(): string {
    this.declinable = false;
    const n = 1 + this.int(6);
    const elements = Array.from({ length: n }, () => this.ws() + this.object(1) + this.ws());
    return `${this.ws()}[${elements.join(",")}]${this.ws()}`;
  }
  /** Drops, inserts or replaces a few bytes with ones that matter to the grammar. */
  mutate(bytes: Uint8Array): Uint8Array {
    const POOL = [
      0x22, 0x5c, 0x00, 0x01, 0x1f, 0x0a, 0x09, 0x2c, 0x5d, 0x7d, 0x5b, 0x7b, 0x3a, 0x30, 0x31, 0x39, 0x65, 0x45, 0x2d, 0x2b, 0x2e, 0x20,
      0x75, 0x80, 0xff, 0xc3, 0xe9, 0xef,
    ];
    let out = Array.from(bytes);
    const times = 1 + this.int(3);
    for (let t = 0; t < times; t++) {
      const at = this.int(out.length + 1);
      const kind = this.int(4);
      const insert = this.r() < 0.1 ? [0xc3, 0xa9] : this.r() < 0.05 ? [0xef, 0xbb, 0xbf] : [this.of(POOL)];
      if (kind === 0) out.splice(at, 1);
      else if (kind === 1) out.splice(at, 0, ...insert);
      else if (kind === 2) out.splice(at, 1, ...insert);
      else if (at === 0) out = [0xef, 0xbb, 0xbf, ...out];
      else out.splice(at, 1, this.of(POOL));
    }
    return Uint8Array.from(out);
  }
}

describe("the events skimmer, differential against JSON.parse", () => {
  test("is installed", () => {
    expect(hasEventsJsonSkimmer()).toBe(true);
  });

  test("random and mutated bodies: every answer is what JSON.parse makes of the body", () => {
    const seed = Number(process.env.SKIM_SEED ?? Date.now() % 2 ** 31);
    const gen = new Gen(prng(seed));
    let validGenerated = 0;
    let validAnswered = 0;
    let answered = 0;
    let declined = 0;
    try {
      for (let i = 0; i < 10000; i++) {
        const text = gen.body();
        const original = encoder.encode(text);
        const bytes = gen.r() < 0.5 ? original : gen.mutate(original);
        const ok = check(bytes);
        if (ok) answered++;
        else declined++;
        // A body without escaped or hostile keys that JSON.parse accepts must be answered.
        if (bytes === original && !gen.declinable) {
          validGenerated++;
          if (ok) validAnswered++;
        }
      }
    } catch (error) {
      console.error(`events skimmer property test failed with SKIM_SEED=${seed}`);
      throw error;
    }
    console.log(`seed ${seed}: ${answered} answered, ${declined} declined; plain valid bodies answered ${validAnswered}/${validGenerated}`);
    expect(validGenerated).toBeGreaterThan(1000);
    expect(validAnswered).toBe(validGenerated);
    expect(answered).toBeGreaterThan(1000);
  });

  test("bench bodies, whole and mutated (strings across 64-byte blocks and 4 KiB chunks)", () => {
    const seed = Number(process.env.SKIM_SEED ?? Date.now() % 2 ** 31);
    const gen = new Gen(prng(seed));
    const base = encoder.encode(makeBatch(60, 7, 5));
    try {
      expect(check(base)).toBe(true);
      for (let i = 0; i < 300; i++) check(gen.mutate(base));
    } catch (error) {
      console.error(`events skimmer bench-body test failed with SKIM_SEED=${seed}`);
      throw error;
    }
  });

  test("escapes and control bytes at every offset of a 64-byte block and around a 4 KiB chunk", () => {
    const runs = [1, 2, 31, 32, 33, 64, 65].flatMap((n) => ["\\\\".repeat(n), `${"\\\\".repeat(n)}\\"`, `${"\\\\".repeat(n)}\\`]);
    for (const piece of ['\\"', "\\\\", '\\\\\\"', "\\u00e9", "\\n", "\\x", "\\u12", "\x01", "\\", "é", ...runs]) {
      for (const pad of [0, 1, 30, 60, 61, 62, 63, 64, 65, 127, 4000, 4030, 4060, 4090, 4094, 4095, 4096]) {
        const bytes = encoder.encode(`[{"a":"${"x".repeat(pad)}${piece}","service":"s${piece}"}]`);
        let valid = true;
        try {
          JSON.parse(decoder.decode(bytes));
        } catch {
          valid = false;
        }
        expect(check(bytes)).toBe(valid);
      }
    }
  });
});

describe("the events skimmer, focused cases", () => {
  const one = (value: string) => skim(`[{"durationMs":${value}}]`);

  test("numbers: every valid form is answered, every invalid one declined", () => {
    for (const n of ["0", "-0", "1.5e-7", "1E+2", "1e2", "-12.5", "0.0", "123456789012345678901234567890", "1.5E-07"]) {
      const r = one(n);
      expect(r).not.toBeNull();
      expect(JSON.parse((r as SkimmedEvents).light)).toStrictEqual([{ durationMs: JSON.parse(n) }]);
    }
    for (const n of ["01", "1.", ".5", "-", "+1", "1e", "1e+", "-01", "0x1", "1.e5", "--1", "NaN", "Infinity", "1_0"])
      expect(one(n)).toBeNull();
  });

  test("escapes: the valid ones are answered, invalid ones declined", () => {
    for (const s of ['"\\u00e9"', '"\\/"', '"\\"\\\\\\b\\f\\n\\r\\t"', '"\\uD83D\\uDE00"', '"\\ud800"']) {
      expect(check(encoder.encode(`[{"service":${s}}]`))).toBe(true);
    }
    for (const s of ['"\\x"', '"\\u12"', '"\\u12g4"', '"\\a"', '"\\', '"\\u"', '"\\\'"']) expect(skim(`[{"service":${s}}]`)).toBeNull();
  });

  test("raw control bytes in strings are declined", () => {
    for (let c = 0; c < 0x20; c++) expect(skim(`[{"service":"a${String.fromCharCode(c)}b"}]`)).toBeNull();
    expect(skim(`[{"service":"a\x7fb"}]`)).not.toBeNull();
  });

  test("literals", () => {
    expect(JSON.parse((skim('[{"error":true,"a":false,"service":null}]') as SkimmedEvents).light)).toEqual([
      { error: true, service: null },
    ]);
    for (const v of ["tru", "nul", "fals", "True", "nulll", "truee"]) expect(one(v)).toBeNull();
  });

  test("nested arrays and objects, and the certificate", () => {
    const body = '[{"a":[1,[2,{"b":{"c":[]}}]],"error":{"code":"X","d":{}}},{"b":1}]';
    const r = skim(body) as SkimmedEvents;
    expect(r).not.toBeNull();
    expect(JSON.parse(r.light)).toEqual([{ error: { code: "X", d: {} } }, {}]);
    // a, b, c, error, code, d in the first element; the element 1, a 2, [2,…] 3, {"b":…} 4, {"c":…} 5, [] 6.
    expect(r.maxFields).toBe(6);
    expect(r.maxDepth).toBe(6);
    expect(Array.from(r.bounds)).toEqual([1, body.indexOf(',{"b":1}'), body.indexOf('{"b":1}'), body.length - 1]);
  });

  test("whitespace of every kind around every token", () => {
    const body = ' \t\n\r[ \n{ "service" :\t"a" ,\r\n "b" : [ 1 , { } ] , "error" : { "x" : null } } ,\n{}\t]\r\n ';
    expect(check(encoder.encode(body))).toBe(true);
    expect(JSON.parse((skim(body) as SkimmedEvents).light)).toEqual([{ service: "a", error: { x: null } }, {}]);
    for (const bad of ["\f", "\v", "\u00a0"]) expect(skim(`[${bad}{}]`)).toBeNull();
  });

  test("structure: trailing commas, empty and non-object bodies", () => {
    for (const body of [
      '[{"a":1},]',
      '[{"a":1,}]',
      '[{"a":[1,]}]',
      "[]",
      " [ ] ",
      '{"a":1}',
      '[{"a":1},2]',
      '[{"a":1},[]]',
      "[null]",
      '"x"',
      "",
      '[{"a":1}',
      '[{"a":1}]]',
      '[{"a":1}] x',
      '[{"a" 1}]',
      '[{"a":1 "b":2}]',
      "[{a:1}]",
      "[{},,{}]",
    ]) {
      expect(skim(body)).toBeNull();
    }
    expect(skim("[{}]")).not.toBeNull();
  });

  test("a BOM is declined (TextDecoder would drop it; JSON.parse of the raw text refuses it)", () => {
    expect(skim(Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode("[{}]")]))).toBeNull();
  });

  test("escaped keys are declined anywhere, hostile keys at depth 1 and deep", () => {
    for (const body of ['[{"serv\\u0069ce":1}]', '[{"a":{"b\\n":1}}]', '[{"\\"":1}]']) expect(skim(body)).toBeNull();
    for (const key of HOSTILE) {
      expect(skim(`[{"${key}":1}]`)).toBeNull();
      expect(skim(`[{"a":[{"b":{"${key}":{}}}]}]`)).toBeNull();
      // As a value it is only text.
      expect(skim(`[{"a":"${key}"}]`)).not.toBeNull();
    }
  });

  test("depth and field limits: the certificate is compared with the caller's", () => {
    const body = '[{"a":{"b":{"c":1}}},{"d":1,"e":2,"f":3,"g":4}]';
    expect(skim(body, KEYS, { ...LIMITS, maxDepth: 3, maxFields: 4 })).not.toBeNull();
    expect(skim(body, KEYS, { ...LIMITS, maxDepth: 2 })).toBeNull();
    expect(skim(body, KEYS, { ...LIMITS, maxFields: 3 })).toBeNull();
    const deep = (n: number) => `[{"a":${"[".repeat(n)}${"]".repeat(n)}}]`;
    expect((skim(deep(63)) as SkimmedEvents).maxDepth).toBe(64);
    expect(skim(deep(64))).toBeNull();
  });

  test("an element's bytes times 3 must fit maxEventBytes", () => {
    const body = '[{"a":1},{"service":"abc"}]'; // elements of 7 and 17 bytes
    expect(skim(body, KEYS, { ...LIMITS, maxEventBytes: 51 })).not.toBeNull();
    expect(skim(body, KEYS, { ...LIMITS, maxEventBytes: 50 })).toBeNull();
  });

  test("maxEvents", () => {
    const body = "[{},{},{}]";
    expect(skim(body, KEYS, { ...LIMITS, maxEvents: 3 })?.bounds.length).toBe(6);
    expect(skim(body, KEYS, { ...LIMITS, maxEvents: 2 })).toBeNull();
  });

  test("non-ASCII and invalid UTF-8 inside strings are answered; the light text decodes as the full parse", () => {
    const bytes = Uint8Array.from([
      ...encoder.encode('[{"service":"caf\u00e9 \u65e5\u672c \ud83d\ude00","route":"'),
      0xff,
      0xc3,
      0x80,
      0x80,
      0xe2,
      0x82,
      ...encoder.encode('","x":"'),
      0xed,
      0xa0,
      0x80,
      ...encoder.encode('"}]'),
    ]);
    expect(check(bytes)).toBe(true);
    const r = skim(bytes) as SkimmedEvents;
    const full = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>[];
    expect(JSON.parse(r.light)).toEqual([{ service: full[0]?.service, route: full[0]?.route }]);
    // Outside strings such bytes are declined.
    expect(skim(Uint8Array.from([0x5b, 0x7b, 0x7d, 0xc3, 0xa9, 0x5d]))).toBeNull();
  });

  test("duplicate keys are all in the light text, in source order", () => {
    const r = skim('[{"service":"a","b":1,"service":"b","statusCode":1}]') as SkimmedEvents;
    expect(r.light).toBe('[{"service":"a","service":"b","statusCode":1}]');
    expect(JSON.parse(r.light)).toEqual([{ service: "b", statusCode: 1 }]);
  });

  test("the key list: printable ASCII without quote or backslash, 1–64 bytes, at most 32 keys; a new list is used", () => {
    const body = '[{"a":1,"b":2,"service":3}]';
    for (const keys of [['a"b'], ["a\\b"], [""], ["x".repeat(65)], ["é"], ["a\nb"], Array.from({ length: 33 }, (_, i) => `k${i}`)]) {
      expect(skim(body, keys)).toBeNull();
    }
    expect((skim(body, ["b"]) as SkimmedEvents).light).toBe('[{"b":2}]');
    expect((skim(body, ["a", "service"]) as SkimmedEvents).light).toBe('[{"a":1,"service":3}]');
    const many = Array.from({ length: 32 }, (_, i) => `k${i}`);
    expect((skim('[{"k31":1,"k0":2,"k32":3}]', many) as SkimmedEvents).light).toBe('[{"k31":1,"k0":2}]');
    const long = "y".repeat(64);
    expect((skim(`[{"${long}":1,"${long}z":2}]`, [long]) as SkimmedEvents).light).toBe(`[{"${long}":1}]`);
  });

  test("bench bodies are answered", () => {
    expect(check(encoder.encode(makeBatch(1000, 0, 50)))).toBe(true);
  });
});

test("an instance a large body grew is dropped after that body", () => {
  const events = makeBatch(26_000, 0, 50);
  const large = encoder.encode(events);
  expect(large.byteLength).toBeGreaterThan(20_000_000);
  const r = skimEventsJson(large, KEYS, { ...LIMITS, maxEvents: 100_000 });
  expect(r?.bounds.length).toBe(52_000);
  expect(eventsJsonSkimmerMemoryBytes()).toBe(0);
  expect(skim('[{"service":"s"}]')?.light).toBe('[{"service":"s"}]');
  expect(eventsJsonSkimmerMemoryBytes()).toBeGreaterThan(0);
  expect(eventsJsonSkimmerMemoryBytes()).toBeLessThanOrEqual(16 << 20);
}, 30_000);
