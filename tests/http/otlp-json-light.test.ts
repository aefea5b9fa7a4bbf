import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { makeEvent } from "../../bench/fixtures.ts";
import { otlpLogsRequest } from "../../bench/lib/otlp-bodies.ts";
import { compileRedaction, DEFAULT_LIMITS, type IngestLimits } from "../../src/domain/event/index.ts";
import { lightKeys } from "../../src/domain/event/light-events.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import { useEventsJsonModule } from "../../src/ingest/events-json-wasm.ts";
import type { IngestSetup } from "../../src/ingest/ingest-setup.ts";
import { useOtlpJsonModule } from "../../src/ingest/otlp-json-wasm.ts";
import { parseOtlpRequestBody } from "../../src/ingest/parse-otlp-request.ts";
import { processEvents } from "../../src/ingest/process-events.ts";
import { skimmerModule } from "../support/events-light-differential.ts";
import { asRequest, exactText, otlpJsonBodies, otlpJsonLimits, readerModule } from "../support/otlp-json-differential.ts";
import { NOW } from "../support/random-events.ts";

// POST /v1/logs (OTLP/JSON) read by the WebAssembly reader, its wide-event text then skimmed into
// light events, against the reader's whole events: the same answer, kept events, rollups and counts.

afterAll(() => {
  useEventsJsonModule(null);
  useOtlpJsonModule(null);
});

const skimmer = skimmerModule();

/** `rules`: a sampling rule on a field past the reader's light prefix, so the events skimmer makes the light events. */
function setupOf(limits: IngestLimits, rules: boolean): IngestSetup {
  return {
    limits,
    redaction: compileRedaction({ cardNumbers: true, values: ["email"] }),
    sampler: createSampler({
      normalRate: 0.3,
      slowMs: 2000,
      criticalRoutes: [],
      rules: rules ? [{ name: "warn", when: [{ field: "severity", op: "eq", value: "WARN" }], rate: 1 }] : [],
    }),
    rollups: new RollupAggregator({ maxGroups: 1000 }),
  };
}

async function route(bytes: Uint8Array, limits: IngestLimits, light: boolean, rules: boolean) {
  useOtlpJsonModule(readerModule());
  useEventsJsonModule(light ? skimmer : null);
  const s = setupOf(limits, rules);
  // Without light keys the reader parses its whole output, as before light events.
  const parsed = await parseOtlpRequestBody(asRequest(bytes), limits, light ? { lightKeys: lightKeys(s.sampler.fields) } : {});
  let id = 0;
  const result = parsed.ok ? processEvents(parsed, s, { tenant: "t1", now: () => NOW, newId: () => `gen-${id++}` }) : parsed;
  const rows = (s.rollups?.drain() ?? []).flatMap((d) => d.rows);
  return {
    light: parsed.ok && parsed.light !== undefined,
    /** The WebAssembly reader mapped the body to at least one event. */
    read: parsed.ok && parsed.reader === "wasm" && parsed.items.length > 0,
    answer: `${exactText(result)}\n${JSON.stringify(rows)}\n${JSON.stringify(s.redaction.counts)}`,
  };
}

describe("POST /v1/logs OTLP/JSON with light events", () => {
  test("the same answer, kept events, rollups and counts as the reader's whole events, over generated bodies", async () => {
    let light = 0;
    let withEvents = 0;
    await fc.assert(
      fc.asyncProperty(otlpJsonBodies, otlpJsonLimits, fc.boolean(), async (bytes, limits, rules) => {
        const whole = await route(bytes, limits, false, rules);
        const lit = await route(bytes, limits, true, rules);
        if (limits.maxEventBytes === DEFAULT_LIMITS.maxEventBytes) {
          if (whole.read) withEvents++;
          if (lit.light) light++;
        }
        expect(lit.answer).toBe(whole.answer);
      }),
      { numRuns: 400 },
    );
    console.log(`under the default limits, light events for ${light} of the ${withEvents} bodies the reader mapped to events`);
    // The skimmer takes most of those; it declines the ones with a hostile key, which the walk must name.
    expect(light / withEvents).toBeGreaterThan(0.4);
  }, 60_000);

  test("an SDK-shaped body of 400 events, a fifth of them errors, gives the same answer both ways", async () => {
    const events = Array.from({ length: 400 }, (_, i) => makeEvent(i, 5));
    const bytes = new TextEncoder().encode(JSON.stringify(otlpLogsRequest(events)));
    for (const rules of [false, true]) {
      const whole = await route(bytes, DEFAULT_LIMITS, false, rules);
      const lit = await route(bytes, DEFAULT_LIMITS, true, rules);
      expect(lit.light).toBe(true);
      expect(lit.answer).toBe(whole.answer);
    }
  });
});
