import { bodyFormat } from "./content-type.ts";
import { type BodyError, bodyError, bodyTooLarge, eventTooLarge, type Rejection, tooDeep, tooManyEvents } from "./errors.ts";
import type { LightEvents } from "./light-events.ts";
import { DEFAULT_LIMITS, type IngestLimits } from "./limits.ts";
import { scanJson } from "./scan-json.ts";
import { utf8Length, utf8Over } from "./utf8.ts";

/** One event as parsed, not yet validated; `index` is its position in the request. */
export interface ParsedItem {
  index: number;
  value: unknown;
}

export interface ParsedBody {
  ok: true;
  items: ParsedItem[];
  rejected: Rejection[];
  /**
   * Set only by code that built every item itself and counted while it did: each item has at most
   * `maxFields` object keys at all depths (as the scrub walk counts them), nests at most `maxDepth`
   * (the event is 1), and holds no `__proto__`, `constructor` or `prototype` key. Upper bounds,
   * never lower. normalizeBody then skips its validation walk when these are within its limits and
   * it does not redact; JSON.parse output never carries it.
   */
  checked?: { maxFields: number; maxDepth: number };
  /**
   * Set only by a reader that checked the whole body: the items are light events (see
   * light-events.ts) and `checked` certifies their whole events, which `light.whole` parses.
   */
  light?: LightEvents;
}

export type ParseBodyResult = ParsedBody | BodyError;

/** One NDJSON line's outcome: an event, a rejected event, or a problem that refuses the whole body. */
export type LineResult = { item: ParsedItem } | { rejected: Rejection } | { fatal: BodyError };

/**
 * Parses a request body already read as text (see src/sources/http for reading it from a stream
 * under the size cap). Depth and batch size are checked by a scan before JSON.parse runs, or with
 * `depth: "walk"` as DepthCheck describes.
 */
export function parseBody(
  text: string,
  contentType: string | null | undefined,
  limits: IngestLimits = DEFAULT_LIMITS,
  options: ParseOptions = {},
): ParseBodyResult {
  const format = bodyFormat(contentType);
  if (typeof format !== "string") return format;
  const over = options.bytes === undefined ? utf8Over(text, limits.maxBodyBytes) : options.bytes > limits.maxBodyBytes;
  if (over) return bodyTooLarge(limits.maxBodyBytes);
  return format === "ndjson" ? parseNdjsonBody(text, limits, { depth: options.depth }) : parseJsonBody(text, limits, options);
}

/**
 * How nesting depth is refused. "scan" (the default): by scanJson before JSON.parse, for callers
 * that may recurse into the parsed value. "walk": a body within one event's size is parsed first
 * and its depth is refused by normalizeBody's iterative walk (the caller MUST run it), which saves
 * the scan on the hot path. JSON.parse itself is iterative on both JSC and V8, so it does not
 * recurse on deep input, and a body that size bounds what parsing can allocate. Larger bodies are
 * always scanned: the scan also finds each event's byte size and counts events before parsing.
 */
export type DepthCheck = "scan" | "walk";

export interface ParseOptions {
  depth?: DepthCheck;
  /** UTF-8 size of the text as received, when the caller counted it (measuring a long string costs ~2 ns per unit). */
  bytes?: number;
}

/** A single JSON event or a JSON array of events. Invalid JSON anywhere refuses the whole body. */
export function parseJsonBody(text: string, limits: IngestLimits = DEFAULT_LIMITS, options: ParseOptions = {}): ParseBodyResult {
  const body = stripBom(text);
  const first = firstSignificant(body);
  if (first === -1) return bodyError(400, "EMPTY_BODY", "request body is empty; send a JSON event, a JSON array of events, or NDJSON");
  if (options.depth === "walk" && withinOneEvent(body, limits, options.bytes)) {
    const parsed = parseJson(body);
    // No event can be over the event size when the whole body is not. Invalid JSON takes the scanned
    // path below, so a too-deep or unbalanced body is named exactly as it would be there.
    if (parsed.ok) return itemsOf(parsed.value, null, body, limits);
  }
  // The array that wraps a batch is not part of any event, so it does not count toward an event's depth.
  const wrapped = body.charCodeAt(first) === 91 ? 1 : 0;
  const scan = scanJson(body, { maxDepth: limits.maxDepth + wrapped, maxElements: limits.maxEvents });
  if (!scan.ok) {
    if (scan.reason === "TOO_DEEP") return tooDeep(scan.depth - wrapped, limits.maxDepth, `at offset ${scan.offset}`);
    if (scan.reason === "TOO_MANY_ELEMENTS") return tooManyEvents(limits.maxEvents);
    return bodyError(400, "INVALID_JSON", `request body is not valid JSON: ${scan.message}`);
  }
  const parsed = parseJson(body);
  if (!parsed.ok) return bodyError(400, "INVALID_JSON", `request body is not valid JSON: ${parsed.message}${multiValueHint(body)}`);
  return itemsOf(parsed.value, scan.elements, body, limits);
}

