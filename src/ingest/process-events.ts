import {
  type BodyError,
  completeEvent,
  createNormalizeContext,
  normalizeBody,
  type ParsedBody,
  type Rejection,
  stampEvent,
} from "../domain/event/index.ts";
import { adoptDraft } from "../domain/event/light-events.ts";
import { redactDimensions, redactKept, VALIDATE_ONLY } from "../domain/event/redact-kept.ts";
import { EXEMPLAR_REASON } from "../domain/sampling/types.ts";
import type { OutboundEvent } from "../ports/publisher.ts";
import type { IngestSetup } from "./ingest-setup.ts";

export interface Decision {
  index: number;
  eventId: string;
  kept: boolean;
  reason: string;
  rate: number;
}

export interface ProcessedBatch {
  ok: true;
  /** Valid events, kept or not. */
  accepted: number;
  /** What goes on to the publisher: complete events with the sampler's `sampling` stamped on. */
  kept: OutboundEvent[];
  rejected: Rejection[];
  /** Per accepted event, with `explain` only. */
  decisions?: Decision[];
}

/** Every event was refused: the request answers 400 with the list. */
export interface AllRejected {
  ok: false;
  status: 400;
  code: "INVALID_EVENTS";
  message: string;
  rejected: Rejection[];
}

/**
 * The transform half of ingest, after the body is read: validate → count → sample → redact what is
 * kept (the fields rollups count are redacted for every event, before counting). Runtime-free
 * and synchronous, so both runtimes run exactly this, and a test can call it without a server.
 */
export function processEvents(
  parsed: Pick<ParsedBody, "items" | "rejected" | "checked" | "light">,
  setup: IngestSetup,
  options: { tenant: string; explain?: boolean; now?: () => number; newId?: () => string },
): ProcessedBatch | AllRejected | BodyError {
  const { sampler, rollups } = setup;
  const explain = options.explain === true;
  // Derived eventIds cost a 128-bit hash each: only kept events get one, unless a rule reads it or explain shows it.
  const idsFirst = explain || sampler.fields.has("eventId");
  // Likewise tenant and receivedAt, two new fields per event: set on kept events only, unless a rule reads them
  // (or ids come first, which keeps the fields in the order they always had).
  const stampFirst = idsFirst || sampler.fields.has("tenant") || sampler.fields.has("receivedAt");
  const context = createNormalizeContext({
    tenant: options.tenant,
    limits: setup.limits,
    redaction: VALIDATE_ONLY,
    ...(setup.futureSkew ? { futureSkew: setup.futureSkew } : {}),
    deferStamp: !stampFirst,
    ...(options.now ? { now: options.now } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
  });
  const batch = normalizeBody(parsed, context);
  if (!batch.ok) return batch;
  const { events, rejected } = batch;
  if (events.length === 0 && rejected.length > 0) {
    const first = rejected[0];
    const message = rejected.length === 1 ? `event ${first?.index}: ${first?.error}` : `all ${rejected.length} events were rejected`;
    return { ok: false, status: 400, code: "INVALID_EVENTS", message, rejected };
  }

  const decisions: Decision[] = [];
  const kept: OutboundEvent[] = [];
  const { redaction } = setup;
  const tenant = context.tenant;
  const { light } = parsed;
  for (const { index, event } of events) {
    redactDimensions(event, redaction);
    if (idsFirst) completeEvent(event);
    // Counted before sampling: rollups see every accepted event, kept or not.
    const group = rollups?.count(event, tenant);
    const decision = sampler.decide(event);
    let keep = decision.keep;
    let reason: string = decision.reason;
    if (!keep && group !== undefined && !group.kept && decision.rate > 0) {
      // The first event of a group and minute that nothing else kept: stored so every rollup row
      // can be drilled into, at weight 0 so weighted estimates stay unbiased. A rate-0 rule means "store none".
      keep = true;
      reason = EXEMPLAR_REASON;
    }
    if (keep) {
      // A light event becomes its whole event only now: the dropped ones are never parsed whole.
      const whole = light === undefined ? event : adoptDraft(light.whole(index), event, light.keys);
      if (!stampFirst) stampEvent(whole, context);
      redactKept(whole, redaction);
      const complete = completeEvent(whole);
      complete.sampling = { reason, rate: decision.rate }; // overrides anything the producer sent
      kept.push(complete);
      if (group !== undefined) rollups?.kept(group, complete.eventId);
    }
    if (explain) {
      decisions.push({ index, eventId: completeEvent(event).eventId, kept: keep, reason, rate: decision.rate });
    }
  }
  return { ok: true, accepted: events.length, kept, rejected, ...(explain ? { decisions } : {}) };
}
