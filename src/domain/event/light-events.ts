import type { DraftEvent } from "./normalize.ts";

/**
 * Light events: a reader that has checked a whole body (its JSON, the limits the validation walk
 * checks, no hostile key) may hand normalizeBody only the top-level fields that validation,
 * rollups and sampling read, and parse an event whole only once the sampler keeps it. Most events
 * are dropped, so most of a body is then never materialised.
 *
 * The fields validation reads (checkEvent) and rollups count; a light event also holds every
 * field the sampler's rules read (see lightKeys).
 */
export const LIGHT_FIELDS: readonly string[] = [
  "service",
  "requestId",
  "eventId",
  "timestamp",
  "route",
  "method",
  "statusCode",
  "durationMs",
  "error",
];

/** ParsedBody.light: its items hold only `keys` (those their events have, as the events have them). */
export interface LightEvents {
  keys: readonly string[];
  /** The whole event at this request index, freshly parsed (a new object on every call). */
  whole(index: number): Record<string, unknown>;
}

/** The top-level fields light events must hold for a sampler that reads `samplerFields`. */
export function lightKeys(samplerFields: ReadonlySet<string>): readonly string[] {
  const keys = [...LIGHT_FIELDS];
  for (const field of samplerFields) if (field !== "" && !keys.includes(field)) keys.push(field);
  return keys;
}

/**
 * The whole event as the gateway would have made it, given `draft`, its light event after
 * normalizeBody, redactDimensions and whatever ran on it before the keep. Normalising rewrites
 * most fields in place, but deletes nulls (an empty eventId too) and appends what it adds: a
 * light field is deleted from `whole` where the draft lost it or added it anew, then every field
 * of the draft is set, in the draft's order, so the added ones come last as they would. The
 * draft's values are reused, so generated ones (a requestId) stay the same.
 */
export function adoptDraft(whole: Record<string, unknown>, draft: DraftEvent, keys: readonly string[]): DraftEvent {
  for (const key of keys) {
    if (!Object.hasOwn(whole, key)) continue;
    const sent = whole[key];
    if (!Object.hasOwn(draft, key) || (sent === null && draft[key] !== null) || (key === "eventId" && sent === "")) delete whole[key];
  }
  for (const key in draft) whole[key] = draft[key];
  return whole as DraftEvent;
}
