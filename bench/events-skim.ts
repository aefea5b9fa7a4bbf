/**
 * bun bench/events-skim.ts [rounds=N] — the WebAssembly events skimmer against JSON.parse on the
 * bench bodies (bench/ingest.ts's: 1000 events of ~800 bytes). Per body: JSON.parse of the decoded
 * text (the baseline, same run), TextDecoder.decode alone, the skim alone (bytes copied in, light
 * text and bounds copied out), JSON.parse(light), and skim + JSON.parse(light) as % of the baseline.
 */
import { skimEventsJson } from "../src/ingest/events-json-wasm.ts";
import { installEmbeddedEventsJsonSkimmer } from "../src/ingest/events-json-wasm-embedded.ts";
import { makeBatch } from "./fixtures.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const ROUNDS = Number(args.rounds ?? 400);
const BODIES = Number(args.bodies ?? 4);
const KEYS = ["service", "requestId", "eventId", "timestamp", "route", "method", "statusCode", "durationMs", "error"];
const LIMITS = { maxEvents: 10_000, maxEventBytes: 1 << 20, maxFields: 1000, maxDepth: 32 };

installEmbeddedEventsJsonSkimmer();
const decoder = new TextDecoder();
const bodies = Array.from({ length: BODIES }, (_, b) => new TextEncoder().encode(makeBatch(1000, b * 1000, 50)));

/** Median microseconds of `fn` over ROUNDS calls (after a warm-up). */
function time(fn: () => unknown): number {
  for (let i = 0; i < 50; i++) fn();
  const samples: number[] = [];
  let sink = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const r = fn();
    samples.push(performance.now() - t);
    if (r) sink++;
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return (samples[samples.length >> 1] as number) * 1000;
}

const us = (n: number) => `${n.toFixed(0).padStart(6)} µs`;
const pct = (n: number, base: number) => `${((100 * n) / base).toFixed(1).padStart(5)} %`;
console.log(`bun ${Bun.version}, ${ROUNDS} rounds per figure (median), keys: ${KEYS.join(",")}`);
for (const [b, bytes] of bodies.entries()) {
  const text = decoder.decode(bytes);
  const first = skimEventsJson(bytes, KEYS, LIMITS);
  if (first === null) throw new Error(`body ${b}: the skimmer declined`);
  const light = first.light;
  const baseline = time(() => JSON.parse(decoder.decode(bytes)));
  const parseOnly = time(() => JSON.parse(text));
  const decode = time(() => decoder.decode(bytes));
  const skim = time(() => skimEventsJson(bytes, KEYS, LIMITS));
  const parseLight = time(() => JSON.parse(light));
  const both = time(() => JSON.parse((skimEventsJson(bytes, KEYS, LIMITS) as { light: string }).light));
  console.log(
    `body ${b} (${bytes.byteLength} B, light ${light.length} B): decode+JSON.parse ${us(baseline)} | JSON.parse alone ${us(parseOnly)} | decode ${us(decode)} ${pct(decode, baseline)} | skim ${us(skim)} ${pct(skim, baseline)} | JSON.parse(light) ${us(parseLight)} ${pct(parseLight, baseline)} | skim+parse(light) ${us(both)} ${pct(both, baseline)}`,
  );
}
