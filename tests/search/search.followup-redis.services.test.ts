import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";
import { seedDemo } from "./demo-data.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/**
 * Follow-ups edit the previous query from the session turn stored in Redis: a question asked on one
 * instance and its follow-up on another (same Redis, same data) give the narrowed query.
 */

const NOW = Date.UTC(2026, 10, 30, 7, 0, 0);

await describeWithServices(["redis"], "follow-ups across instances through Redis sessions", () => {
  let a: SearchHarness;
  let b: SearchHarness;
  beforeAll(async () => {
    const env = { SESSION_CACHE_TYPE: "redis", REDIS_URL: serviceEnv.REDIS_URL };
    [a, b] = await Promise.all([startSearchApp({ clock: () => NOW, env }), startSearchApp({ clock: () => NOW, env })]);
    await Promise.all([seedDemo(a.store, NOW, 4000), seedDemo(b.store, NOW, 4000)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  test("'그 중에 결제 서비스만' on a second instance keeps the first instance's metric and window", async () => {
    const session = uniqueName("followup");
    const first = await a.ask("지난 1시간 에러율", session);
    expect(first.body.query).toEqual({ metric: "error_rate", timeRange: { last: "1h" } });
    const second = await b.ask("그 중에 결제 서비스만", session);
    expect(second.body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
    const third = await a.ask("최근 10분은?", session);
    expect(third.body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "10m" } });
  });
});
