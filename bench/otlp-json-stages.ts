/**
 * Where the OTLP/JSON door's time goes, stage by stage, against /v1/events' same stages: CPU µs per
 * event of the JS thread (`process.threadCpuUsage`), on the bodies of `bench/otlp-inprocess.ts` (8
 * bodies of 1,000 events; 792 bytes per event as wide-event JSON, 2,312 as OTLP/JSON). Each case
 * runs in rounds of 250 ms, the cases interleaved; each figure is the median round.
 *
 * Stages: decoding the bytes (and, for OTLP/JSON, the plain check), `JSON.parse` alone, the parse
 * as the route runs it (`parseJsonBody`, plus the mapping for OTLP/JSON), and the whole transform
 * half (`parseRequestBody`/`parseOtlpRequestBody` + `processEvents`, as `bench:otlp-inprocess`).
 * "Downstream" is the whole door minus its decode and parse (and mapping).
 *
 * `probes=1` also times rewrites of the OTLP/JSON text that would let a single `JSON.parse` build
 * fewer objects (see BENCHMARKS.md): one regex pass that turns each scalar KeyValue into
 * `"key","type",value`, `JSON.parse` of its result, one plain-string `replaceAll` pass, and finding
 * the stringValue KeyValues with `indexOf`/`startsWith`/`slice` alone (no records, kvlists or limits).
 *
 * `only=a,b` runs only the cases whose names start with one of those.
 *
 *   bun bench/otlp-json-stages.ts [rounds=9] [probes=1] [only=OTLP/JSON]
 */

import { parseConfig } from "../src/config/schema.ts";
import { isPlainDecodedJson, mapOtlpBody, otlpBodyLimits } from "../src/domain/event/otlp.ts";
import { parseJsonBody } from "../src/domain/event/parse-body.ts";
import { parseOtlpRequestBody, parseRequestBody } from "../src/ingest/index.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { processEvents } from "../src/ingest/process-events.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { makeEvent } from "./fixtures.ts";
import { otlpLogsRequest } from "./lib/otlp-bodies.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const ROUNDS = Number(args.rounds ?? 9);
const EVENTS = 1000;
const BODIES = 8;

const batches = Array.from({ length: BODIES }, (_, b) => Array.from({ length: EVENTS }, (_, i) => makeEvent(b * EVENTS + i, 50)));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const eventBytes = batches.map((b) => encoder.encode(JSON.stringify(b)));
const otlpBytes = batches.map((b) => encoder.encode(JSON.stringify(otlpLogsRequest(b))));
const eventText = eventBytes.map((b) => decoder.decode(b));
const otlpText = otlpBytes.map((b) => decoder.decode(b));

const setup = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05" }), new MetricsRegistry());
const { limits } = setup;
const otlpLimits = otlpBodyLimits(limits);
let calls = 0;
function process_(parsed: Parameters<typeof processEvents>[0] | { ok: false }): void {
  if (!("items" in parsed)) throw new Error(JSON.stringify(parsed).slice(0, 200));
  const result = processEvents(parsed, setup, { tenant: "bench" });
  if (!result.ok || result.accepted !== EVENTS) throw new Error(JSON.stringify(result).slice(0, 200));
  if (++calls % 50 === 0) setup.rollups?.drain();
}
const input = (bytes: Uint8Array) => ({
  body: null,
  contentType: "application/json",
  contentLength: String(bytes.byteLength),
  readText: async () => decoder.decode(bytes),
  readBytes: async () => bytes.slice().buffer,
});

type Case = (i: number) => unknown;
const cases: Record<string, Case> = {
  "/v1/events decode": (i) => decoder.decode(eventBytes[i]),
  "/v1/events JSON.parse": (i) => JSON.parse(eventText[i] as string),
  "/v1/events parse": (i) => parseJsonBody(eventText[i] as string, limits, { depth: "walk", bytes: eventBytes[i]?.byteLength }),
  "/v1/events door": async (i) => process_(await parseRequestBody(input(eventBytes[i] as Uint8Array), limits, "walk")),
  "OTLP/JSON decode+plain": (i) => isPlainDecodedJson(otlpBytes[i] as Uint8Array, decoder.decode(otlpBytes[i])),
  "OTLP/JSON JSON.parse": (i) => JSON.parse(otlpText[i] as string),
  "OTLP/JSON parse+map": (i) => {
    const parsed = parseJsonBody(otlpText[i] as string, otlpLimits, { depth: "walk" });
    return parsed.ok ? mapOtlpBody(parsed, limits, true) : parsed;
  },
  "OTLP/JSON door": async (i) => process_(await parseOtlpRequestBody(input(otlpBytes[i] as Uint8Array), limits)),
};

