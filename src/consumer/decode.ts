import { checkRollupDelta } from "../domain/rollup/delta-codec.ts";
import type { OutboundEvent, OutboundRecord } from "../ports/publisher.ts";

export type DecodeResult = { ok: true; event: OutboundRecord } | { ok: false; reason: string };

const MAX_ID_LENGTH = 256;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH;

/**
 * Turns a message value from the events topic back into an OutboundEvent or a rollup delta, or
 * says why it cannot be either. A record without an eventId is read as a delta (an event always has
 * one: the gateway sets it), so a producer's fields can never pass for a delta. A failure here is permanent (the same bytes fail the same way), so the caller
 * dead-letters the message instead of retrying it.
 */
export function decodeEvent(value: Uint8Array | undefined | null): DecodeResult {
  if (!value || value.length === 0) return { ok: false, reason: "empty message" };
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: "value is not valid UTF-8" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message.slice(0, 120)}` };
  }
  if (!isObject(parsed)) return { ok: false, reason: "value is not a JSON object" };
  if (parsed.eventId === undefined && parsed.kind === "rollup") {
    const delta = checkRollupDelta(parsed);
    return delta.ok ? { ok: true, event: delta.delta } : delta;
  }
  const reason = invalidField(parsed);
  if (reason) return { ok: false, reason };
  return { ok: true, event: parsed as OutboundEvent };
}

/** The fields the store and the queries rely on; everything else is kept as sent. */
function invalidField(event: Record<string, unknown>): string | null {
  if (!isId(event.eventId)) return `eventId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
  if (!isId(event.requestId)) return `requestId must be a non-empty string of at most ${MAX_ID_LENGTH} characters`;
  if (typeof event.service !== "string" || event.service.length === 0) return "service must be a non-empty string";
  if (typeof event.timestamp !== "string" || Number.isNaN(Date.parse(event.timestamp))) return "timestamp must be an ISO-8601 string";
  if (event.tenant !== undefined && (typeof event.tenant !== "string" || event.tenant.length === 0 || event.tenant.includes(":"))) {
    return "tenant must be a non-empty string without ':'";
  }
  if (event.sampling !== undefined) {
    const sampling = event.sampling;
    // Counts are estimated as the sum of 1/rate: a zero or negative rate would poison every query.
    if (!isObject(sampling) || typeof sampling.rate !== "number" || !(sampling.rate > 0 && sampling.rate <= 1)) {
      return "sampling.rate must be a number in (0, 1]";
    }
  }
  return null;
}
