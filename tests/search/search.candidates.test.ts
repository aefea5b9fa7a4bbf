import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CANDIDATES_PER_FIELD } from "../../src/domain/question/candidates.ts";
import type { OutboundEvent } from "../../src/ports/publisher.ts";
import { type FakeOpenAi, startFakeOpenAi, statReply } from "../support/fake-openai.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/**
 * With LLM_PROVIDER=openai and more services than the model can be offered, the schema carries the
 * values retrieved for the question (not the first N), and a reply naming any other stored value
 * is refused like an invented one: the rules parser answers instead.
 */

const NOW = Date.UTC(2026, 10, 30, 7, 0, 0);
const SERVICES = Array.from({ length: 300 }, (_, i) => `svc-${String(i).padStart(3, "0")}`);

function events(): OutboundEvent[] {
  return SERVICES.map((service, i) => ({
    eventId: `cand-${i}`,
    requestId: `req-${i}`,
    tenant: "acme",
    service,
    route: `/api/${service}/items`,
    method: "GET",
    statusCode: 200,
    durationMs: 10 + i,
    timestamp: new Date(NOW - (i % 50) * 60_000 - 30_000).toISOString(),
    sampling: { reason: "HAS_ERROR", rate: 1 },
  }));
}

let fake: FakeOpenAi;
let h: SearchHarness;
beforeAll(async () => {
  fake = startFakeOpenAi();
  h = await startSearchApp({
    events: events(),
    clock: () => NOW,
    env: { LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "fake", LLM_TIMEOUT_MS: "2000" },
  });
});
afterAll(async () => {
  await h.close();
  await fake.stop();
});

function offeredServices(): string[] {
  const schema = JSON.stringify(fake.requests.at(-1)?.body.response_format?.json_schema?.schema);
  return [...schema.matchAll(/"svc-\d{3}"/g)].map((m) => m[0].slice(1, -1));
}

describe("candidates retrieved for the question (LLM_PROVIDER=openai)", () => {
  test("the model is offered the service the question names, though it sorts past the first 200", async () => {
    fake.script({ content: JSON.stringify(statReply({}, { service: "svc-250" })) });
    const { body } = await h.ask("how many requests did svc-250 get in the last hour?");
    expect(offeredServices()).toContain("svc-250");
    expect(new Set(offeredServices()).size).toBeLessThanOrEqual(CANDIDATES_PER_FIELD);
    expect(body.query).toEqual({ metric: "count", filter: { service: "svc-250" }, timeRange: { last: "1h" } });
    expect(body.warnings).toBeUndefined();
  });

  test("the candidates of a Korean question come from the same retrieval", async () => {
    fake.script({ content: JSON.stringify(statReply({}, { service: "svc-275" })) });
    const { body } = await h.ask("svc-275 서비스 지난 1시간 요청 수");
    expect(offeredServices()).toContain("svc-275");
    expect(body.query).toEqual({ metric: "count", filter: { service: "svc-275" }, timeRange: { last: "1h" } });
  });

  test("a stored value that was not among the candidates is refused, and the rules parser answers", async () => {
    fake.script({ content: JSON.stringify(statReply({}, { service: "svc-199" })) });
    const before = h.store.queries.length;
    const { body } = await h.ask("how many requests did svc-250 get in the last hour?");
    expect(offeredServices()).not.toContain("svc-199");
    expect(body.warnings).toEqual([expect.objectContaining({ code: "LLM_FALLBACK" })]);
    expect(body.query).toEqual({ metric: "count", filter: { service: "svc-250" }, timeRange: { last: "1h" } });
    expect(h.store.queries.slice(before).some((q) => JSON.stringify(q).includes("svc-199"))).toBe(false);
  });
});
