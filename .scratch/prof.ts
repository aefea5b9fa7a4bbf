import { parseConfig } from "../src/config/schema.ts";
import { DEFAULT_LIMITS } from "../src/domain/event/limits.ts";
import { createNormalizeContext, normalizeBody, completeEvent } from "../src/domain/event/index.ts";
import { parseBody } from "../src/domain/event/parse-body.ts";
import { createIngestSetup } from "../src/ingest/ingest-setup.ts";
import { processEvents } from "../src/ingest/process-events.ts";
import { MetricsRegistry } from "../src/metrics/registry.ts";
import { makeEvent } from "../bench/fixtures.ts";
const EVENTS = 1000;
const body = JSON.stringify(Array.from({ length: EVENTS }, (_, i) => makeEvent(i)));
const bytes = new TextEncoder().encode(body).byteLength;
const setup = createIngestSetup(parseConfig({ SAMPLING_NORMAL_RATE: "0.05" }), new MetricsRegistry());
const parse = () => { const p = parseBody(body, "application/json", DEFAULT_LIMITS, { depth: "walk", bytes }); if (!p.ok) throw 1; return p; };
let sink: unknown;
const cases: Record<string, () => unknown> = {
  parse: () => parse(),
  "normalize default ctx": () => normalizeBody(parse(), createNormalizeContext({ tenant: "bench" })),
  "normalize setup ctx": () => normalizeBody(parse(), createNormalizeContext({ tenant: "bench", limits: setup.limits, redaction: setup.redaction })),
  "normalize setup + decide": () => { const b = normalizeBody(parse(), createNormalizeContext({ tenant: "bench", limits: setup.limits, redaction: setup.redaction })); if (!b.ok) throw 1; let k = 0; for (const { event } of b.events) if (setup.sampler.decide(event).keep) k++; return k; },
  "normalize setup + decide + count": () => { const b = normalizeBody(parse(), createNormalizeContext({ tenant: "bench", limits: setup.limits, redaction: setup.redaction })); if (!b.ok) throw 1; let k = 0; for (const { event } of b.events) { setup.rollups?.count(event); if (setup.sampler.decide(event).keep) k++; } return k; },
  processEvents: () => processEvents(parse(), setup, { tenant: "bench" }),
};
let n = 0;
const results: Record<string, number[]> = {};
for (let round = 0; round < 9; round++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t = performance.now(); let runs = 0;
    while (performance.now() - t < 250) { sink = fn(); runs++; if (++n % 250 === 0) setup.rollups?.drain(); }
    (results[name] ??= []).push(((performance.now() - t) / runs) * 1000 / EVENTS);
  }
}
for (const [name, xs] of Object.entries(results)) console.log(name.padEnd(36), xs.sort((a, b) => a - b)[4]?.toFixed(2), "µs/event");
void sink; void completeEvent;
