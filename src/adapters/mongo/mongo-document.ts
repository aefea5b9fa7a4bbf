import type { Document } from "mongodb";
import { bucketKeys, deriveFields } from "../../domain/query/derive.ts";
import { coarseBinOf } from "../../domain/query/histogram.ts";
import { BUCKETS } from "../../domain/query/stat-query.ts";
import type { OutboundEvent } from "../../ports/publisher.ts";

/**
 * A stored event: the event as sent at the top level (so the collection reads naturally), with
 * `_id` = `tenant:eventId` (the eventId does not include the tenant; tenants never contain `:`,
 * see QUERY_API_KEYS parsing) and the write-time fields under `_q`:
 *   ts (Date; range filters and TTL), w (1/rate), s (1 if sampled), err (0/1), ew (w·err),
 *   ec (error.code), d (durationMs), wd (w·d), hb (duration bin), hc (coarse bin of hb), txt (search text),
 *   b1m … b1d (bucket starts, epoch ms).
 * A producer's own `_id` or `_q` field is overwritten.
 */
export interface StoredDocument extends Document {
  _id: string;
  tenant: string;
  _q: Document;
}

/**
 * FerretDB (and MongoDB in parts of its language) refuses keys that contain "." or start with "$",
 * anywhere in a document, and OTLP-style attributes ("http.method") have them. Such keys are
 * stored with the fullwidth "．" / "＄" and given back as sent. Copy-on-write: an event without
 * such keys is not copied.
 */
function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const mapped = mapKeys(item, rename);
      if (mapped === item) return;
      out ??= value.slice();
      out[i] = mapped;
    });
    return out ?? value;
  }
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const mapped = mapKeys(item, rename);
    const name = rename(key);
    if (mapped === item && name === key) continue;
    out ??= { ...record };
    if (name !== key) delete out[key];
    out[name] = mapped;
  }
  return out ?? value;
}

const escapeKey = (key: string): string =>
  key.includes(".") || key.startsWith("$") ? key.replaceAll(".", "\uff0e").replace(/^\$/, "\uff04") : key;
const unescapeKey = (key: string): string =>
  key.includes("\uff0e") || key.startsWith("\uff04") ? key.replaceAll("\uff0e", ".").replace(/^\uff04/, "$") : key;

export function toDocument(event: OutboundEvent, now: number): StoredDocument {
  const tenant = typeof event.tenant === "string" ? event.tenant : "default";
  const derived = deriveFields(event, now);
  const q: Document = {
    ts: new Date(derived.ts),
    w: derived.w,
    s: derived.sampled,
    err: derived.err,
    ew: derived.w * derived.err,
    txt: derived.txt,
  };
  if (derived.errorCode !== null) q.ec = derived.errorCode;
  if (derived.d !== null) {
    q.d = derived.d;
    q.wd = derived.w * derived.d;
    q.hb = derived.hb;
    if (derived.hb !== null) q.hc = coarseBinOf(derived.hb);
  }
  const buckets = bucketKeys(derived.ts);
  for (const bucket of BUCKETS) q[`b${bucket}`] = buckets[bucket];
  const stored = mapKeys(event, escapeKey) as OutboundEvent;
  return { ...stored, tenant, _id: `${tenant}:${event.eventId}`, _q: q };
}

/** The event as it was stored, without `_id` and `_q`. */
export function fromDocument(doc: Document): Record<string, unknown> {
  const { _id, _q, ...event } = doc;
  return mapKeys(event, unescapeKey) as Record<string, unknown>;
}

/** `tenant:eventId` → eventId (the cursor carries the eventId, the same on every store). */
export const eventIdOf = (id: string): string => id.slice(id.indexOf(":") + 1);
