import { describe, expect, test } from "bun:test";
import { GATEWAY_TIMEOUT_MS, type OutcomeMix, PaymentStatus } from "../../examples/payment-sim/payment-status.ts";
import { paymentMix } from "../../examples/payment-sim/scenario.ts";

const MIX: OutcomeMix = { insufficientBalance: 0.1, gatewayTimeout: 0.1, gatewayError: 0.1, slow: 0.1 };

describe("PaymentStatus", () => {
  test("decide() maps the roll onto failures first, then the slow path, then success", () => {
    expect(PaymentStatus.decide(0.05, MIX)).toBe(PaymentStatus.INSUFFICIENT_BALANCE);
    expect(PaymentStatus.decide(0.15, MIX)).toBe(PaymentStatus.GATEWAY_TIMEOUT);
    expect(PaymentStatus.decide(0.25, MIX)).toBe(PaymentStatus.GATEWAY_ERROR);
    expect(PaymentStatus.decide(0.35, MIX)).toBe(PaymentStatus.SLOW_SUCCESS);
    expect(PaymentStatus.decide(0.45, MIX)).toBe(PaymentStatus.SUCCESS);
  });

  test("insufficient balance stops at the balance check with 402", () => {
    const s = PaymentStatus.INSUFFICIENT_BALANCE;
    expect([s.steps, s.failsAt, s.httpStatus, s.error?.code]).toEqual([["balance-check"], "balance-check", 402, "INSUFFICIENT_BALANCE"]);
  });

  test("a provider timeout stops at the payment gateway with 504 after the client's timeout", () => {
    const s = PaymentStatus.GATEWAY_TIMEOUT;
    expect([s.steps, s.failsAt, s.httpStatus, s.error?.code]).toEqual([
      ["balance-check", "payment-gateway"],
      "payment-gateway",
      504,
      "GATEWAY_TIMEOUT",
    ]);
    expect(s.latencyMs("payment-gateway", 0)).toBe(GATEWAY_TIMEOUT_MS);
  });

  test("a provider error stops at the payment gateway with 502", () => {
    const s = PaymentStatus.GATEWAY_ERROR;
    expect([s.steps, s.failsAt, s.httpStatus, s.error?.code]).toEqual([
      ["balance-check", "payment-gateway"],
      "payment-gateway",
      502,
      "GATEWAY_ERROR",
    ]);
  });

  test("success runs all three steps with 201 and no error, well under the slow threshold", () => {
    const s = PaymentStatus.SUCCESS;
    expect([s.steps, s.failsAt, s.httpStatus, s.error]).toEqual([
      ["balance-check", "payment-gateway", "order-confirmation"],
      undefined,
      201,
      undefined,
    ]);
    const worst = s.steps.reduce((sum, step) => sum + s.latencyMs(step, 0.999), 0);
    expect(worst).toBeLessThan(2000);
  });

  test("the slow path succeeds but its provider step alone is over 2 s", () => {
    const s = PaymentStatus.SLOW_SUCCESS;
    expect([s.isSuccess, s.httpStatus, s.steps.length]).toEqual([true, 201, 3]);
    expect(s.latencyMs("payment-gateway", 0)).toBeGreaterThan(2000);
    expect(s.latencyMs("balance-check", 0.5)).toBeLessThan(100);
  });

  test("of() finds a status by its code and nothing else", () => {
    expect(PaymentStatus.of("GATEWAY_TIMEOUT")).toBe(PaymentStatus.GATEWAY_TIMEOUT);
    expect(PaymentStatus.of("REFUNDED")).toBeUndefined();
  });

  test("an incident adds its timeouts only inside its window", () => {
    const scenario = { seed: 1, errorRate: 0.01, slowRate: 0.02, incident: { from: 1000, to: 2000, timeoutRate: 0.4 } };
    expect(paymentMix(scenario, 1500).gatewayTimeout).toBeCloseTo(0.403);
    expect(paymentMix(scenario, 2000).gatewayTimeout).toBeCloseTo(0.003);
  });
});
