import { describe, expect, test } from "bun:test";
import { createNormalizeContext, normalizeEvent } from "./normalize.ts";
import { redactKept } from "./redact-kept.ts";
import { compileRedaction, luhnValid, REDACTED, REDACTED_CARD, redactCardNumbers } from "./redaction.ts";

const ctx = createNormalizeContext({ tenant: "t", newId: () => "id" });

function normalized(value: Record<string, unknown>, context = ctx) {
  const result = normalizeEvent(value, context);
  if (!result.ok) throw new Error(result.error);
  return result.event;
}

describe("redaction by key", () => {
  test("each default sensitive key is redacted", () => {
    const keys = ["password", "passwd", "secret", "token", "authorization", "cookie", "set-cookie", "apikey", "api_key"];
    const more = ["access_token", "refresh_token", "credit_card", "card_number", "cvv", "ssn"];
    const event = normalized({ service: "s", ...Object.fromEntries([...keys, ...more].map((k) => [k, "v"])) });
    for (const key of [...keys, ...more]) expect(event[key]).toBe(REDACTED);
  });

  test("matching is case-insensitive", () => {
    const event = normalized({ service: "s", Authorization: "Bearer x", PASSWORD: "p", ApiKey: "k" });
    expect([event.Authorization, event.PASSWORD, event.ApiKey]).toEqual([REDACTED, REDACTED, REDACTED]);
  });

  test("nested objects and arrays are redacted", () => {
    const event = normalized({ service: "s", req: { headers: { cookie: "a=b", accept: "*/*" } }, list: [{ token: "t" }] });
    expect(event.req).toEqual({ headers: { cookie: REDACTED, accept: "*/*" } });
    expect(event.list).toEqual([{ token: REDACTED }]);
  });

  test("a sensitive key's whole value is replaced, objects included", () => {
    expect(normalized({ service: "s", secret: { nested: "x" } }).secret).toBe(REDACTED);
  });

  test("keys that only contain a sensitive word are kept", () => {
    expect(normalized({ service: "s", tokenCount: 3 }).tokenCount).toBe(3);
  });

  test("a configured list replaces the default", () => {
    const custom = createNormalizeContext({ tenant: "t", newId: () => "id", redaction: compileRedaction({ keys: ["Email"] }) });
    const event = normalized({ service: "s", email: "a@b.c", password: "p" }, custom);
    expect([event.email, event.password]).toEqual([REDACTED, "p"]);
  });
});

describe("redaction of flat, dotted attribute names (OTLP keeps them flat)", () => {
  const names = [
    "request.headers.authorization",
    "http.request.header.authorization",
    "http.request.header.cookie",
    "http.response.header.set_cookie",
    "http.response.header.set-cookie",
    "http.request.header.x-api-key",
    "db.connection.password",
    "oauth.access_token",
    "Request.Headers.Authorization",
  ];
  for (const name of names) {
    test(`${name} is matched on its last segment`, () => {
      const event = normalized({ service: "s", attributes: { [name]: ["secret-value"] } });
      expect((event.attributes as Record<string, unknown>)[name]).toBe(REDACTED);
    });
  }

  test("a dotted name whose last segment is not sensitive is kept", () => {
    const event = normalized({ service: "s", attributes: { "http.request.header.accept": "*/*", "token.count": 3 } });
    expect(event.attributes).toEqual({ "http.request.header.accept": "*/*", "token.count": 3 });
  });

  test("a configured dotted name matches that flat name exactly", () => {
    const custom = createNormalizeContext({ tenant: "t", newId: () => "id", redaction: compileRedaction({ keys: ["customer.contact"] }) });
    const event = normalized({ service: "s", attributes: { "customer.contact": "x", "vendor.contact": "y" } }, custom);
    expect(event.attributes).toEqual({ "customer.contact": REDACTED, "vendor.contact": "y" });
  });

  test("each key redaction is counted", () => {
    const redaction = compileRedaction();
    const counting = createNormalizeContext({ tenant: "t", newId: () => "id", redaction });
    normalized({ service: "s", password: "p", attributes: { "http.request.header.cookie": "c" } }, counting);
    expect(redaction.counts.key).toBe(2);
  });
});

