import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { compileFieldPaths, type FieldPathRules } from "./field-paths.ts";
import type { DraftEvent } from "./normalize.ts";
import { redactDimensions, redactKept } from "./redact-kept.ts";
import { compileRedaction, luhnValid } from "./redaction.ts";

const KEY = "0123456789abcdef-key";
const hmac = (value: string, key = KEY) => `hmac:${createHmac("sha256", key).update(value).digest("hex")}`;

function rules(drop: string[], hash: string[] = [], hashKey = KEY): FieldPathRules {
  const compiled = compileFieldPaths({ drop, hash, hashKey });
  if (!compiled) throw new Error("expected rules");
  return compiled;
}

/** The full kept-event path: rollup fields first (every event), then the kept walk. */
function keep(event: Record<string, unknown>, drop: string[], hash: string[] = [], keys?: string[]) {
  const redaction = compileRedaction({ paths: rules(drop, hash), ...(keys ? { keys } : {}) });
  const draft = { service: "api", ...event } as DraftEvent;
  redactDimensions(draft, redaction);
  redactKept(draft, redaction);
  return { event: draft as Record<string, unknown>, counts: redaction.counts };
}

describe("REDACT_DROP_PATHS", () => {
  test("a nested path is removed and its siblings kept", () => {
    const { event } = keep({ user: { email: "a@b.co", plan: "pro" } }, ["user.email"]);
    expect(event.user).toEqual({ plan: "pro" });
  });

  test("a flat dotted key (an OTLP attribute) is removed by the same path", () => {
    const { event } = keep({ "user.email": "a@b.co", "user.plan": "pro" }, ["user.email"]);
    expect(event).not.toHaveProperty(["user.email"]);
    expect(event["user.plan"]).toBe("pro");
  });

  test("a mix of nesting and flat keys is matched", () => {
    const { event } = keep({ request: { "body.raw": "secret", "body.size": 3 } }, ["request.body.raw"]);
    expect(event.request).toEqual({ "body.size": 3 });
  });

  test("a path through an array reaches every element", () => {
    const { event, counts } = keep({ items: [{ sku: "a", card: "x" }, { sku: "b", card: "y" }, "plain"] }, ["items.card"]);
    expect(event.items).toEqual([{ sku: "a" }, { sku: "b" }, "plain"]);
    expect(counts.drop).toBe(2);
  });

  test("a whole subtree is removed by its path", () => {
    const { event } = keep({ request: { body: { password: "p", nested: { deep: 1 } }, path: "/x" } }, ["request.body"]);
    expect(event.request).toEqual({ path: "/x" });
  });

  test("a dropped rollup field (route, method, error.code) is gone before rollups count the event", () => {
    const redaction = compileRedaction({ paths: rules(["route", "method", "error.code"]) });
    const draft = { service: "api", route: "/u/jane@x.io", method: "GET", error: { code: "E1", message: "m" } } as DraftEvent;
    redactDimensions(draft, redaction);
    expect(draft.route).toBeUndefined();
    expect(draft.method).toBeUndefined();
    expect(draft.error).toEqual({ message: "m" });
  });
});

describe("REDACT_HASH_PATHS", () => {
  test("a string is replaced by hmac: and the hex HMAC-SHA-256 of the value as sent", () => {
    const { event } = keep({ user: { id: "user-42" } }, [], ["user.id"]);
    expect((event.user as { id: string }).id).toBe(hmac("user-42"));
  });

  test("equal values give equal hashes, different values and different keys different ones", () => {
    const a = rules([], ["x"]).hash("user-42");
    expect(rules([], ["x"]).hash("user-42")).toBe(a);
    expect(rules([], ["x"]).hash("user-43")).not.toBe(a);
    expect(rules([], ["x"], "another-key-of-16+bytes").hash("user-42")).not.toBe(a);
  });

  test("a number or an object is hashed as its JSON", () => {
    const { event } = keep({ user: { id: 42, address: { city: "Oslo" } } }, [], ["user.id", "user.address"]);
    expect(event.user).toEqual({ id: hmac("42"), address: hmac('{"city":"Oslo"}') });
  });

  test("an email is hashed from its value as sent, not from the value scanners' placeholder", () => {
    const { event, counts } = keep({ customer: { contact: "jane@example.com" } }, [], ["customer.contact"]);
    expect((event.customer as { contact: string }).contact).toBe(hmac("jane@example.com"));
    expect(counts.email).toBe(0);
    expect(counts.hash).toBe(1);
  });

  test("a hash path wins over a sensitive key name: the field is hashed, not [REDACTED]", () => {
    const { event } = keep({ session: { token: "t-1" } }, [], ["session.token"]);
    expect((event.session as { token: string }).token).toBe(hmac("t-1"));
  });

  test("a hash whose hex holds a Luhn-valid digit run reaches the event unchanged (no card rule reads a hash)", () => {
    let value = "";
    for (let i = 0; i < 10_000 && value === ""; i++) {
      const runs =
        hmac(`id-${i}`)
          .slice(5)
          .match(/\d{13,19}/g) ?? [];
      if (runs.some((run) => luhnValid(run))) value = `id-${i}`;
    }
    expect(value).not.toBe("");
    const { event } = keep({ user: { id: value }, route: value }, [], ["user.id", "route"]);
    expect((event.user as { id: string }).id).toBe(hmac(value));
    expect(event.route).toBe(hmac(value));
  });

  test("a hashed rollup field is hashed once, for every event, and the kept event carries the same hash", () => {
    const redaction = compileRedaction({ paths: rules([], ["service", "route", "error.code"]) });
    const draft = { service: "billing", route: "/pay", error: { code: "CARD_DECLINED" } } as DraftEvent;
    redactDimensions(draft, redaction);
    expect([draft.service, draft.route, draft.error?.code]).toEqual([hmac("billing"), hmac("/pay"), hmac("CARD_DECLINED")]);
    redactKept(draft, redaction);
    expect([draft.service, draft.route, draft.error?.code]).toEqual([hmac("billing"), hmac("/pay"), hmac("CARD_DECLINED")]);
  });

  test("the path `error` also hashes error.code for rollups, and the whole error on kept events", () => {
    const redaction = compileRedaction({ paths: rules([], ["error"]) });
    const draft = { service: "api", error: { code: "E1", message: "boom" } } as DraftEvent;
    redactDimensions(draft, redaction);
    expect(draft.error?.code).toBe(hmac("E1"));
    redactKept(draft, redaction);
    expect(draft.error).toEqual({ message: hmac(JSON.stringify({ code: hmac("E1"), message: "boom" })) });
  });
});

describe("compileFieldPaths", () => {
  test("no paths compile to undefined, so the hot path tests one field", () => {
    expect(compileFieldPaths({})).toBeUndefined();
  });

  test("refuses hash paths without a key, gateway fields and dropping service", () => {
    expect(() => compileFieldPaths({ hash: ["user.id"] })).toThrow("key");
    expect(() => compileFieldPaths({ drop: ["tenant"] })).toThrow("tenant");
    expect(() => compileFieldPaths({ drop: ["sampling.rate"] })).toThrow("sampling");
    expect(() => compileFieldPaths({ drop: ["service"] })).toThrow("hash it instead");
    expect(() => compileFieldPaths({ drop: ["a..b"] })).toThrow("empty segment");
  });
});
