/**
 * The UTF-8 size of `JSON.stringify(value)` without building the text, and with a depth bound: the
 * OTLP mapping measures every log record this way, so a record nested past INGEST_MAX_DEPTH is
 * refused instead of recursing, and the common case (an all-ASCII body without escapes, so every
 * string is its length plus two quotes) costs one add per string.
 */
import { utf8Length } from "./utf8.ts";
import { isPlainObject } from "./validate.ts";

/** Returned instead of a size when `value` nests deeper than the bound given. */
export const TOO_DEEP = -1;

/** A string that JSON.stringify escapes or that is not one byte per unit in UTF-8. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON.stringify escapes control characters.
const NOT_PLAIN = /["\\\u0000-\u001f\u0080-\uffff]/;

/** `JSON.stringify(text)` in UTF-8 bytes. */
export function jsonStringBytes(text: string): number {
  if (!NOT_PLAIN.test(text)) return text.length + 2;
  const quoted = JSON.stringify(text);
  return utf8Length(quoted);
}

const POW10 = Array.from({ length: 17 }, (_, k) => 10 ** k);

/**
 * `JSON.stringify(n).length` for a number, without writing it for the common doubles (a few
 * decimals, such as 129.99 or 12.5): writing a double out is the costly part of measuring it. JS
 * writes the shortest decimal that reads back as `n`; for a magnitude in [1e-6, 1e15) that is plain
 * notation with the fewest decimals k for which round(n·10^k)/10^k is `n` again (10^k is exact and
 * the division correctly rounded, so that decimal reads back as `n`). Anything else is written.
 */
export function jsonNumberBytes(n: number): number {
  if (!Number.isFinite(n)) return 4; // null
  const magnitude = Math.abs(n);
  if (Number.isInteger(n) && magnitude < 1e21) return (n < 0 ? 1 : 0) + integerDigits(magnitude);
  if (magnitude >= 1e-6 && magnitude < 1e15) {
    for (let k = 1; k < POW10.length; k++) {
      const scale = POW10[k] as number;
      const scaled = Math.round(magnitude * scale);
      if (scaled > Number.MAX_SAFE_INTEGER) break;
      if (scaled / scale === magnitude) return (n < 0 ? 1 : 0) + integerDigits(Math.floor(magnitude)) + 1 + k;
    }
  }
  return String(n).length;
}

/** Decimal digits of a non-negative integer below 1e21 (exact below 2⁵³, a count of digits above). */
export function integerDigits(n: number): number {
  let count = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) count++;
  return count;
}

/**
 * `plain`: every string in `value` is known to be printable ASCII without `"` or `\` (a body that
 * was all ASCII and held no backslash), so no string needs looking at. `maxDepth`: containers
 * allowed, `value` itself being depth 1.
 */
export function jsonBytes(value: unknown, maxDepth: number, plain = false): number {
  return measure(value, 1, maxDepth, plain);
}

function measure(value: unknown, depth: number, maxDepth: number, plain: boolean): number {
  switch (typeof value) {
    case "string":
      return plain ? value.length + 2 : jsonStringBytes(value);
    case "number":
      return jsonNumberBytes(value);
    case "boolean":
      return value ? 4 : 5;
    case "object":
      if (value === null) return 4;
      if (depth > maxDepth) return TOO_DEEP;
      if (Array.isArray(value)) {
        let bytes = 1 + value.length; // brackets and commas
        if (value.length === 0) return 2;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const size =
            item === undefined || typeof item === "function" || typeof item === "symbol" ? 4 : measure(item, depth + 1, maxDepth, plain);
          if (size < 0) return TOO_DEEP;
          bytes += size;
        }
        return bytes;
      }
      if (isPlainObject(value)) {
        let bytes = 2;
        let fields = 0;
        for (const key of Object.keys(value)) {
          const item = value[key];
          if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
          const size = measure(item, depth + 1, maxDepth, plain);
          if (size < 0) return TOO_DEEP;
          bytes += (plain ? key.length + 2 : jsonStringBytes(key)) + 1 + size;
          fields++;
        }
        return fields === 0 ? 2 : bytes + fields - 1;
      }
      return stringified(value);
    default:
      // undefined, functions, symbols: nothing, as JSON.stringify leaves them out; bigint throws there.
      return typeof value === "bigint" ? String(value).length : 0;
  }
}

/** Anything else JSON.stringify can write (a Date, a boxed value): measured by writing it. */
function stringified(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : utf8Length(text);
  } catch {
    return 0;
  }
}
