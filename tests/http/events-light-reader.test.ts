import { afterAll, describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS, type IngestLimits } from "../../src/domain/event/index.ts";
import { lightKeys } from "../../src/domain/event/light-events.ts";
import { useEventsJsonModule } from "../../src/ingest/events-json-wasm.ts";
import { parseRequestBody } from "../../src/ingest/parse-request.ts";
import { differentialSetup, processedText, skimmerModule } from "../support/events-light-differential.ts";
import { prng, randomEvent } from "../support/random-events.ts";

// POST /v1/events's half after the body is read (parseRequestBody + processEvents, as the route
// runs them) with the WebAssembly skimmer and without it, over generated bodies: the answer, the
// kept events (key order too), the rollups and the redaction counts must be the same.

afterAll(() => useEventsJsonModule(null));

type Sent = "framed" | "streamed" | "gzip";

/** The body as the route gets it: framed by Content-Length, streamed in two chunks, or gzipped and streamed. */
function asRequest(bytes: Uint8Array, sent: Sent) {
  if (sent === "framed") {
    return {
      body: null,
      contentType: "application/json",
      contentLength: String(bytes.byteLength),
      readText: async () => new TextDecoder().decode(bytes),
      readBytes: async () => new Uint8Array(bytes).buffer,
    };
  }
  const sentBytes = sent === "gzip" ? Bun.gzipSync(new Uint8Array(bytes)) : bytes;
  const half = sentBytes.byteLength >> 1;
  return {
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(sentBytes.slice(0, half));
        controller.enqueue(sentBytes.slice(half));
        controller.close();
      },
    }),
    contentType: "application/json",
    ...(sent === "gzip" ? { contentEncoding: "gzip" } : {}),
  };
}

async function route(
  bytes: Uint8Array,
  limits: IngestLimits,
  rules: boolean,
  explain: boolean,
  withSkimmer: boolean,
  sent: Sent = "framed",
) {
  useEventsJsonModule(withSkimmer ? skimmerModule() : null);
  const s = differentialSetup(limits, rules);
  const parsed = await parseRequestBody(asRequest(bytes, sent), limits, "walk", { lightKeys: lightKeys(s.sampler.fields) });
  return {
    light: parsed.ok && parsed.light !== undefined,
    answer: parsed.ok ? processedText(parsed, s, explain) : JSON.stringify(parsed),
  };
}

const enc = new TextEncoder();

/** A JSON array of random events, laid out one of several ways, sometimes with one edit the skimmer must see. */
function randomBody(r: () => number): Uint8Array {
  const n = 1 + Math.floor(r() * 40);
  const events = Array.from({ length: n }, (_, i) => randomEvent(r, i));
  const layout = r();
  let text = layout < 0.6 ? JSON.stringify(events) : layout < 0.8 ? JSON.stringify(events, null, 2) : ` \r\n\t${JSON.stringify(events)}\n`;
  const edit = r();
  const at = (needle: string, replacement: string) => {
    const i = text.indexOf(needle, Math.floor(r() * text.length * 0.8));
    if (i !== -1) text = text.slice(0, i) + replacement + text.slice(i + needle.length);
  };
  if (edit < 0.05)
    at('"route":', '"route":"/dup","route":'); // a duplicate key: the last one counts
  else if (edit < 0.1)
    at('"route":', '"r\\u006fute":'); // an escaped key
  else if (edit < 0.13) at('"user":{', '"user":{"__proto__":1,');
  else if (edit < 0.16) at('"user":{', '"user":{"constructor":{"prototype":2},');
  else if (edit < 0.2)
    at('"service":"', '"service":"\\u00e9\\n\\"'); // escapes in a value
  else if (edit < 0.24)
    at('"service":"', '"service":"é€😀'); // non-ASCII in a light field
  else if (edit < 0.27)
    at("},{", "},7,{"); // an element that is not an object
  else if (edit < 0.3) at("},{", "},,{");
  else if (edit < 0.33) at("}]", "},]");
  else if (edit < 0.36)
    at('"durationMs":', '"durationMs":1e400,"x":'); // Infinity after JSON.parse
  else if (edit < 0.39) at('"durationMs":', '"durationMs":01,"x":');
  else if (edit < 0.42) at('"plan":"', '"plan":"\u0001');
  else if (edit < 0.45) text = `\ufeff${text}`;
  else if (edit < 0.48) at('"tags":[', '"tags":[[[[[[[[1]]]]]]]],"t2":[');
  const bytes = enc.encode(text);
  if (edit > 0.97 && bytes.length > 20) {
    // An invalid UTF-8 byte inside a string value.
    const quote = bytes.indexOf(34, Math.floor(bytes.length / 2));
    if (quote !== -1) bytes[quote + 1] = 0xff;
  }
  return bytes;
}

const LIMITS: Array<[string, IngestLimits]> = [
  ["default limits", DEFAULT_LIMITS],
  ["small limits", { ...DEFAULT_LIMITS, maxFields: 14, maxDepth: 4, maxEvents: 30, maxEventBytes: 1200 }],
];

describe("POST /v1/events with the WebAssembly skimmer", () => {
  for (const [name, limits] of LIMITS) {
    test(`the same answer, kept events, rollups and counts as without it, over generated bodies (${name})`, async () => {
      let light = 0;
      const runs = 300;
      for (let seed = 1; seed <= runs; seed++) {
        const r = prng(seed * 131 + limits.maxFields);
        const bytes = randomBody(r);
        const rules = r() < 0.3;
        const explain = r() < 0.2;
        const sent = (["framed", "framed", "streamed", "gzip"] as const)[Math.floor(r() * 4)];
        const without = await route(bytes, limits, rules, explain, false, sent);
        const withIt = await route(bytes, limits, rules, explain, true, sent);
        if (withIt.light) light++;
        if (withIt.answer !== without.answer) {
          throw new Error(`seed ${seed}: the answers differ\n${new TextDecoder().decode(bytes).slice(0, 400)}`);
        }
      }
      console.log(`${name}: light events for ${light} of ${runs} bodies`);
      // The property says little if the skimmer declined nearly every body.
      expect(light / runs).toBeGreaterThan(name === "default limits" ? 0.5 : 0.1);
    }, 60_000);
  }

  test("a body the skimmer declines is read as always: a bad element is rejected by its index", async () => {
    const bytes = enc.encode('[{"service":"a","statusCode":500},7]');
    const answer = await route(bytes, DEFAULT_LIMITS, false, false, true);
    expect(answer.light).toBe(false);
    expect(JSON.parse(answer.answer.split("\n")[0] as string).rejected).toEqual([
      { index: 1, code: "INVALID_EVENT", error: "event must be a JSON object (got number)" },
    ]);
  });
});
