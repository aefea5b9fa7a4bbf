import { describe, expect, test } from "bun:test";
import { ibanValid, redactValue, SCAN_HINTS, type ScannerSet, scanHints, type ValueScanner } from "./pii.ts";

const ALL: ScannerSet = { email: true, phone: true, iban: true, jwt: true, bearer: true };
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

function counted(text: string, on: ScannerSet = ALL): { out: string; rules: ValueScanner[] } {
  const rules: ValueScanner[] = [];
  return { out: redactValue(text, on, (rule) => rules.push(rule)), rules };
}

describe("value scanners", () => {
  test("an email is replaced inside a longer string and counted", () => {
    expect(counted("contact jane.doe+billing@example.co.uk for refunds")).toEqual({
      out: "contact [REDACTED:email] for refunds",
      rules: ["email"],
    });
  });

  test("an email after a leading @ mention is replaced", () => {
    expect(redactValue("@here mail jane@example.com today", ALL)).toBe("@here mail [REDACTED:email] today");
  });

  test("the shortest emails are replaced", () => {
    for (const email of ["a@b.io", "ab@c.de", "x.y@z.co"]) expect(redactValue(email, ALL)).toBe("[REDACTED:email]");
  });

  test("package versions and handles with no domain after the @ are left alone", () => {
    for (const text of ["wide-events-js@1.4.2", "@scope/pkg@2.0.0-rc.1", "user@localhost", "a@b.c1", "x@y.z"]) {
      expect(redactValue(text, ALL)).toBe(text);
    }
  });

  test("the email pre-check never skips a string the email pattern matches", () => {
    let seed = 777;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    const pieces = ["@", ".", "a", "Z", "1", "-", "co", "@x", ".c", " ", "_", "+"];
    const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/;
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = "";
      const n = 6 + (next() % 10);
      for (let k = 0; k < n; k++) text += pieces[next() % pieces.length];
      if (!EMAIL.test(text)) continue;
      matched++;
      expect(redactValue(text, ALL)).not.toBe(text);
    }
    expect(matched).toBeGreaterThan(100);
  });

  test("international and US phone numbers are replaced", () => {
    for (const phone of ["+44 20 7946 0958", "+1-202-555-0143", "+4915112345678", "(202) 555-0143", "202-555-0143"]) {
      expect(redactValue(`call ${phone} now`, ALL)).toBe("call [REDACTED:phone] now");
    }
  });

  test("dates, versions, ids and short numbers are not phones", () => {
    for (const text of ["2026-11-26T03:00:00Z", "v1.2.3-beta", "order 1234-5678", "+5 points", "temp -12", "a-b-c"]) {
      expect(redactValue(text, ALL)).toBe(text);
    }
  });

  test("a mod-97-valid IBAN is replaced, grouped or not; an invalid one is kept", () => {
    expect(redactValue("pay to DE89 3704 0044 0532 0130 00 today", ALL)).toBe("pay to [REDACTED:iban] today");
    expect(redactValue("iban=GB82WEST12345698765432", ALL)).toBe("iban=[REDACTED:iban]");
    expect(redactValue("iban=GB82WEST12345698765433", ALL)).toBe("iban=GB82WEST12345698765433");
    expect(ibanValid("NL91ABNA0417164300")).toBe(true);
  });

  test("a JWT is replaced wherever it appears", () => {
    expect(counted(`token=${JWT}; path=/`)).toEqual({ out: "token=[REDACTED:jwt]; path=/", rules: ["jwt"] });
  });

  test("the token after Bearer is replaced and the scheme kept, in any case", () => {
    expect(redactValue("Authorization: Bearer abcDEF123456._-~+/xyz==", ALL)).toBe("Authorization: Bearer [REDACTED:bearer]");
    expect(counted(`bearer ${JWT}`)).toEqual({ out: "bearer [REDACTED:bearer]", rules: ["bearer"] });
  });

  test("a scanner that is off leaves its matches alone", () => {
    expect(redactValue("a@example.com", { ...ALL, email: false })).toBe("a@example.com");
  });

  test("plain text comes back as the same string", () => {
    const text = "GET /api/payments 200 in 12 ms";
    expect(redactValue(text, ALL)).toBe(text);
  });

  test("hostile input scans in linear time: long runs of near-matches finish", () => {
    // Each of these would take minutes with an unbounded, unanchored pattern.
    const inputs = [`${"a".repeat(200_000)}@`, "eyJ".repeat(70_000), "+1".repeat(100_000), "AB12".repeat(50_000), "bearer ".repeat(30_000)];
    for (const text of inputs) expect(typeof redactValue(text, ALL)).toBe("string");
  });
});

describe("the one-pass pre-check (scanHints)", () => {
  // What each scanner's own pre-check looks for; the one pass must flag at least these.
  const NEEDS: Array<[ValueScanner, RegExp]> = [
    ["bearer", /earer|EARER/],
    ["jwt", /eyJ/],
    ["email", /@/],
    ["iban", /[A-Z]{2}\d{2}/],
    ["phone", /[+(]\d|\d-\d/],
  ];
  const PIECES = [
    "earer",
    "EARER",
    "eyJ",
    "@",
    "AB12",
    "DE",
    "+4",
    "(5",
    "1-2",
    "-",
    "+",
    "(",
    "a",
    "E",
    "y",
    "J",
    "7",
    " ",
    "x.",
    "Bearer ",
  ];

  test("flags every scanner whose pre-check a string passes, at any position", () => {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8; // the low bits of this generator repeat quickly
    };
    for (let n = 0; n < 20_000; n++) {
      let text = "";
      const parts = 1 + (next() % 8);
      for (let p = 0; p < parts; p++) text += PIECES[next() % PIECES.length];
      const hints = scanHints(text);
      for (const [rule, pattern] of NEEDS) {
        if (pattern.test(text)) expect({ text, rule, flagged: (hints & SCAN_HINTS[rule]) !== 0 }).toEqual({ text, rule, flagged: true });
      }
    }
  });

  test("flags nothing on plain words, slugs and dotted versions", () => {
    for (const text of ["Mozilla/5.0 (X11; Linux x86_64)", "new-checkout", "application/json", "eu-central-1", "SKU-1001"]) {
      expect(scanHints(text)).toBe(0);
    }
  });
});
