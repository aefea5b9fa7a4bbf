/**
 * Value scanners for personal data and credentials inside string values: emails, phone numbers,
 * IBANs, JWTs and bearer tokens (card numbers live in redaction.ts). Each match is replaced by
 * `[REDACTED:<rule>]` in place, so the rest of a message stays readable.
 *
 * Every pattern is anchored at a literal or a token boundary and bounded in length, so a scan is
 * linear in the string (no catastrophic backtracking on hostile input), and each has a cheap
 * pre-check (indexOf) so most strings never reach a regex.
 */

export const VALUE_SCANNERS = ["email", "phone", "iban", "jwt", "bearer"] as const;
export type ValueScanner = (typeof VALUE_SCANNERS)[number];

/** Called once per replaced match, with the rule's name: the per-rule counters. */
export type OnRedacted = (rule: ValueScanner) => void;

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const BEARER = /(?<![A-Za-z])(bearer)\s+[A-Za-z0-9._~+/-]{8,}=*/gi;
// International numbers with a leading +, US-style (555) 123-4567, and 555-123-4567.
const PHONE = /(?<![\w+])\+\d[\d .()-]{6,20}\d(?!\d)|(?<!\d)\(\d{3}\) ?\d{3}[-. ]\d{4}(?!\d)|(?<![\d-])\d{3}-\d{3}-\d{4}(?![\d-])/g;
const IBAN_QUICK = /[A-Z]{2}\d{2}/;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;

export interface ScannerSet {
  email: boolean;
  phone: boolean;
  iban: boolean;
  jwt: boolean;
  bearer: boolean;
}

/** Bits of scanHints: which scanners' pre-checks can pass on a string. */
export const SCAN_HINTS = { bearer: 1, jwt: 2, email: 4, iban: 8, phone: 16 } as const satisfies Record<ValueScanner, number>;
const BEARER_HINT = SCAN_HINTS.bearer;
const JWT_HINT = SCAN_HINTS.jwt;
const EMAIL_HINT = SCAN_HINTS.email;
const IBAN_HINT = SCAN_HINTS.iban;
const PHONE_HINT = SCAN_HINTS.phone;
const ALL_HINTS = 31;

/** Up to this length one JS pass over a string beats a native call per pre-check (five of them). */
const ONE_PASS_MAX = 256;

/** Runs the enabled scanners over `text`; returns the same string when nothing matched. */
export function redactValue(text: string, on: ScannerSet, count?: OnRedacted): string {
  // The shortest match of any scanner is an email such as "a@b.io" (6 characters).
  if (text.length < 6) return text;
  let hints = text.length <= ONE_PASS_MAX ? scanHints(text) : ALL_HINTS;
  if (hints === 0) return text;
  let out = text;
  // Credentials first: a JWT after "Bearer " is one finding, counted as bearer.
  if (on.bearer && hints & BEARER_HINT && (out.indexOf("earer") !== -1 || out.indexOf("EARER") !== -1)) {
    out = out.replace(BEARER, (_m, word: string) => {
      count?.("bearer");
      return `${word} [REDACTED:bearer]`;
    });
  }
  // Hints describe the text as sent: once something was replaced, the pre-checks run on what is left.
  if (out !== text) hints = ALL_HINTS;
  if (on.jwt && hints & JWT_HINT && out.indexOf("eyJ") !== -1) out = replaceAll(out, JWT, "jwt", count);
  if (out !== text) hints = ALL_HINTS;
  if (on.email && hints & EMAIL_HINT && mayHoldEmail(out)) out = replaceAll(out, EMAIL, "email", count);
  if (out !== text) hints = ALL_HINTS;
  if (on.iban && hints & IBAN_HINT && IBAN_QUICK.test(out)) {
    out = out.replace(IBAN, (match) => {
      if (!ibanValid(match)) return match;
      count?.("iban");
      return "[REDACTED:iban]";
    });
  }
  if (out !== text) hints = ALL_HINTS;
  if (on.phone && hints & PHONE_HINT && mayHoldPhone(out)) {
    out = out.replace(PHONE, (match) => {
      const digits = match.replace(/\D/g, "").length;
      if (digits < 8 || digits > 15) return match;
      count?.("phone");
      return "[REDACTED:phone]";
    });
  }
  return out;
}

