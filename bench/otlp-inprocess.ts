/**
 * bench:otlp in process — CPU µs per event of each ingest door's transform half, without HTTP: the
 * body read as the route reads it (`parseRequestBody` / `parseOtlpRequestBody` over the bytes, with
 * the route's light keys and the WebAssembly readers the Bun server installs),
 * then `processEvents` with the real IngestSetup (sampling at 5 %, rollups drained every 50
 * bodies). The same 8 bodies of 1,000 events as `bench/otlp.ts`. Steadier than the server bench on
 * a shared machine: it times the JS thread's CPU (`process.threadCpuUsage`), and with `base=DIR`
 * it loads the same functions from another checkout too and interleaves the two round by round,
 * so a neighbour's load moves both alike.
 *
 * Each door's share of /v1/events is the median over rounds of the ratio within a round (the two
 * cases ran within a second of each other), steadier than a ratio of the medians.
 *
 * `live=N` keeps about N thousand wide events alive meanwhile, as a server's memory store or
 * buffers do: each collection then has a live heap to mark, so a door's allocation costs more.
 *
 *   bun bench/otlp-inprocess.ts [rounds=15] [base=/path/to/other/checkout] [live=0]
 */
import { resolve } from "node:path";
import { makeEvent } from "./fixtures.ts";
import { otlpLogsRequest, otlpProtobuf } from "./lib/otlp-bodies.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const ROUNDS = Number(args.rounds ?? 15);
const EVENTS = 1000;
const BODIES = 8;
const ROUND_MS = 300;

const batches = Array.from({ length: BODIES }, (_, b) => Array.from({ length: EVENTS }, (_, i) => makeEvent(b * EVENTS + i, 50)));
const encode = (text: string) => new TextEncoder().encode(text);
const bodies = {
  events: batches.map((b) => encode(JSON.stringify(b))),
  json: batches.map((b) => encode(JSON.stringify(otlpLogsRequest(b)))),
  protobuf: batches.map((b) => otlpProtobuf(otlpLogsRequest(b))),
};

/** The request as the route hands it over: Content-Length set, the runtime's whole-body readers. */
function input(bytes: Uint8Array, contentType: string) {
  return {
    body: null,
    contentType,
    contentLength: String(bytes.byteLength),
    readText: async () => new TextDecoder().decode(bytes),
    readBytes: async () => bytes.slice().buffer,
  };
}

// Fresh copies, so the kept heap is many small objects rather than the bench's own batches.
const kept = Array.from({ length: Number(args.live ?? 0) * 1000 }, (_, i) => JSON.parse(JSON.stringify(batches[i % BODIES]?.[i % EVENTS])));

type Case = (i: number) => Promise<void>;
const cases = new Map<string, Case>();

async function load(label: string, root: string): Promise<void> {
  const { parseConfig } = await import(`${root}/src/config/schema.ts`);
  const { createIngestSetup } = await import(`${root}/src/ingest/ingest-setup.ts`);
  const { processEvents } = await import(`${root}/src/ingest/process-events.ts`);
  const { parseRequestBody, parseOtlpRequestBody } = await import(`${root}/src/ingest/index.ts`);
  const { MetricsRegistry } = await import(`${root}/src/metrics/registry.ts`);
  // A checkout with the WebAssembly OTLP/JSON reader installs it as the Bun server does.
  const reader = await import(`${root}/src/ingest/otlp-json-wasm-embedded.ts`).catch(() => null);
  reader?.installEmbeddedOtlpJsonReader();
  const skimmer = await import(`${root}/src/ingest/events-json-wasm-embedded.ts`).catch(() => null);
  skimmer?.installEmbeddedEventsJsonSkimmer();
  const setup = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05" }), new MetricsRegistry());
  // As the route asks for them (a checkout without light events ignores the option).
  const lightModule = await import(`${root}/src/domain/event/light-events.ts`).catch(() => null);
  const light = lightModule ? { lightKeys: lightModule.lightKeys(setup.sampler.fields) } : {};
  let calls = 0;
  const process = (parsed: { ok: boolean }) => {
    if (!parsed.ok) throw new Error(`${label}: ${JSON.stringify(parsed).slice(0, 200)}`);
    const result = processEvents(parsed, setup, { tenant: "bench" });
    if (!result.ok || result.accepted !== EVENTS) throw new Error(`${label}: ${JSON.stringify(result).slice(0, 200)}`);
    if (++calls % 50 === 0) setup.rollups?.drain();
  };
  cases.set(`${label} /v1/events`, async (i) =>
    process(await parseRequestBody(input(bodies.events[i] as Uint8Array, "application/json"), setup.limits, "walk", light)),
  );
  cases.set(`${label} OTLP/JSON`, async (i) =>
    process(await parseOtlpRequestBody(input(bodies.json[i] as Uint8Array, "application/json"), setup.limits, light)),
  );
  cases.set(`${label} OTLP protobuf`, async (i) =>
    process(await parseOtlpRequestBody(input(bodies.protobuf[i] as Uint8Array, "application/x-protobuf"), setup.limits, light)),
  );
}

await load("this tree", resolve(import.meta.dir, ".."));
if (args.base) await load("base", resolve(args.base));

const cpu = () => {
  const used = process.threadCpuUsage();
  return used.user + used.system;
};
const names = [...cases.keys()];
for (const name of names) for (let k = 0; k < 40; k++) await (cases.get(name) as Case)(k % BODIES);
const perEvent = new Map<string, number[]>(names.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 === 0 ? names : [...names].reverse()) {
    const run = cases.get(name) as Case;
    const start = cpu();
    const until = performance.now() + ROUND_MS;
    let k = 0;
    while (performance.now() < until) await run(k++ % BODIES);
    perEvent.get(name)?.push((cpu() - start) / (k * EVENTS));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(
  `bench:otlp in process — ${EVENTS} events per body, ${ROUNDS} rounds of ${ROUND_MS} ms per case, CPU of the JS thread, ${kept.length} events kept alive`,
);
for (const name of names) {
  const label = name.startsWith("base") ? "base" : "this tree";
  const ceiling = perEvent.get(`${label} /v1/events`) ?? [];
  const costs = perEvent.get(name) ?? [];
  const shares = costs.map((cost, r) => ((ceiling[r] as number) / cost) * 100);
  const ratio = name.endsWith("/v1/events")
    ? ""
    : `  ${median(shares).toFixed(0)}% of /v1/events' events per CPU second (median of the rounds' ratios)`;
  console.log(`${name.padEnd(24)} ${median(costs).toFixed(2).padStart(6)} µs/event${ratio}`);
}
