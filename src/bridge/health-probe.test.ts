import { describe, expect, test } from "bun:test";
import { HealthProbe } from "./health-probe.ts";

describe("HealthProbe", () => {
  test("a check that never answers is reported down after the timeout", async () => {
    const probe = new HealthProbe(() => new Promise(() => {}), { timeoutMs: 10 });
    expect(await probe.status()).toEqual({ ok: false, detail: "no answer within 10 ms" });
  });

  test("a check that throws is reported down with its message", async () => {
    const probe = new HealthProbe(async () => {
      throw new Error("connection refused");
    });
    expect(await probe.status()).toEqual({ ok: false, detail: "connection refused" });
  });

  test("answers are reused for cacheMs, and concurrent callers share one check", async () => {
    let calls = 0;
    let now = 0;
    const probe = new HealthProbe(
      async () => {
        calls++;
        return { ok: true };
      },
      { cacheMs: 1000, now: () => now },
    );
    await Promise.all([probe.status(), probe.status(), probe.status()]);
    expect(calls).toBe(1);
    now = 999;
    await probe.status();
    expect(calls).toBe(1);
    now = 1000;
    await probe.status();
    expect(calls).toBe(2);
  });
});
