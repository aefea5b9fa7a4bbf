import { expect, test } from "bun:test";
import { retrieveCandidates } from "./candidates.ts";

const many = Array.from({ length: 300 }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
const vocabulary = { services: [...many, "payment-gateway"], routes: ["/api/payments"], errorCodes: ["GATEWAY_TIMEOUT"] };

test("a small field is offered whole", () => {
  expect(retrieveCandidates("anything", vocabulary).routes).toEqual(["/api/payments"]);
});

test("a large field is cut to the values the question points at, named ones first", () => {
  const services = retrieveCandidates("error rate of svc-287", vocabulary, 10).services;
  expect(services).toHaveLength(10);
  expect(services[0]).toBe("svc-287");
});

test("Korean aliases and typos retrieve their values too", () => {
  expect(retrieveCandidates("결제 에러율", vocabulary, 5).services[0]).toBe("payment-gateway");
  expect(retrieveCandidates("paymnt errors", vocabulary, 5).services[0]).toBe("payment-gateway");
});