describe("value scanners on kept events", () => {
  test("emails, phones, IBANs, JWTs and bearer tokens are replaced on nested fields and in arrays; ids stay exact", () => {
    const redaction = compileRedaction();
    const event = normalized({
      service: "s",
      requestId: "a@b.example.com",
      customer: { contact: "jane@example.com", phones: ["+44 20 7946 0958"] },
      attributes: { "payment.iban": "DE89 3704 0044 0532 0130 00", "http.request.header.x-forwarded": "Bearer abcdefgh12345678" },
    });
    redactKept(event, redaction);
    expect(event.requestId).toBe("a@b.example.com");
    expect(event.customer).toEqual({ contact: "[REDACTED:email]", phones: ["[REDACTED:phone]"] });
    expect(event.attributes).toEqual({ "payment.iban": "[REDACTED:iban]", "http.request.header.x-forwarded": "Bearer [REDACTED:bearer]" });
    expect(redaction.counts).toMatchObject({ email: 1, phone: 1, iban: 1, bearer: 1 });
  });

  test("the route, a rollup key, is scanned on every accepted event", () => {
    expect(normalized({ service: "s", route: "/users/jane@example.com/orders" }).route).toBe("/users/[REDACTED:email]/orders");
  });

  test("value scanners can be turned off one by one", () => {
    const event = normalized({ service: "s", contact: "jane@example.com", token2: "+44 20 7946 0958" });
    redactKept(event, compileRedaction({ values: ["phone"] }));
    expect([event.contact, event.token2]).toEqual(["jane@example.com", "[REDACTED:phone]"]);
  });
});

describe("redaction of card numbers", () => {
  test("Luhn check", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });

  test("a Luhn-valid number is replaced, with or without spaces or dashes", () => {
    for (const card of ["4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"]) {
      expect(redactCardNumbers(card)).toBe(REDACTED_CARD);
    }
  });

  test("a Luhn-invalid number of card length is kept", () => {
    expect(redactCardNumbers("4111111111111112")).toBe("4111111111111112");
  });

  test("runs shorter than 13 or longer than 19 digits are kept", () => {
    expect(redactCardNumbers("411111111111")).toBe("411111111111");
    expect(redactCardNumbers("41111111111111110000")).toBe("41111111111111110000");
  });

  test("a card number inside a message is replaced in place", () => {
    expect(redactCardNumbers("card 4111-1111-1111-1111 declined")).toBe(`card ${REDACTED_CARD} declined`);
  });

  test("string values at any depth are redacted, numbers are not", () => {
    const event = normalized({ service: "s", payment: { pan: "4111 1111 1111 1111", cards: ["5500000000000004"] }, n: 4111111111111111 });
    expect(event.payment).toEqual({ pan: REDACTED_CARD, cards: [REDACTED_CARD] });
    expect(event.n).toBe(4111111111111111);
  });

  test("top-level requestId is not card-redacted, so distinct ids stay distinct", () => {
    expect(normalized({ service: "s", requestId: "4111111111111111" }).requestId).toBe("4111111111111111");
  });

  test("card redaction can be turned off", () => {
    const off = createNormalizeContext({ tenant: "t", newId: () => "id", redaction: compileRedaction({ cardNumbers: false }) });
    expect(normalized({ service: "s", pan: "4111111111111111" }, off).pan).toBe("4111111111111111");
  });
});

describe("card pre-check never misses a run", () => {
  test("a card number at every offset, with and without separators, is redacted", () => {
    for (const card of ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004", "378282246310005"]) {
      for (let offset = 0; offset < 30; offset++) {
        for (const tail of ["", " end", "x".repeat(17)]) {
          const text = `${"a".repeat(offset)} ${card}${tail}`;
          expect(redactCardNumbers(text)).toBe(`${"a".repeat(offset)} [REDACTED:card]${tail}`);
        }
      }
    }
  });

  test("timestamps and short digit runs pass through untouched", () => {
    for (const text of ["2026-11-26T03:00:00.123Z", "order 123456789012 shipped", "1-2-3-4-5-6-7-8-9-0-1-2", "12 34 56 78 90 12"]) {
      expect(redactCardNumbers(text)).toBe(text);
    }
  });
});