// Probes: scalar KeyValues only ({"key":…,"value":{"<type>":…}}); kvlist/array values are left as they are.
const SCALAR_KV = /\{"key":("[^"]*"),"value":\{"(stringValue|intValue|doubleValue|boolValue)":("[^"]*"|[-\d.eE+]+|true|false)\}\}/g;
const rewrite = (text: string) => text.replace(SCALAR_KV, '$1,"$2",$3');
const rewritten = otlpText.map(rewrite);
const STRING_VALUE = '","value":{"stringValue":"';
function scalarsByIndexOf(text: string): number {
  const out: Record<string, unknown> = {};
  let found = 0;
  for (let i = text.indexOf('{"key":"'); i !== -1; i = text.indexOf('{"key":"', i)) {
    const keyEnd = text.indexOf('"', i + 8);
    if (text.startsWith(STRING_VALUE, keyEnd)) {
      const end = text.indexOf('"', keyEnd + STRING_VALUE.length);
      out[text.slice(i + 8, keyEnd)] = text.slice(keyEnd + STRING_VALUE.length, end);
      found++;
      i = end;
    } else i = keyEnd;
  }
  return found;
}
if (args.probes === "1") {
  cases["probe: regex rewrite, 1 pass"] = (i) => rewrite(otlpText[i] as string);
  cases["probe: JSON.parse rewritten"] = (i) => JSON.parse(rewritten[i] as string);
  cases["probe: replaceAll, 1 pass"] = (i) => (otlpText[i] as string).replaceAll('{"key":"', '"');
  cases["probe: indexOf stringValues"] = (i) => scalarsByIndexOf(otlpText[i] as string);
}

const cpu = () => {
  const used = process.threadCpuUsage();
  return used.user + used.system;
};
const only = args.only?.split(",");
const names = Object.keys(cases).filter((name) => only === undefined || only.some((prefix) => name.startsWith(prefix)));
for (const name of names) for (let k = 0; k < 30; k++) await cases[name]?.(k % BODIES);
const perEvent = new Map<string, number[]>(names.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 === 0 ? names : [...names].reverse()) {
    const run = cases[name] as Case;
    const start = cpu();
    const until = performance.now() + 250;
    let k = 0;
    while (performance.now() < until) await run(k++ % BODIES);
    perEvent.get(name)?.push((cpu() - start) / (k * EVENTS));
  }
}
const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const at = (name: string) => median(perEvent.get(name));
console.log(
  `OTLP/JSON stages — ${EVENTS} events per body, ${ROUNDS} rounds of 250 ms per case, CPU µs/event of the JS thread (median round)`,
);
for (const name of names) console.log(`${name.padEnd(30)} ${at(name).toFixed(2).padStart(6)}`);
if (only !== undefined) process.exit(0);
const eventsRest = at("/v1/events door") - at("/v1/events decode") - at("/v1/events parse");
const otlpRest = at("OTLP/JSON door") - at("OTLP/JSON decode+plain") - at("OTLP/JSON parse+map");
console.log(`${"/v1/events downstream".padEnd(30)} ${eventsRest.toFixed(2).padStart(6)}  (door − decode − parse)`);
console.log(
  `${"OTLP/JSON mapping".padEnd(30)} ${(at("OTLP/JSON parse+map") - at("OTLP/JSON JSON.parse")).toFixed(2).padStart(6)}  (parse+map − JSON.parse)`,
);
console.log(`${"OTLP/JSON downstream".padEnd(30)} ${otlpRest.toFixed(2).padStart(6)}  (door − decode+plain − parse+map)`);
console.log(
  `OTLP/JSON door at ${((at("/v1/events door") / at("OTLP/JSON door")) * 100).toFixed(0)} % of /v1/events; decode + JSON.parse alone at ${((at("/v1/events door") / (at("OTLP/JSON decode+plain") + at("OTLP/JSON JSON.parse"))) * 100).toFixed(0)} %`,
);
