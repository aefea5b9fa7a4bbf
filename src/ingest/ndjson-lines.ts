import { type BodyTooLarge, bodyTooLarge } from "../domain/event/errors.ts";

/** What `ndjsonLines` yields: a line, a line too long to keep, or the end of a body over its cap. */
export type NdjsonChunk =
  | { kind: "line"; index: number; line: string; bytes: number }
  | { kind: "oversized"; index: number; bytes: number }
  | { kind: "too-large"; error: BodyTooLarge };

const LF = 10;

/**
 * Yields NDJSON lines as their bytes arrive, so a large body is parsed while it streams in.
 * Blank lines are skipped and take no index. A line over `maxLineBytes` is not buffered: its bytes
 * are only counted and it comes out as `oversized`. Past `maxBytes` in total the stream is
 * cancelled and `too-large` is the last thing yielded. Breaking out of the loop cancels the stream.
 * Lines are split on the LF byte, which never occurs inside a multi-byte UTF-8 sequence, so each
 * line decodes on its own (invalid UTF-8 becomes U+FFFD, as in readBodyText).
 */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  maxLineBytes: number,
): AsyncGenerator<NdjsonChunk, void, undefined> {
  if (body === null) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  let total = 0;
  let index = 0;
  // The current line: its kept pieces, its length, and whether it is too long or blank so far.
  let parts: Uint8Array[] = [];
  let lineBytes = 0;
  let oversized = false;
  let blank = true;

  const finishLine = (): NdjsonChunk | null => {
    const done = { parts, lineBytes, oversized, blank };
    parts = [];
    lineBytes = 0;
    oversized = false;
    blank = true;
    if (done.blank) return null;
    if (done.oversized) return { kind: "oversized", index: index++, bytes: done.lineBytes };
    let line = decoder.decode(concat(done.parts, done.lineBytes));
    if (line.endsWith("\r")) line = line.slice(0, -1);
    return { kind: "line", index: index++, line, bytes: done.lineBytes };
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        yield { kind: "too-large", error: bodyTooLarge(maxBytes) };
        return;
      }
      // A UTF-8 BOM at the very start is not part of the first line.
      let pos = total === value.byteLength && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf ? 3 : 0;
      while (pos < value.byteLength) {
        const nl = value.indexOf(LF, pos);
        const end = nl === -1 ? value.byteLength : nl;
        if (!oversized && lineBytes + (end - pos) > maxLineBytes) {
          oversized = true;
          parts = [];
        } else if (!oversized && end > pos) parts.push(value.subarray(pos, end));
        if (blank) blank = isBlank(value, pos, end);
        lineBytes += end - pos;
        if (nl === -1) break;
        const line = finishLine();
        if (line !== null) yield line;
        pos = nl + 1;
      }
    }
    finished = true;
    const last = finishLine();
    if (last !== null) yield last;
  } finally {
    // Reached on normal end, on the size cap, and when the consumer stops early.
    if (!finished) reader.cancel("body not read to the end").catch(() => {});
    reader.releaseLock();
  }
}

/** Only spaces, tabs and CRs between `start` and `end`. */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
