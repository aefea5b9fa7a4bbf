import { murmur3_128hex } from "../hash/murmur3.ts";
import { type BodyError, type Rejection, tooDeep } from "./errors.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "./limits.ts";
import type { ParsedBody } from "./parse-body.ts";
import { DEFAULT_REDACTION, type Redaction } from "./redaction.ts";
import { nestsDeeper, scrubEvent, VALIDATE_ONLY } from "./scrub.ts";
import { futureSkewError, typeName } from "./timestamp.ts";
import { checkEvent, type EventError, emptyFields, isPlainObject, NULLABLE_FIELDS } from "./validate.ts";

/**
 * A validated, redacted event with the gateway's fields set except, possibly, a derived eventId:
 * normalizeBody leaves that to completeEvent, so the route derives ids only for events it keeps.
 */
export type DraftEvent = Record<string, unknown> & {
  eventId?: string;
  requestId: string;
  service: string;
  /** ISO-8601 UTC, normalised from what was sent, or `receivedAt` when nothing was. */
  timestamp: string;
  receivedAt: string;
  tenant: string;
  route?: string;
  method?: string;
  statusCode?: number;
  durationMs?: number;
  error?: EventError;
};

/** A complete event, assignable to OutboundEvent. */
export type WideEvent = DraftEvent & { eventId: string };

/** Built once per request: every event of a batch shares `receivedAt`. */
export interface NormalizeContext {
  tenant: string;
  receivedAt: string;
  limits: Pick<IngestLimits, "maxFields" | "maxDepth">;
  redaction: Redaction;
  newId: () => string;
  /** The clock reading `receivedAt` was made from, in epoch ms. */
  nowMs: number;
  /** Event times further ahead than this are rejected; 0 = no check. */
  futureSkew: { ms: number; text: string };
  /**
   * Leave `tenant` and `receivedAt` unset: the caller sets them with stampEvent on the events it
   * keeps, before they go anywhere (ingest drops most events, and two new fields per event cost
   * more than the rest of the normalising writes).
   */
  deferStamp: boolean;
}

export interface NormalizeContextOptions {
  tenant: string;
  limits?: Pick<IngestLimits, "maxFields" | "maxDepth">;
  redaction?: Redaction;
  /** Clock in epoch ms; injectable for tests. */
  now?: () => number;
  /** requestId generator; injectable for tests. */
  newId?: () => string;
  /** INGEST_MAX_FUTURE_SKEW; unset = no check. */
  futureSkew?: { ms: number; text: string };
  /** See NormalizeContext.deferStamp; default false. */
  deferStamp?: boolean;
}

export function createNormalizeContext(options: NormalizeContextOptions): NormalizeContext {
  const nowMs = (options.now ?? Date.now)();
  return {
    tenant: options.tenant,
    receivedAt: new Date(nowMs).toISOString(),
    nowMs,
    futureSkew: options.futureSkew ?? { ms: 0, text: "0" },
    limits: options.limits ?? DEFAULT_LIMITS,
    redaction: options.redaction ?? DEFAULT_REDACTION,
    newId: options.newId ?? (() => crypto.randomUUID()),
    deferStamp: options.deferStamp === true,
  };
}

/** `TOO_DEEP` is not a rejection of this event alone: normalizeBody refuses the whole body for it. */
export type NormalizeResult = { ok: true; event: WideEvent } | { ok: false; code: Rejection["code"] | "TOO_DEEP"; error: string };

/**
 * Validates, redacts and completes one parsed event. MUTATES `value` in place and returns it as
 * the event (parsed JSON is owned by the gateway); a rejected event may be left half-redacted.
 */
export function normalizeEvent(value: unknown, ctx: NormalizeContext): NormalizeResult {
  const result = draftEvent(value, ctx);
  return result instanceof DraftFailure
    ? { ok: false, code: result.code, error: result.error }
    : { ok: true, event: completeEvent(result) };
}

/** Why draftEvent refused an event (a class, so telling it from an event needs no wrapper per event). */
class DraftFailure {
  readonly ok = false;
  constructor(
    readonly code: Rejection["code"] | "TOO_DEEP",
    readonly error: string,
  ) {}
}

/** What checkEvent found, reused: draftEvent runs synchronously for one event at a time. */
const known = emptyFields();

/**
 * normalizeEvent without deriving a missing eventId (see completeEvent). `checked`: the body's
 * builder vouched that this event passes the VALIDATE_ONLY scrub (see skipsScrub).
 */
