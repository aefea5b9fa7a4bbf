/** What the walk in scrub.ts redacts. Build one per process with `compileRedaction`, not per request. */
export interface Redaction {
  /** Lower-cased key names whose values are replaced whole, at any depth. */
  keys: ReadonlySet<string>;
  /** Replace card-number-looking digit runs inside string values. */
  cardNumbers: boolean;
  /** Case-insensitive membership in `keys`, memoised per key name. */
  isSensitiveKey(key: string): boolean;
}

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
  "apikey",
  "api_key",
  "access_token",
  "refresh_token",
  "credit_card",
  "card_number",
  "cvv",
  "ssn",
];

export interface RedactionOptions {
  /** Replaces the default list; matched whole and case-insensitively. */
  keys?: readonly string[];
  cardNumbers?: boolean;
}

/** Past this many distinct key names the memo starts over, so hostile unique keys cannot grow it. */
const MEMO_LIMIT = 4096;

export function compileRedaction(options: RedactionOptions = {}): Redaction {
  const keys = new Set((options.keys ?? DEFAULT_SENSITIVE_KEYS).map((k) => k.toLowerCase()));
  // Events repeat the same few hundred key names; memoising skips a toLowerCase allocation per key.
  const memo = new Map<string, boolean>();
  return {
    keys,
    cardNumbers: options.cardNumbers ?? true,
    isSensitiveKey(key) {
      let hit = memo.get(key);
      if (hit === undefined) {
        hit = keys.has(key.toLowerCase());
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(key, hit);
      }
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
export function redactCardNumbers(text: string): string {
  if (text.length < 13 || !CARD_QUICK.test(text)) return text;
  return text.replace(CARD_RUN, (run) => (luhnValid(run) ? REDACTED_CARD : run));
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
