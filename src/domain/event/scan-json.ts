/**
 * A single non-recursive pass over JSON text that finds its nesting depth and, for a top-level
 * array, where each element starts and ends. It exists so that depth and batch size are refused
 * before JSON.parse recurses or allocates, and so per-event byte sizes are known without
 * re-serialising. It does not validate JSON: JSON.parse does that afterwards. Its depth is an
 * upper bound of what JSON.parse would reach on any prefix of the text, since both agree on
 * where strings begin and end.
 */

export interface ScanOptions {
  /** Largest depth allowed; the first container opened past it stops the scan. */
  maxDepth: number;
  /** For a top-level array: stop once it has more elements than this. */
  maxElements?: number;
}

export type TopLevel = "object" | "array" | "scalar" | "empty";

export interface ScanOk {
  ok: true;
  topLevel: TopLevel;
  /** Deepest container nesting seen; a top-level `{}` or `[]` is 1. */
  depth: number;
  /** For a top-level array: [start0, end0, start1, end1, …] of each element, whitespace trimmed. */
  elements: number[];
}

export type ScanFailure =
  | { ok: false; reason: "TOO_DEEP"; depth: number; offset: number }
  | { ok: false; reason: "TOO_MANY_ELEMENTS"; count: number; offset: number }
  | { ok: false; reason: "UNBALANCED"; offset: number; message: string };

export type ScanResult = ScanOk | ScanFailure;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let j = text.indexOf('"', open + 1);
  while (j !== -1) {
    // The quote is escaped when an odd run of backslashes precedes it.
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

export function scanJson(text: string, options: ScanOptions): ScanResult {
  const { maxDepth } = options;
  const maxElements = options.maxElements ?? Number.POSITIVE_INFINITY;
  const n = text.length;
  let first = 0;
  while (first < n && isWhitespace(text.charCodeAt(first))) first++;
  if (first === n) return { ok: true, topLevel: "empty", depth: 0, elements: [] };
  const head = text.charCodeAt(first);
  const topLevel: TopLevel = head === OPEN_BRACE ? "object" : head === OPEN_BRACKET ? "array" : "scalar";
  const isArray = topLevel === "array";
  const elements: number[] = [];
  let depth = 0;
  let deepest = 0;
  // Start of the current top-level array element (just after `[` or `,`).
  let elementStart = -1;

  for (let i = first; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // indexOf is native and far faster than stepping through string contents one unit at a time.
      const close = closingQuote(text, i);
      if (close === -1) return { ok: false, reason: "UNBALANCED", offset: i, message: `unterminated string at offset ${i}` };
      i = close;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return { ok: false, reason: "TOO_DEEP", depth, offset: i };
      if (depth > deepest) deepest = depth;
      if (isArray && depth === 1 && i === first) elementStart = i + 1;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (isArray && depth === 1 && elementStart !== -1) {
        pushElement(text, elements, elementStart, i, true);
        if (elements.length / 2 > maxElements) return tooMany(elements, i);
        elementStart = -1;
      }
      depth--;
      if (depth < 0) return { ok: false, reason: "UNBALANCED", offset: i, message: `unexpected "${text[i]}" at offset ${i}` };
    } else if (c === COMMA && isArray && depth === 1 && elementStart !== -1) {
      pushElement(text, elements, elementStart, i, false);
      if (elements.length / 2 > maxElements) return tooMany(elements, i);
      elementStart = i + 1;
    }
  }
  if (depth !== 0) return { ok: false, reason: "UNBALANCED", offset: n, message: `${depth} unclosed bracket(s) at end of input` };
  return { ok: true, topLevel, depth: deepest, elements };
}

/** Records the trimmed element [start, end); an empty slot only counts before a comma (`[1,,2]`, invalid anyway). */
function pushElement(text: string, elements: number[], start: number, end: number, closing: boolean): void {
  let s = start;
  let e = end;
  while (s < e && isWhitespace(text.charCodeAt(s))) s++;
  while (e > s && isWhitespace(text.charCodeAt(e - 1))) e--;
  if (s === e && closing) return; // `[]`, `[ ]`, or a trailing comma that JSON.parse will refuse
  elements.push(s, e);
}

function tooMany(elements: number[], offset: number): ScanFailure {
  return { ok: false, reason: "TOO_MANY_ELEMENTS", count: elements.length / 2, offset };
}
