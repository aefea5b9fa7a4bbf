/**
 * The WebAssembly events skimmer (wasm/events-json): a POST /v1/events body → proof that JSON.parse
 * would accept it as an array of objects, each element's byte range, and a short "light" JSON text
 * holding only the listed top-level keys per element. The caller samples on the light events and
 * JSON.parses only the ranges it keeps. null for any body it is not sure of: the caller then runs
 * JSON.parse and the JS path, so every error stays that path's. Web-standard only: the runtime
 * entry hands it a compiled module (Bun compiles the embedded bytes, a Worker imports the .wasm).
 */

import { WasmSlot } from "./wasm-slot.ts";

interface SkimmerExports {
  memory: WebAssembly.Memory;
  keyTable(): number;
  useKeys(n: number): number;
  input(): number;
  prepare(n: number): number;
  skim(n: number, maxEvents: number, maxEventBytes: number): number;
  output(): number;
  events(): number;
  bounds(): number;
  checkedFields(): number;
  checkedDepth(): number;
}

export interface SkimmedEvents {
  /** JSON array text, one object per element: only the listed keys found at the element's top level, as `"key":<raw value bytes>`, in source order, duplicates included. */
  light: string;
  /** [start, end) byte offsets of each element in `bytes`, two per element (a copy, not a view of wasm memory). */
  bounds: Int32Array;
  /** Upper bounds over all elements: object keys at all depths (every occurrence counts), and nesting (the element object is 1, every object or array inside adds 1). */
  maxFields: number;
  maxDepth: number;
}

export interface SkimLimits {
  maxEvents: number;
  maxEventBytes: number;
  maxFields: number;
  maxDepth: number;
}

const MAX_KEYS = 32;
const MAX_KEY_BYTES = 64;
const MAX_BODY_BYTES = 1 << 30;

const slot = new WasmSlot<SkimmerExports>();
/** The key list the table holds, and the instance it was written into (callers pass the same array every time). */
let tableKeys: readonly string[] | null = null;
let tableIn: SkimmerExports | null = null;

/** Installs the compiled skimmer (null: none, every body takes JSON.parse). One instance per process. */
export function useEventsJsonModule(module: WebAssembly.Module | null): void {
  slot.install(module);
}

export function hasEventsJsonSkimmer(): boolean {
  return slot.installed;
}

/** The instance's memory in bytes (0 without one); tests watch it drop after a large body. */
export function eventsJsonSkimmerMemoryBytes(): number {
  return slot.memoryBytes();
}

/** Writes the key table when the list changed; false for a list the skimmer cannot match exactly. */
function loadKeys(s: SkimmerExports, keys: readonly string[]): boolean {
  if (tableKeys === keys && tableIn === s) return true;
  tableKeys = null;
  if (keys.length > MAX_KEYS) return false;
  const table = new Uint8Array(s.memory.buffer, s.keyTable(), MAX_KEYS * (MAX_KEY_BYTES + 1));
  let at = 0;
  for (const key of keys) {
    // Printable ASCII without quote or backslash: the source bytes of such a key are its text.
    if (key.length < 1 || key.length > MAX_KEY_BYTES) return false;
    table[at++] = key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
      table[at++] = c;
    }
  }
  if (s.useKeys(keys.length) === 0) return false;
  tableKeys = keys;
  tableIn = s;
  return true;
}

const utf8 = new TextDecoder();

/** null = declined: the caller runs JSON.parse and the JS path. */
export function skimEventsJson(bytes: Uint8Array, keys: readonly string[], limits: SkimLimits): SkimmedEvents | null {
  // The layout needs about twice the body in 32-bit wasm memory: larger bodies take the JS path.
  if (bytes.byteLength > MAX_BODY_BYTES) return null;
  const s = slot.instance();
  if (s === null || !loadKeys(s, keys)) return null;
  if (s.prepare(bytes.byteLength) === 0) {
    slot.release();
    return null;
  }
  new Uint8Array(s.memory.buffer, s.input(), bytes.byteLength).set(bytes);
  const length = s.skim(bytes.byteLength, Math.min(limits.maxEvents, 0x7fffffff), limits.maxEventBytes);
  if (length < 0) {
    slot.release();
    return null;
  }
  const maxFields = s.checkedFields();
  const maxDepth = s.checkedDepth();
  if (maxFields > limits.maxFields || maxDepth > limits.maxDepth) {
    slot.release();
    return null;
  }
  // Views are made after the call: the skimmer may have grown its memory.
  const buffer = s.memory.buffer;
  const light = utf8.decode(new Uint8Array(buffer, s.output(), length));
  const bounds = new Int32Array(buffer, s.bounds(), s.events() * 2).slice();
  slot.release();
  return { light, bounds, maxFields, maxDepth };
}