function draftEvent(value: unknown, ctx: NormalizeContext, checked = false): DraftEvent | DraftFailure {
  if (!isPlainObject(value)) return new DraftFailure("INVALID_EVENT", `event must be a JSON object (got ${typeName(value)})`);
  // Scrub first: hostile keys are refused before any field is read, and messages never echo secrets.
  if (!checked) {
    const scrubbed = scrubEvent(value, ctx.limits, ctx.redaction);
    if (scrubbed !== null) return new DraftFailure(scrubbed.code, scrubbed.error);
  }
  const invalid = checkEvent(value, known);
  if (invalid !== null) return new DraftFailure("INVALID_EVENT", invalid);
  const fields = known;
  if (fields.timestampMs !== undefined) {
    const ahead = futureSkewError(fields.timestampMs, ctx.nowMs, ctx.futureSkew.ms, ctx.futureSkew.text);
    if (ahead !== null) return new DraftFailure("FUTURE_TIMESTAMP", ahead);
  }
  if (fields.hasNull) for (const key of NULLABLE_FIELDS) if (value[key] === null) delete value[key];
  // Only what changes is written: a valid event's requestId, canonical timestamp, upper-case method,
  // error object and eventId are already the values checkEvent returned.
  if (fields.requestId === undefined) value.requestId = ctx.newId();
  if (fields.timestampMs === undefined) value.timestamp = ctx.receivedAt;
  else if (fields.timestampIso === undefined) value.timestamp = new Date(fields.timestampMs).toISOString();
  else if (value.timestamp !== fields.timestampIso) value.timestamp = fields.timestampIso;
  if (fields.method !== undefined && value.method !== fields.method) value.method = fields.method;
  if (fields.error !== undefined && value.error !== fields.error) value.error = fields.error;
  if (fields.eventId === undefined && value.eventId !== undefined) delete value.eventId; // "" means none: completeEvent derives one
  if (!ctx.deferStamp) stampEvent(value, ctx);
  return value as DraftEvent;
}

/** Set by the gateway only: a producer cannot choose its tenant or its arrival time. */
export function stampEvent(event: Record<string, unknown>, ctx: Pick<NormalizeContext, "tenant" | "receivedAt">): void {
  event.receivedAt = ctx.receivedAt;
  event.tenant = ctx.tenant;
}

/**
 * Sets the derived eventId when the producer gave none. It is a 128-bit hash of three strings, the
 * dearest step of normalising, so the ingest route runs it only on events the sampler keeps.
 */
export function completeEvent(event: DraftEvent): WideEvent {
  if (event.eventId === undefined) event.eventId = deriveEventId(event.requestId, event.timestamp, event.service);
  return event as WideEvent;
}

/**
 * Stable id so a retried batch deduplicates downstream. It is only stable when the producer sends
 * both requestId and timestamp: otherwise a fresh requestId or the arrival time goes into it.
 * The tenant is not part of it (per the architecture), so stores must deduplicate on (tenant, eventId).
 */
export function deriveEventId(requestId: string, timestamp: string, service: string): string {
  return murmur3_128hex(`${requestId}\u0000${timestamp}\u0000${service}`);
}

export interface NormalizedBatch {
  ok: true;
  /** Valid events in request order, with their index in the request; run completeEvent on those you keep. */
  events: Array<{ index: number; event: DraftEvent }>;
  /** Parse-time and validation rejections together, ordered by index. */
  rejected: Rejection[];
}

/**
 * Normalises every parsed item of a body and merges the rejections. Nesting past the depth limit
 * in any item refuses the whole body (TOO_DEEP), as the architecture asks; this is where bodies
 * parsed without a pre-scan get that check, so it also covers items rejected for another reason.
 */
export function normalizeBody(
  body: Pick<ParsedBody, "items" | "rejected" | "checked">,
  ctx: NormalizeContext,
): NormalizedBatch | BodyError {
  const events: NormalizedBatch["events"] = [];
  const rejected: Rejection[] = body.rejected.slice();
  const fromParse = rejected.length;
  const { maxDepth } = ctx.limits;
  const checked = skipsScrub(body.checked, ctx);
  for (const item of body.items) {
    const result = draftEvent(item.value, ctx, checked);
    if (!(result instanceof DraftFailure)) events.push({ index: item.index, event: result });
    else if (result.code === "TOO_DEEP" || nestsDeeper(item.value, maxDepth)) {
      return tooDeep(maxDepth + 1, maxDepth, `in the event at index ${item.index}`);
    } else rejected.push({ index: item.index, code: result.code, error: result.error });
  }
  if (fromParse > 0 && rejected.length > fromParse) rejected.sort((a, b) => a.index - b.index);
  return { ok: true, events, rejected };
}

/**
 * Whether a body's items may skip the scrub walk: their builder counted (ParsedBody.checked) within
 * these limits, and the walk would only validate. With VALIDATE_ONLY it finds nothing on such an
 * item and changes nothing; a redacting walk must still run.
 */
function skipsScrub(checked: ParsedBody["checked"], ctx: NormalizeContext): boolean {
  return (
    checked !== undefined &&
    ctx.redaction === VALIDATE_ONLY &&
    checked.maxFields <= ctx.limits.maxFields &&
    checked.maxDepth <= ctx.limits.maxDepth
  );
}
