/**
 * The events skimmer's light events against JSON.parse of the same body, through processEvents:
 * shared by tests/http/events-light-reader.test.ts and the `events-light` fuzz target.
 */
import { compileRedaction, type IngestLimits, type ParsedBody } from "../../src/domain/event/index.ts";
import { lightKeys } from "../../src/domain/event/light-events.ts";
import { parseJsonBody } from "../../src/domain/event/parse-body.ts";
import { RollupAggregator } from "../../src/domain/rollup/aggregator.ts";
import { createSampler } from "../../src/domain/sampling/sampler.ts";
import { useEventsJsonModule } from "../../src/ingest/events-json-wasm.ts";
import { EVENTS_JSON_WASM_BASE64 } from "../../src/ingest/events-json-wasm-bytes.ts";
import type { IngestSetup } from "../../src/ingest/ingest-setup.ts";
import { readLightBody } from "../../src/ingest/light-body.ts";
import { processEvents } from "../../src/ingest/process-events.ts";
import { wasmModuleFromBase64 } from "../../src/ingest/wasm-slot.ts";
import { NOW } from "./random-events.ts";

let module: WebAssembly.Module | undefined;
/** The embedded skimmer, compiled once. */
export function skimmerModule(): WebAssembly.Module {
  module ??= wasmModuleFromBase64(EVENTS_JSON_WASM_BASE64);
  return module;
}

/** A fresh setup per run (the rollups and redaction counts are compared): sampling at 20 %, a critical route, an optional rule. */
export function differentialSetup(limits: IngestLimits, rules = false): IngestSetup {
  return {
    limits,
    redaction: compileRedaction({ cardNumbers: true, values: ["email"] }),
    sampler: createSampler({
      normalRate: 0.2,
      slowMs: 2000,
      criticalRoutes: ["/admin/*"],
      rules: rules ? [{ name: "pro", when: [{ field: "user.plan", op: "eq", value: "pro" }], rate: 0.5 }] : [],
    }),
    rollups: new RollupAggregator({ maxGroups: 1000 }),
    futureSkew: { ms: 3_600_000, text: "1h" },
  };
}

/** processEvents' answer, rollup rows and redaction counts as one text (fixed clock and ids). */
export function processedText(
  parsed: Pick<ParsedBody, "items" | "rejected" | "checked" | "light">,
  s: IngestSetup,
  explain = false,
): string {
  let id = 0;
  const result = processEvents(parsed, s, { tenant: "t1", explain, now: () => NOW, newId: () => `gen-${id++}` });
  const rows = (s.rollups?.drain() ?? []).flatMap((d) => d.rows);
  return `${JSON.stringify(result)}\n${JSON.stringify(rows)}\n${JSON.stringify(s.redaction.counts)}`;
}

const utf8 = new TextDecoder();

/**
 * Whether a body the skimmer vouches for processes exactly as JSON.parse of it does (true too when
 * it declines: the route then parses it whole). `light`: whether it vouched.
 */
export function lightAgrees(bytes: Uint8Array, limits: IngestLimits, rules = false): { agrees: boolean; light: boolean } {
  const keys = lightKeys(differentialSetup(limits, rules).sampler.fields);
  useEventsJsonModule(skimmerModule());
  const light = readLightBody(bytes, keys, limits);
  useEventsJsonModule(null);
  if (light === null) return { agrees: true, light: false };
  const whole = parseJsonBody(utf8.decode(bytes), limits, { depth: "walk", bytes: bytes.byteLength });
  if (!whole.ok) return { agrees: false, light: true };
  const a = processedText(light, differentialSetup(limits, rules));
  const b = processedText(whole, differentialSetup(limits, rules));
  return { agrees: a === b, light: true };
}
