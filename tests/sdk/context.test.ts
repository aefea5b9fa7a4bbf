import { describe, expect, test } from "bun:test";
import { WideEventContext } from "../../src/sdk/index.ts";
import { manualClock } from "./gateway.ts";

describe("WideEventContext", () => {
  test("attachMetadata merges several objects into _metadata without changing any of them", () => {
    const first = { provider: "pg-main" };
    const second = { attempt: 2 };
    const event = new WideEventContext({ service: "payment", clock: manualClock() }).attachMetadata(first).attachMetadata(second).finish();
    expect(event._metadata).toEqual({ provider: "pg-main", attempt: 2 });
    expect(first).toEqual({ provider: "pg-main" });
    expect(second).toEqual({ attempt: 2 });
  });

  test("the timestamp is the request's start in ISO-8601 and the last step closes at the finish", () => {
    const clock = manualClock(Date.UTC(2026, 11, 1, 17, 0, 0, 250));
    const context = new WideEventContext({ service: "payment", clock });
    clock.advance(5);
    context.step("balance-check", "wallet");
    clock.advance(20);
    const event = context.finish({ statusCode: 201 });
    expect(event).toMatchObject({
      timestamp: "2026-12-01T17:00:00.250Z",
      durationMs: 25,
      step: "balance-check",
      steps: [{ name: "balance-check", service: "wallet", startMs: 5, durationMs: 20 }],
    });
  });

  test("an event with no fields, steps or metadata carries none of them", () => {
    const event = new WideEventContext({ service: "payment", requestId: "r-1", clock: manualClock() }).finish({
      method: "GET",
      statusCode: 200,
    });
    expect(Object.keys(event).sort()).toEqual(["durationMs", "method", "requestId", "service", "statusCode", "timestamp"]);
  });
});