function withinOneEvent(body: string, limits: IngestLimits, bytes: number | undefined): boolean {
  return bytes === undefined ? !utf8Over(body, limits.maxEventBytes) : bytes <= limits.maxEventBytes;
}

/**
 * The events of a parsed body. `bounds` are the scanned [start, end) of each array element, for
 * per-event sizes; null when the body was not scanned because it is within one event's size.
 */
function itemsOf(value: unknown, bounds: number[] | null, body: string, limits: IngestLimits): ParseBodyResult {
  if (isObject(value)) {
    // A lone event is measured whole; over the limit it is rejected like any batch element would be.
    if (utf8Over(body, limits.maxEventBytes)) {
      return { ok: true, items: [], rejected: [eventTooLarge(0, utf8Length(body), limits.maxEventBytes)] };
    }
    return { ok: true, items: [{ index: 0, value }], rejected: [] };
  }
  if (!Array.isArray(value)) {
    return bodyError(400, "INVALID_TOP_LEVEL", `request body must be a JSON object or an array of objects, not ${describe(value)}`);
  }
  if (value.length > limits.maxEvents) return tooManyEvents(limits.maxEvents);
  const items: ParsedItem[] = [];
  const rejected: Rejection[] = [];
  for (let index = 0; index < value.length; index++) {
    if (bounds !== null) {
      const start = bounds[2 * index] ?? 0;
      const end = bounds[2 * index + 1] ?? 0;
      if (utf8Over(body, limits.maxEventBytes, start, end)) {
        rejected.push(eventTooLarge(index, utf8Length(body, start, end), limits.maxEventBytes));
        continue;
      }
    }
    items.push({ index, value: value[index] });
  }
  return { ok: true, items, rejected };
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One JSON value per line; blank lines are skipped and do not take an index. */
export function parseNdjsonBody(
  text: string,
  limits: IngestLimits = DEFAULT_LIMITS,
  options: Pick<ParseOptions, "depth"> = {},
): ParseBodyResult {
  const body = stripBom(text);
  const items: ParsedItem[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf("\n", start);
    if (end === -1) end = body.length;
    const line = body.slice(start, end);
    start = end + 1;
    if (firstSignificant(line) === -1) continue;
    if (index >= limits.maxEvents) return tooManyEvents(limits.maxEvents);
    const result = parseEventLine(line, index++, limits, { depth: options.depth });
    if ("fatal" in result) return result.fatal;
    if ("item" in result) items.push(result.item);
    else rejected.push(result.rejected);
  }
  if (index === 0) return bodyError(400, "EMPTY_BODY", "request body has no events: every NDJSON line is blank");
  return { ok: true, items, rejected };
}

/**
 * One NDJSON line (not blank). A bad or oversized line is rejected by its index; nesting past the
 * limit refuses the whole body, as it does for JSON bodies. `bytes` skips re-measuring when the
 * caller counted them while reading. With `depth: "walk"` a line (within one event's size here) is
 * parsed unscanned and normalizeBody refuses its depth, as for JSON bodies.
 */
export function parseEventLine(line: string, index: number, limits: IngestLimits = DEFAULT_LIMITS, options: ParseOptions = {}): LineResult {
  const { bytes } = options;
  const over = bytes === undefined ? utf8Over(line, limits.maxEventBytes) : bytes > limits.maxEventBytes;
  if (over) return { rejected: eventTooLarge(index, bytes ?? utf8Length(line), limits.maxEventBytes) };
  if (options.depth === "walk") {
    const parsed = parseJson(line);
    if (parsed.ok) return { item: { index, value: parsed.value } };
  }
  const scan = scanJson(line, { maxDepth: limits.maxDepth });
  if (!scan.ok && scan.reason === "TOO_DEEP") {
    return { fatal: tooDeep(scan.depth, limits.maxDepth, `in the event at index ${index}`) };
  }
  // No element limit was asked for, so the only other failure is unbalanced text.
  if (!scan.ok && scan.reason === "UNBALANCED") {
    return { rejected: { index, code: "INVALID_JSON", error: `line is not valid JSON: ${scan.message}` } };
  }
  const parsed = parseJson(line);
  if (!parsed.ok) return { rejected: { index, code: "INVALID_JSON", error: `line is not valid JSON: ${parsed.message}` } };
  return { item: { index, value: parsed.value } };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // The engine's own wording differs between Bun (JSC) and workerd (V8); answers must not.
    return { ok: false, message: "a value, a string or punctuation is malformed" };
  }
}

/** Index of the first non-whitespace unit, or -1 when there is none. */
function firstSignificant(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  }
  return -1;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function multiValueHint(text: string): string {
  return /\}\s*\n\s*\{/.test(text) ? " (several JSON values? send a JSON array, or NDJSON with Content-Type: application/x-ndjson)" : "";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
