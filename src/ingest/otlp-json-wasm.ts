/**
 * The WebAssembly OTLP/JSON reader (wasm/otlp-json): a plain OTLP/JSON body → the events
 * mapOtlpLogs would make of it, by transcoding the bytes to the wide-event JSON text and parsing
 * that once (a third of the text JSON.parse would otherwise read). It answers null for any body it
 * does not fully understand or that may meet a limit; the caller then runs the JS mapping, so
 * every error and rejection is the JS path's. Web-standard only: the runtime entry hands it a
 * compiled module (Bun compiles the embedded bytes, a Worker imports the bundled .wasm).
 */
import type { IngestLimits } from "../domain/event/limits.ts";
import { lightFromHead, type OtlpMapResult } from "../domain/event/otlp.ts";
import type { ParsedItem } from "../domain/event/parse-body.ts";
import { hasEventsJsonSkimmer } from "./events-json-wasm.ts";
import { readLightBody } from "./light-body.ts";
import { WasmSlot } from "./wasm-slot.ts";

interface ReaderExports {
  memory: WebAssembly.Memory;
  input(): number;
  prepare(n: number): number;
  output(): number;
  transcode(n: number, maxEvents: number, maxEventBytes: number, maxExpandedBytes: number): number;
  checkedFields(): number;
  checkedDepth(): number;
  events(): number;
  eventTable(): number;
  eventTableSize(): number;
}

const slot = new WasmSlot<ReaderExports>();
/** Bodies the reader answered for, since the process started (tests tell the paths apart by it). */
let answered = 0;

export function otlpJsonReaderAnswers(): number {
  return answered;
}

/** Installs the compiled reader (null: none, every body takes the JS mapping). One instance per process. */
export function useOtlpJsonModule(module: WebAssembly.Module | null): void {
  slot.install(module);
}

export function hasOtlpJsonReader(): boolean {
  return slot.installed;
}

/** The instance's memory in bytes (0 without one); tests watch it shrink back after a large body. */
export function otlpJsonReaderMemoryBytes(): number {
  return slot.memoryBytes();
}

const ascii = new TextDecoder();

/**
 * The body's events through the reader, or null: take the JS path. The result's `checked` certifies
 * every event it made (see ParsedBody's), so validation may skip its counting walk. With
 * `lightKeys`, the result holds light events (ParsedBody.light), so only the events the sampler
 * keeps are parsed whole, as on POST /v1/events.
 */
export function readOtlpJsonFast(bytes: Uint8Array, limits: IngestLimits, lightKeys?: readonly string[]): OtlpMapResult | null {
  if (bytes.byteLength > limits.maxBodyBytes) return null;
  const r = slot.instance();
  if (r === null) return null;
  if (r.prepare(bytes.byteLength) === 0) {
    slot.release();
    return null;
  }
  new Uint8Array(r.memory.buffer, r.input(), bytes.byteLength).set(bytes);
  const length = r.transcode(bytes.byteLength, limits.maxEvents, limits.maxEventBytes, limits.maxExpandedBytes);
  if (length < 0) {
    slot.release();
    return null;
  }
  // The buffer is read after the call: the reader may have grown its memory.
  const output = new Uint8Array(r.memory.buffer, r.output(), length);
  const maxFields = r.checkedFields();
  const maxDepth = r.checkedDepth();
  // Light events need the certificate within the limits: the walk must not run on them.
  if (lightKeys !== undefined && maxFields >= 0 && maxFields <= limits.maxFields && maxDepth <= limits.maxDepth) {
    const light = lightFromHead(lightKeys) ? prefixLight(r, output, lightKeys) : skimmedLight(output, lightKeys, limits);
    if (light !== null) {
      slot.release();
      answered++;
      light.checked = { maxFields, maxDepth };
      return light;
    }
  }
  const text = ascii.decode(output);
  slot.release();
  const events = JSON.parse(text) as Record<string, unknown>[];
  const items = new Array<ParsedItem>(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as Record<string, unknown>;
    // The mapping sets requestId even when it has none (undefined), which keeps the key's place.
    if (event.requestId === null) event.requestId = undefined;
    items[i] = { index: i, value: event };
  }
  answered++;
  // A body with a hostile key has no certificate: the walk must find and name it.
  if (maxFields < 0) return { ok: true, items, rejected: [] };
  return { ok: true, items, rejected: [], checked: { maxFields, maxDepth } };
}

/**
 * Light events straight from the reader's output: each event's head (see lightFromHead), closed
 * with `}`, parsed in one go, and the whole event parsed from its own slice once it is kept. Null
 * when the reader's table of offsets does not cover the body.
 */
function prefixLight(r: ReaderExports, output: Uint8Array, keys: readonly string[]): OtlpMapResult | null {
  const count = r.events();
  if (count === 0 || count > r.eventTableSize()) return null;
  const at = new Int32Array(r.memory.buffer, r.eventTable(), count * 3).slice();
  const text = ascii.decode(output);
  const prefixes = new Array<string>(count);
  for (let i = 0; i < count; i++) prefixes[i] = text.slice(at[3 * i], at[3 * i + 1]);
  const values = JSON.parse(`[${prefixes.join("},")}}]`) as unknown[];
  const items = new Array<ParsedItem>(count);
  for (let index = 0; index < count; index++) items[index] = { index, value: values[index] };
  return lightResult(items, keys, (index) => JSON.parse(text.slice(at[3 * index], at[3 * index + 2])) as Record<string, unknown>);
}

/** Light events by the events skimmer over the reader's output: for sampling rules on fields past the prefix. */
function skimmedLight(output: Uint8Array, keys: readonly string[], limits: IngestLimits): OtlpMapResult | null {
  if (!hasEventsJsonSkimmer()) return null;
  const body = readLightBody(output.slice(), keys, limits);
  const light = body?.light;
  if (body === null || light === undefined) return null;
  return lightResult(body.items, keys, light.whole);
}

/** The mapping sets requestId even when it has none (undefined), which keeps the key's place: light and whole events alike. */
function lightResult(items: ParsedItem[], keys: readonly string[], parse: (index: number) => Record<string, unknown>): OtlpMapResult {
  for (const item of items) {
    const event = item.value as Record<string, unknown>;
    if (event.requestId === null) event.requestId = undefined;
  }
  const whole = (index: number) => {
    const event = parse(index);
    if (event.requestId === null) event.requestId = undefined;
    return event;
  };
  return { ok: true, items, rejected: [], light: { keys, whole } };
}
