/**
 * A JSON array body as light events (see src/domain/event/light-events.ts), read by the
 * WebAssembly skimmer (events-json-wasm.ts): it checks the whole body as JSON.parse would and
 * certifies the limits, so JS parses only the light events' short text, and an event's own bytes
 * only when the sampler keeps it. null: the skimmer declined (or none is installed); the caller
 * parses the body as always, so every error and rejection stays that path's.
 */
import type { IngestLimits } from "../domain/event/limits.ts";
import type { ParsedBody, ParsedItem } from "../domain/event/parse-body.ts";
import { skimEventsJson } from "./events-json-wasm.ts";

const utf8 = new TextDecoder();

export function readLightBody(bytes: Uint8Array, keys: readonly string[], limits: IngestLimits): ParsedBody | null {
  const skimmed = skimEventsJson(bytes, keys, limits);
  if (skimmed === null) return null;
  const values = JSON.parse(skimmed.light) as unknown[];
  const items = new Array<ParsedItem>(values.length);
  for (let index = 0; index < values.length; index++) items[index] = { index, value: values[index] };
  const { bounds } = skimmed;
  return {
    ok: true,
    items,
    rejected: [],
    checked: { maxFields: skimmed.maxFields, maxDepth: skimmed.maxDepth },
    light: {
      keys,
      // Each event's bytes decode on their own as they would inside the body: they start and end
      // with ASCII (`{`, `}`), so no UTF-8 sequence is cut.
      whole: (index) => JSON.parse(utf8.decode(bytes.subarray(bounds[2 * index], bounds[2 * index + 1]))) as Record<string, unknown>,
    },
  };
}
