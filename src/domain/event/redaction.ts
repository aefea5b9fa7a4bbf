import type { FieldPathRules } from "./field-paths.ts";
import { type ScannerSet, VALUE_SCANNERS, type ValueScanner } from "./pii.ts";

/** What the walks in scrub.ts redact. Build one per process with `compileRedaction`, not per request. */
export interface Redaction {
  /** Lower-cased key names whose values are replaced whole, at any depth. */
  keys: ReadonlySet<string>;
  /** Replace card-number-looking digit runs inside string values (every accepted event). */
  cardNumbers: boolean;
  /** Value scanners run on kept events only (redactKeptEvent): dropped events leave nothing behind. */
  values: Readonly<ScannerSet>;
  /**
   * Case-insensitive membership in `keys` of the name or of its last dotted segment, so a flat
   * attribute name such as `http.request.header.authorization` is matched like a nested key.
   */
  isSensitiveKey(key: string): boolean;
  /** REDACT_DROP_PATHS / REDACT_HASH_PATHS, applied first to kept events (and their rollup fields to every event). */
  paths?: FieldPathRules;
  /** Replacements so far per rule (`key`, `card`, each value scanner, `drop`, `hash`), for the metrics. */
  readonly counts: Record<RedactionRule, number>;
}

export type RedactionRule = "key" | "card" | ValueScanner | "drop" | "hash";

export const REDACTED = "[REDACTED]";
export const REDACTED_CARD = "[REDACTED:card]";

export const DEFAULT_SENSITIVE_KEYS: readonly string[] = [
  "password",
  "passwd",
  "secret",
  "token",
  "authorization",
  "cookie",
  "set-cookie",
  "set_cookie",
  "proxy-authorization",
  "apikey",
  "api_key",
  "api-key",
  "x-api-key",
  "x_api_key",
  "client_secret",
  "private_key",
  "id_token",
  "auth_token",
  "access_token",
  "refresh_token",
  "credit_card",
  "card_number",
  "cvv",
  "ssn",
];

export interface RedactionOptions {
  /** Replaces the default list; matched whole (or as the last dotted segment) and case-insensitively. */
  keys?: readonly string[];
  cardNumbers?: boolean;
  /** Value scanners to run on kept events; default all of VALUE_SCANNERS. */
  values?: readonly ValueScanner[];
  /** Compiled REDACT_DROP_PATHS / REDACT_HASH_PATHS (compileFieldPaths). */
  paths?: FieldPathRules;
}

/** Past this many distinct key names the memo starts over, so hostile unique keys cannot grow it. */
const MEMO_LIMIT = 4096;

/** Longest key name the prefilter tracks; longer sensitive names simply always take the slow path. */
const PREFILTER_MAX_LEN = 64;

export function compileRedaction(options: RedactionOptions = {}): Redaction {
  const keys = new Set((options.keys ?? DEFAULT_SENSITIVE_KEYS).map((k) => k.toLowerCase()));
  // The walk asks about every key of every event, and almost all answers are "no". A table of
  // (lower-cased first letter, length) pairs that some sensitive name has rejects nearly every key
  // with two reads, before any hashing; only candidates reach the memo.
  const candidate = new Uint8Array(128 * (PREFILTER_MAX_LEN + 1));
  let longNames = false;
  for (const k of keys) {
    const first = k.charCodeAt(0);
    // A configured dotted name ("user.email") is matched whole, so it skips the segment prefilter.
    if (k.length > PREFILTER_MAX_LEN || first >= 128 || k.includes(".")) longNames = true;
    else {
      candidate[first * (PREFILTER_MAX_LEN + 1) + k.length] = 1;
      const upper = k[0]?.toUpperCase().charCodeAt(0) ?? first;
      if (upper < 128) candidate[upper * (PREFILTER_MAX_LEN + 1) + k.length] = 1;
    }
  }
  // Events repeat the same few hundred key names: the answer for each is memoised.
  const memo = new Map<string, boolean>();
  const enabled = new Set(options.values ?? VALUE_SCANNERS);
  const values: ScannerSet = { email: false, phone: false, iban: false, jwt: false, bearer: false };
  for (const name of enabled) values[name] = true;
  const counts = { key: 0, card: 0, email: 0, phone: 0, iban: 0, jwt: 0, bearer: 0, drop: 0, hash: 0 } satisfies Record<
    RedactionRule,
    number
  >;
  return {
    keys,
    ...(options.paths ? { paths: options.paths } : {}),
    cardNumbers: options.cardNumbers ?? true,
    values,
    counts,
    isSensitiveKey(key) {
      // Keys repeat, and a key parsed from JSON carries its hash: one lookup answers nearly every call.
      let hit = memo.get(key);
      if (hit !== undefined) return hit;
      // The prefilter looks at the last dotted segment (the whole key when there is no dot).
      const start = key.lastIndexOf(".") + 1;
      const first = key.charCodeAt(start);
      const length = key.length - start;
      if (!longNames && (first >= 128 || length > PREFILTER_MAX_LEN || candidate[first * (PREFILTER_MAX_LEN + 1) + length] === 0)) {
        hit = false;
      } else {
        const lower = key.toLowerCase();
        hit = keys.has(start === 0 ? lower : lower.slice(start)) || (start > 0 && longNames && keys.has(lower));
      }
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, hit);
      return hit;
    },
  };
}

export const DEFAULT_REDACTION: Redaction = compileRedaction();

// 13–19 digits, single spaces or dashes allowed between them, not part of a longer digit run.
const CARD_QUICK = /\d(?:[ -]?\d){12}/;
const CARD_RUN = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

/**
 * Replaces Luhn-valid card numbers inside `text`, whether the whole value or embedded in a message
 * ("card 4111 1111 1111 1111 declined"). Returns the same string when nothing matched.
 */
export function redactCardNumbers(text: string, counts?: { card: number }): string {
  if (!mayHoldCardNumber(text) || !CARD_QUICK.test(text)) return text;
  return text.replace(CARD_RUN, (run) => {
    if (!luhnValid(run)) return run;
    if (counts) counts.card++;
    return REDACTED_CARD;
  });
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Cheap exact pre-check run on every string value. A card-number run is at least 13 characters of
 * digits with single separators, so it covers one of every 13 consecutive positions. Sampling
 * positions 12, 25, 38, … and measuring the digit run around each hit never misses a card number,
 * and leaves the regex to the few strings that really hold 13 digits in a row (not timestamps).
 */
function mayHoldCardNumber(text: string): boolean {
  for (let p = 12; p < text.length; p += 13) {
    // A run covering p has a digit or a separator there; most probes land on letters and stop here.
    const c = text.charCodeAt(p);
    if (!isDigit(c) && !isSeparator(c)) continue;
    if (digitsAround(text, p) >= 13) return true;
  }
  return false;
}

const isSeparator = (c: number) => c === 32 || c === 45;

/** Digits in the run of digits-with-single-separators that covers position p (0 if none does). */
function digitsAround(text: string, p: number): number {
  let count = 0;
  for (let i = p; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) count++;
    else if (!(isSeparator(c) && i > p - 1 && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)))) break;
  }
  for (let i = p - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) count++;
    else if (!(isSeparator(c) && isDigit(text.charCodeAt(i + 1)) && isDigit(text.charCodeAt(i - 1)))) break;
  }
  return count;
}

/** Luhn checksum over the digits of `run`, ignoring separators. */
export function luhnValid(run: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = run.length - 1; i >= 0; i--) {
    const c = run.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