/**
 * The pre-checks of every scanner in one pass: `earer`/`EARER` (bearer), `eyJ` (JWT), any `@`
 * (email; mayHoldEmail then decides), [A-Z]{2}\d{2} (IBAN), and a `+` or `(` before a digit or a
 * `-` between digits (phone). A bit is set whenever the scanner's own pre-check would pass.
 */
export function scanHints(text: string): number {
  let hints = 0;
  const n = text.length;
  // Reads stay in bounds (an out-of-range charCodeAt leaves the JIT's fast path): `prev` carries
  // the unit before i, and lookahead is guarded by the length.
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 97 /* a */) {
      if (prev === 101 && i + 3 < n && text.charCodeAt(i + 1) === 114 && text.charCodeAt(i + 2) === 101 && text.charCodeAt(i + 3) === 114) {
        hints |= BEARER_HINT;
      }
    } else if (c === 121 /* y */) {
      if (prev === 101 && i + 1 < n && text.charCodeAt(i + 1) === 74) hints |= JWT_HINT;
    } else if (c === 64 /* @ */) {
      hints |= EMAIL_HINT;
    } else if (c >= 65 && c <= 90) {
      if (i + 3 < n) {
        const next = text.charCodeAt(i + 1);
        if (next >= 65 && next <= 90 && isDigit(text.charCodeAt(i + 2)) && isDigit(text.charCodeAt(i + 3))) hints |= IBAN_HINT;
        if (c === 65 && prev === 69 && next === 82 && text.charCodeAt(i + 2) === 69 && text.charCodeAt(i + 3) === 82) hints |= BEARER_HINT;
      }
    } else if (c === 43 /* + */ || c === 40 /* ( */) {
      if (i + 1 < n && isDigit(text.charCodeAt(i + 1))) hints |= PHONE_HINT;
    } else if (c === 45 /* - */) {
      if (isDigit(prev) && i + 1 < n && isDigit(text.charCodeAt(i + 1))) hints |= PHONE_HINT;
    }
    prev = c;
  }
  return hints;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * An `@` with a character before it, and after it a dot followed by two letters (a match's
 * top-level domain starts so). Any `@` past the first unit counts: "@here jane@example.com" holds
 * an email, while a version such as "sdk@1.4.2" skips the regex.
 */
function mayHoldEmail(text: string): boolean {
  const at = text.indexOf("@", 1);
  if (at === -1) return false;
  for (let dot = text.indexOf(".", at); dot !== -1; dot = text.indexOf(".", dot + 1)) {
    if (isLetter(text.charCodeAt(dot + 1)) && isLetter(text.charCodeAt(dot + 2))) return true;
  }
  return false;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A `+` or `(` before a digit, or a dash between digits: every phone pattern has one; most strings (slugs, ids) do not. */
function mayHoldPhone(text: string): boolean {
  for (let i = text.indexOf("+"); i !== -1; i = text.indexOf("+", i + 1)) if (isDigit(text.charCodeAt(i + 1))) return true;
  for (let i = text.indexOf("("); i !== -1; i = text.indexOf("(", i + 1)) if (isDigit(text.charCodeAt(i + 1))) return true;
  for (let i = text.indexOf("-"); i !== -1; i = text.indexOf("-", i + 1)) {
    if (isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) return true;
  }
  return false;
}

function replaceAll(text: string, pattern: RegExp, rule: ValueScanner, count?: OnRedacted): string {
  return text.replace(pattern, () => {
    count?.(rule);
    return `[REDACTED:${rule}]`;
  });
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, "");
  if (iban.length < 15 || iban.length > 34) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < moved.length; i++) {
    const c = moved.charCodeAt(i);
    const value = c >= 65 ? c - 55 : c - 48; // A=10 … Z=35
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
