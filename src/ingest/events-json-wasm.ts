/**
 * The WebAssembly events skimmer (wasm/events-json): a POST /v1/events body → proof that JSON.parse
 * would accept it as an array of objects, each element's byte range, and a short "light" JSON text
 * holding only the listed top-level keys per element. The caller samples on the light events and
 * JSON.parses only the ranges it keeps. null for any body it is not sure of: the caller then runs
 * JSON.parse and the JS path, so every error stays that path's. Web-standard only: the runtime
 * entry hands it a compiled module (Bun compiles the embedded bytes, a Worker imports the .wasm).
 */

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
/**
 * WebAssembly memory only grows. Once a large body grew the instance past this, the instance is
 * dropped after that body and the next one starts from a fresh, small one (a Worker isolate has
 * 128 MB; one large body would otherwise keep its memory for the isolate's lifetime).
 */
const KEEP_MEMORY_BYTES = 16 << 20;
const MAX_BODY_BYTES = 1 << 30;

let installed: WebAssembly.Module | null = null;
let skimmer: SkimmerExports | null = null;
/** The key list the instance's table holds (compared by identity: callers pass the same array). */
let tableKeys: readonly string[] | null = null;

/** Installs the compiled skimmer (null: none, every body takes JSON.parse). One instance per process. */
export function useEventsJsonModule(module: WebAssembly.Module | null): void {
  installed = module;
  skimmer = null;
  tableKeys = null;
}

export function hasEventsJsonSkimmer(): boolean {
  return installed !== null;
}

/** The instance's memory in bytes (0 without one); tests watch it drop after a large body. */
export function eventsJsonSkimmerMemoryBytes(): number {
  return skimmer === null ? 0 : skimmer.memory.buffer.byteLength;
}

function instance(): SkimmerExports | null {
  if (skimmer === null && installed !== null) {
    skimmer = new WebAssembly.Instance(installed, {}).exports as unknown as SkimmerExports;
    tableKeys = null;
  }
  return skimmer;
}

/** Drops an instance a large body grew, once that body's results have been read. */
function release(s: SkimmerExports): void {
  if (s.memory.buffer.byteLength > KEEP_MEMORY_BYTES) skimmer = null;
}

/** Writes the key table when the list changed; false for a list the skimmer cannot match exactly. */
function loadKeys(s: SkimmerExports, keys: readonly string[]): boolean {
  if (tableKeys === keys) return true;
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
  return true;
}

const utf8 = new TextDecoder();

/** null = declined: the caller runs JSON.parse and the JS path. */
export function skimEventsJson(bytes: Uint8Array, keys: readonly string[], limits: SkimLimits): SkimmedEvents | null {
  // The layout needs about twice the body in 32-bit wasm memory: larger bodies take the JS path.
  if (bytes.byteLength > MAX_BODY_BYTES) return null;
  const s = instance();
  if (s === null || !loadKeys(s, keys)) return null;
  if (s.prepare(bytes.byteLength) === 0) {
    release(s);
    return null;
  }
  new Uint8Array(s.memory.buffer, s.input(), bytes.byteLength).set(bytes);
  const length = s.skim(bytes.byteLength, Math.min(limits.maxEvents, 0x7fffffff), limits.maxEventBytes);
  if (length < 0) {
    release(s);
    return null;
  }
  const maxFields = s.checkedFields();
  const maxDepth = s.checkedDepth();
  if (maxFields > limits.maxFields || maxDepth > limits.maxDepth) {
    release(s);
    return null;
  }
  // Views are made after the call: the skimmer may have grown its memory.
  const buffer = s.memory.buffer;
  const light = utf8.decode(new Uint8Array(buffer, s.output(), length));
  const bounds = new Int32Array(buffer, s.bounds(), s.events() * 2).slice();
  release(s);
  return { light, bounds, maxFields, maxDepth };
}
