/**
 * Micro-benchmark of the POST /v1/events parse half: a 1000-event JSON array (~800 bytes each)
 * through JSON.parse, scanJson, parseBody and the full parse+validate+normalize+redact pipeline,
 * with JSON.parse+JSON.stringify of the same text as the same-run baseline. Then the whole
 * transform half as the route runs it, parseBody + processEvents with the real IngestSetup
 * (validate, redact, count into rollups, sample at 5 %), three ways: as configured, without the
 * rollup aggregator (what the code did before rollups), and with redaction off (what redaction costs);
 * and as the route runs it with the WebAssembly events skimmer (light events: readLightBody +
 * processEvents, only kept events parsed whole).
 *
 *   ./node_modules/.bin/bun bench/parse.ts [events]     # env ROUNDS=7
 *
 * Each case is timed by wall clock and by the JS thread's CPU time (process.threadCpuUsage); the
 * CPU figure leaves out time spent waiting for a core and the GC's helper threads.
 */

import { parseConfig } from "../src/config/schema.ts";
import { lightKeys } from "../src/domain/event/light-events.ts";
import { DEFAULT_LIMITS } from "../src/domain/event/limits.ts";
import { createNormalizeContext, normalizeBody } from "../src/domain/event/normalize.ts";
import { type DepthCheck, parseBody } from "../src/domain/event/parse-body.ts";
import { compileRedaction } from "../src/domain/event/redaction.ts";
import { scanJson } from "../src/domain/event/scan-json.ts";
import { installEmbeddedEventsJsonSkimmer } from "../src/ingest/events-json-wasm-embedded.ts";
import { createIngestSetup, type IngestSetup } from "../src/ingest/ingest-setup.ts";
import { readLightBody } from "../src/ingest/light-body.ts";
import { processEvents } from "../src/ingest/process-events.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { makeEvent } from "./fixtures.ts";

const EVENTS = Number(process.argv[2] ?? 1000);
let sink: unknown;
const body = JSON.stringify(Array.from({ length: EVENTS }, (_, i) => makeEvent(i)));
const bytes = new TextEncoder().encode(body).byteLength;
const ndjson = Array.from({ length: EVENTS }, (_, i) => JSON.stringify(makeEvent(i))).join("\n");
const byteSize = new Map([body, ndjson].map((text) => [text, new TextEncoder().encode(text).byteLength]));

/** The JS thread's own CPU time in ms (Bun, Node ≥ 23.9), else NaN. */
const threadCpuMs = (): number => {
  const usage = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage?.();
  return usage ? (usage.user + usage.system) / 1000 : Number.NaN;
};

/**
 * Milliseconds per call of `fn`, timed over a `ms` window: wall clock, and the JS thread's CPU time
 * (which a machine shared with other work disturbs less: time the thread waited for a core is not in it).
 */
function timeOnce(fn: () => unknown, ms: number): [number, number] {
  let runs = 0;
  const cpu = threadCpuMs();
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    sink = fn();
    runs++;
    now = performance.now();
  }
  return [(now - start) / runs, (threadCpuMs() - cpu) / runs];
}

const median = (s: number[]) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)] ?? Number.NaN;

/** Rounds interleave the cases so machine noise hits them alike; the median round is reported (wall, CPU). */
function measureAll(cases: Array<[string, () => unknown]>, rounds = 7, windowMs = 250): Array<[number, number]> {
  for (const [, fn] of cases) timeOnce(fn, 300); // warm-up: let the JIT settle
  const wall: number[][] = cases.map(() => []);
  const cpu: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach(([, fn], i) => {
      const [w, c] = timeOnce(fn, windowMs);
      wall[i]?.push(w);
      cpu[i]?.push(c);
    });
  }
  return cases.map((_, i) => [median(wall[i] ?? []), median(cpu[i] ?? [])]);
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

const withRollups = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05" }), new MetricsRegistry());
const withoutRollups: IngestSetup = { ...withRollups, rollups: undefined };
const withoutRedaction: IngestSetup = { ...withRollups, redaction: compileRedaction({ keys: [], cardNumbers: false, values: [] }) };
let calls = 0;
/** parseBody + processEvents as POST /v1/events runs them; the aggregator is drained every 250 bodies (a 5 s flush at ~50k events/s). */
function transform(setup: IngestSetup): number {
  const parsed = parseBody(body, "application/json", DEFAULT_LIMITS, { depth: "walk", bytes });
  if (!parsed.ok) throw new Error(`${parsed.code}: ${parsed.message}`);
  const result = processEvents(parsed, setup, { tenant: "bench" });
  if (!result.ok || result.accepted !== EVENTS) throw new Error("processEvents refused events");
  if (++calls % 250 === 0) setup.rollups?.drain();
  return result.kept.length;
}

installEmbeddedEventsJsonSkimmer();
const bodyBytes = new TextEncoder().encode(body);
const keys = lightKeys(withRollups.sampler.fields);
/** The same with light events, as the route reads a JSON array framed by Content-Length (the body's bytes as read). */
function lightTransform(setup: IngestSetup): number {
  const parsed = readLightBody(bodyBytes, keys, DEFAULT_LIMITS);
  if (parsed === null) throw new Error("the skimmer declined the bench body");
  const result = processEvents(parsed, setup, { tenant: "bench" });
  if (!result.ok || result.accepted !== EVENTS) throw new Error("processEvents refused events");
  if (++calls % 250 === 0) setup.rollups?.drain();
  return result.kept.length;
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
  ["parseBody + processEvents (rollups on)", () => transform(withRollups)],
  ["parseBody + processEvents, no rollup aggregator", () => transform(withoutRollups)],
  ["parseBody + processEvents, rollups on, no redaction", () => transform(withoutRedaction)],
  ["light events: readLightBody + processEvents", () => lightTransform(withRollups)],
];

const mib = bytes / (1024 * 1024);
console.log(
  `${EVENTS} events, ${bytes} bytes (${Math.round(bytes / EVENTS)} bytes/event), ${typeof Bun === "undefined" ? "node" : `bun ${Bun.version}`}`,
);
console.log(
  `${"case".padEnd(52)} ${"ms/body".padStart(9)} ${"µs/event".padStart(9)} ${"MiB/s".padStart(7)} ${"× parse".padStart(8)}   ${"CPU µs/event".padStart(12)} ${"× parse".padStart(8)}`,
);
const times = measureAll(cases, Number(process.env.ROUNDS ?? 7));
const [baseWall, baseCpu] = times[0] ?? [Number.NaN, Number.NaN];
cases.forEach(([name], i) => {
  const [wall, cpu] = times[i] ?? [Number.NaN, Number.NaN];
  console.log(
    `${name.padEnd(52)} ${wall.toFixed(3).padStart(9)} ${((wall * 1000) / EVENTS).toFixed(2).padStart(9)} ${(mib / (wall / 1000)).toFixed(0).padStart(7)} ${(wall / baseWall).toFixed(2).padStart(7)}×   ${((cpu * 1000) / EVENTS).toFixed(2).padStart(12)} ${(cpu / baseCpu).toFixed(2).padStart(7)}×`,
  );
});
void sink;
