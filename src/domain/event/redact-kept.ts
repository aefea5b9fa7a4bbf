import type { DraftEvent } from "./normalize.ts";
import { REDACTED, type Redaction, redactCardNumbers } from "./redaction.ts";
import { type ScrubLimits, scrubEvent } from "./scrub.ts";

/**
 * Validation without redaction: the scrub walk still counts fields, refuses hostile keys and deep
 * nesting for every event, but leaves values alone. Ingest redacts only what it keeps (dropped
 * events go nowhere) plus the few fields that rollups count (see redactDimensions).
 */
export const VALIDATE_ONLY: Redaction = {
  keys: new Set<string>(),
  cardNumbers: false,
  isSensitiveKey: () => false,
};

const DIMENSIONS = ["service", "route", "method"] as const;

/**
 * Redacts the fields every event contributes to rollups (service, route, method, error.code),
 * before it is counted: a rollup row stores them for every event, kept or not. The same rules as
 * the full walk, so a kept event's fields and its rollup row agree.
 */
export function redactDimensions(event: DraftEvent, redaction: Redaction): void {
  for (const key of DIMENSIONS) {
    const value = event[key];
    if (typeof value !== "string") continue;
    if (redaction.isSensitiveKey(key)) event[key] = REDACTED;
    else if (redaction.cardNumbers) event[key] = redactCardNumbers(value);
  }
  const error = event.error;
  if (error === undefined) return;
  if (redaction.isSensitiveKey("error")) {
    event.error = { message: REDACTED };
    return;
  }
  if (typeof error.code !== "string") return;
  if (redaction.isSensitiveKey("code")) error.code = REDACTED;
  else if (redaction.cardNumbers) error.code = redactCardNumbers(error.code);
}

/**
 * The full redaction walk, for an event that is kept. It validated already (with VALIDATE_ONLY,
 * which walks at least as much as this), so it cannot fail here.
 */
export function redactKept(event: DraftEvent, limits: ScrubLimits, redaction: Redaction): void {
  scrubEvent(event, limits, redaction);
  // A sensitive `error` key became a string: an event's error is always an object.
  if (typeof event.error === "string") event.error = { message: event.error };
}
