import { describe, expect, test } from "bun:test";
import { extractEntities } from "./entities.ts";

const vocabulary = {
  services: ["payment", "order-service", "user", "gateway"],
  routes: ["/api/payments", "/api/payments/refund", "/api/orders"],
  errorCodes: ["GATEWAY_TIMEOUT", "CARD_DECLINED", "DB_TIMEOUT"],
};

describe("extractEntities", () => {
  test("services by name, plural or stem; routes exactly; codes with spaces read as underscores", () => {
    expect(extractEntities("errors in payments", vocabulary).filter).toEqual({ service: "payment" });
    expect(extractEntities("order latency", vocabulary).filter).toEqual({ service: "order-service" });
    expect(extractEntities("p95 of /api/payments/refund", vocabulary).filter).toEqual({ route: "/api/payments/refund" });
    expect(extractEntities("card declined errors", vocabulary).filter).toEqual({ errorCode: "CARD_DECLINED" });
  });

  test("a matched route or code is not read again as a service", () => {
    expect(extractEntities("/api/payments errors", vocabulary).filter).toEqual({ route: "/api/payments" });
    expect(extractEntities("GATEWAY_TIMEOUT count", vocabulary).filter).toEqual({ errorCode: "GATEWAY_TIMEOUT" });
  });

  test("Korean service words map to the store's names, or are reported when the store has none", () => {
    expect(extractEntities("결제 에러율", vocabulary).filter).toEqual({ service: "payment" });
    expect(extractEntities("주문은?", vocabulary).filter).toEqual({ service: "order-service" });
    const shipping = extractEntities("배송 에러", vocabulary);
    expect(shipping.filter).toEqual({});
    expect(shipping.unresolved).toEqual(['service "배송"']);
    expect(shipping.clarify).toMatchObject({ kind: "service", term: "배송" });
  });

  test("an unknown route is reported, never invented", () => {
    const result = extractEntities("errors on /api/nope", vocabulary);
    expect(result.filter).toEqual({});
    expect(result.unresolved).toEqual(["route /api/nope"]);
  });

  test("an English service name the data does not hold is reported, not silently dropped", () => {
    expect(extractEntities("how many errors did shipping have?", vocabulary)).toMatchObject({
      filter: {},
      unresolved: ['"shipping"'],
      clarify: { kind: "service", term: "shipping" },
    });
    expect(extractEntities("latency of the billing service", vocabulary).unresolved).toEqual(['"billing"']);
    expect(extractEntities("errors for each service", vocabulary).unresolved).toEqual([]);
  });

  test("status codes, not durations, limits or years", () => {
    expect(extractEntities("how many 502s", vocabulary).filter).toEqual({ statusCode: 502 });
    expect(extractEntities("상태 503 응답", vocabulary).filter).toEqual({ statusCode: 503 });
    for (const text of ["slower than 500ms", "top 100 routes", "in 2025", "지난 120분", "최근 200건"]) {
      expect(extractEntities(text, vocabulary).filter.statusCode).toBeUndefined();
    }
  });

  test("methods only in upper case", () => {
    expect(extractEntities("POST requests", vocabulary).filter).toEqual({ method: "POST" });
    expect(extractEntities("get me the errors", vocabulary).filter).toEqual({});
  });
});
