/**
 * Micro-benchmark of the POST /v1/events parse half: a 1000-event JSON array (~800 bytes each)
 * through JSON.parse, scanJson, parseBody and the full parse+validate+normalize+redact pipeline,
 * with JSON.parse+JSON.stringify of the same text as the same-run baseline.
 *
 *   ./node_modules/.bin/bun bench/parse.ts [events=1000]
 */

import { DEFAULT_LIMITS } from "../src/domain/event/limits.ts";
import { createNormalizeContext, normalizeBody } from "../src/domain/event/normalize.ts";
import { type DepthCheck, parseBody } from "../src/domain/event/parse-body.ts";
import { scanJson } from "../src/domain/event/scan-json.ts";
import { makeEvent } from "./fixtures.ts";

const EVENTS = Number(process.argv[2] ?? 1000);
let sink: unknown;
const body = JSON.stringify(Array.from({ length: EVENTS }, (_, i) => makeEvent(i)));
const bytes = new TextEncoder().encode(body).byteLength;
const ndjson = Array.from({ length: EVENTS }, (_, i) => JSON.stringify(makeEvent(i))).join("\n");
const byteSize = new Map([body, ndjson].map((text) => [text, new TextEncoder().encode(text).byteLength]));

/** Milliseconds per call of `fn`, timed over a `ms` window. */
function timeOnce(fn: () => unknown, ms: number): number {
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    sink = fn();
    runs++;
    now = performance.now();
  }
  return (now - start) / runs;
}

/** Rounds interleave the cases so machine noise hits them alike; the median round is reported. */
function measureAll(cases: Array<[string, () => unknown]>, rounds = 7, windowMs = 250): number[] {
  for (const [, fn] of cases) timeOnce(fn, 300); // warm-up: let the JIT settle
  const samples: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach(([, fn], i) => {
      samples[i]?.push(timeOnce(fn, windowMs));
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)] ?? Number.NaN);
}

/** The whole parse half of POST /v1/events for one body; throws if any event was refused. */
function pipeline(text: string, contentType: string, depth: DepthCheck = "walk"): number {
  // bytes: the route knows the body's size from Content-Length or from reading it.
  const parsed = parseBody(text, contentType, DEFAULT_LIMITS, { depth, bytes: byteSize.get(text) });
  if (!parsed.ok) throw new Error(`${parsed.code}: ${parsed.message}`);
  const batch = normalizeBody(parsed, createNormalizeContext({ tenant: "bench" }));
  if (!batch.ok) throw new Error(`${batch.code}: ${batch.message}`);
  if (batch.events.length !== EVENTS) throw new Error(`pipeline rejected events: ${JSON.stringify(batch.rejected[0])}`);
  return batch.events.length;
}

const cases: Array<[string, () => unknown]> = [
  ["JSON.parse", () => JSON.parse(body)],
  ["scanJson", () => scanJson(body, { maxDepth: 33, maxElements: 10_000 })],
  ["parseBody, depth by scan (JSON.parse + sizes)", () => parseBody(body, "application/json")],
  ["parseBody, depth by walk (as POST /v1/events)", () => parseBody(body, "application/json", DEFAULT_LIMITS, { depth: "walk", bytes })],
  ["full pipeline (parse+validate+normalize+redact)", () => pipeline(body, "application/json")],
  ["full pipeline, depth by scan", () => pipeline(body, "application/json", "scan")],
  ["full pipeline, NDJSON text", () => pipeline(ndjson, "application/x-ndjson")],
  ["baseline: JSON.parse + JSON.stringify", () => JSON.stringify(JSON.parse(body))],
];

const mib = bytes / (1024 * 1024);
console.log(
  `${EVENTS} events, ${bytes} bytes (${Math.round(bytes / EVENTS)} bytes/event), ${typeof Bun === "undefined" ? "node" : `bun ${Bun.version}`}`,
);
console.log(`${"case".padEnd(50)} ${"ms/body".padStart(9)} ${"µs/event".padStart(9)} ${"ms/MiB".padStart(8)} ${"MiB/s".padStart(7)}`);
const times = measureAll(cases);
const baseline = times[0] ?? Number.NaN;
cases.forEach(([name], i) => {
  const perBody = times[i] ?? Number.NaN;
  const ratio = i === 0 ? "" : `  ${(perBody / baseline).toFixed(2)}× JSON.parse`;
  console.log(
    `${name.padEnd(50)} ${perBody.toFixed(3).padStart(9)} ${((perBody * 1000) / EVENTS).toFixed(2).padStart(9)} ${(perBody / mib).toFixed(3).padStart(8)} ${(mib / (perBody / 1000)).toFixed(0).padStart(7)}${ratio}`,
  );
});
void sink;
