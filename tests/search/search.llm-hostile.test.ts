import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseStatQuery } from "../../src/domain/query/stat-query.ts";
import { type FakeOpenAi, type FakeReply, searchReply, startFakeOpenAi, statReply } from "../support/fake-openai.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";
import { SERVICES, seedEvents } from "./seed.ts";

/**
 * POST /v1/search with LLM_PROVIDER=openai against scripted hostile or broken replies. Every one is
 * contained: a validated query or a clear fallback to the rules parser, never a raw query to the
 * store, never a 500.
 */

const NOW = Date.now();
const QUESTION = "How many errors did payment have in the last hour?";
const RULES_QUERY = { metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "1h" } };

let fake: FakeOpenAi;
let h: SearchHarness;
beforeAll(async () => {
  fake = startFakeOpenAi();
  h = await startSearchApp({
    events: seedEvents(NOW),
    clock: () => NOW,
    env: { LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "fake", LLM_TIMEOUT_MS: "400" },
  });
});
afterAll(async () => {
  await h.close();
  await fake.stop();
});

/** Every query the store has seen passes the whitelist and names only values the data holds. */
function storeSawOnlyWhitelistedQueries(): void {
  for (const query of h.store.queries) {
    expect(parseStatQuery(query).ok).toBe(true);
    const service = query.filter?.service;
    if (service !== undefined) expect(SERVICES as readonly unknown[]).toContain(service);
    expect(JSON.stringify(query)).not.toContain("$");
  }
  for (const search of h.store.searches) expect(JSON.stringify(search)).not.toContain("$");
}

const json = (value: unknown): FakeReply => ({ content: JSON.stringify(value) });

const HOSTILE: Array<[string, FakeReply, string]> = [
  ["malformed JSON", { content: '{"intent":"STATISTICAL","statQuery":{"metric":' }, "not valid JSON"],
  ["prose instead of JSON", { content: "Sure! Here is your query: db.events.find()" }, "not valid JSON"],
  ["an invented top-level field", json({ ...statReply(), pipeline: [{ $match: {} }] }), "pipeline"],
  ["an invented filter field", json(statReply({}, { tenant: "other-tenant" })), "tenant"],
  ["a $where key in the filter", json(statReply({}, { $where: "sleep(5000)" })), "$where"],
  ["a $where smuggled into a value", json(statReply({}, { service: "$where: function() { sleep(5000) }" })), "statQuery.filter.service"],
  ["an operator object as a value", json(statReply({}, { service: { $ne: null } })), "statQuery.filter.service"],
  ["a service the store does not hold", json(statReply({}, { service: "shipping" })), "not a value the stored data holds"],
  ["regex syntax as search text", json(searchReply({ text: "(a+)+$" })), "search.text"],
  ["a groupBy on an unknown field", json(statReply({ groupBy: ["tenant"] })), "statQuery.groupBy"],
  ["a limit past the whitelist", json(statReply({ limit: 1_000_000 })), "statQuery.limit"],
  ["a slow reply", { content: JSON.stringify(statReply()), delayMs: 1500 }, "no reply within 400 ms"],
  ["HTTP 500", { status: 500 }, "HTTP 500"],
  ["HTTP 429", { status: 429 }, "HTTP 429"],
  ["a refusal", { refusal: "no" }, "refused"],
  ["a body that is not a completion", { rawBody: "<html>bad gateway</html>" }, ""],
];

describe("POST /v1/search with a hostile or broken LLM", () => {
  test("a good reply is used as the plan", async () => {
    fake.script(json(statReply({ timeRange: { last: "6h", from: null, to: null } }, { service: "order", hasError: true })));
    const { status, body } = await h.ask("order errors in the last 6 hours, please");
    expect(status).toBe(200);
    expect(body.intent).toBe("STATISTICAL");
    expect(body.query).toEqual({ metric: "count", filter: { service: "order", hasError: true }, timeRange: { last: "6h" } });
    expect(body.warnings).toBeUndefined();
  });

  for (const [name, reply, reason] of HOSTILE) {
    test(`${name}: falls back to the rules parser and says so`, async () => {
      fake.script(reply);
      const started = Date.now();
      const { status, body } = await h.ask(QUESTION);
      expect(status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(body.intent).toBe("STATISTICAL");
      expect(body.query).toEqual(RULES_QUERY);
      const warnings = body.warnings as { code: string; message: string }[];
      expect(warnings.map((w) => w.code)).toEqual(["LLM_FALLBACK"]);
      expect(warnings[0]?.message).toContain(reason);
      expect(body.answer).toContain("the built-in rules parser answered");
      storeSawOnlyWhitelistedQueries();
    });
  }

  test("the fallback is counted in /metrics", async () => {
    const metrics = await (await h.request("/metrics")).text();
    expect(metrics).toMatch(new RegExp(`widegate_search_llm_fallbacks_total ${HOSTILE.length}\\b`));
  });

  test("a Korean question's fallback note is in Korean", async () => {
    fake.script({ status: 500 });
    const { body } = await h.ask("지난 1시간 동안 결제 에러율은?");
    expect(body.query).toEqual({ metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } });
    expect(body.answer).toContain("내장 규칙 파서로 답했습니다");
  });

  test("unresolved words the model reports are shown; its CONVERSATIONAL intent reads only the session", async () => {
    fake.script(json(statReply({}, {}, { unresolved: ["shipping"] })));
    const first = await h.ask("how many shipping requests in the last hour?", "hostile-session-1");
    expect(first.body.answer).toStartWith("Not found in the stored data, so left out of the query: shipping.");
    fake.script(json({ ...statReply(), intent: "CONVERSATIONAL", statQuery: null, conversation: "questions" }));
    const calls = h.store.calls;
    const second = await h.ask("remind me what we talked about", "hostile-session-1");
    expect(second.body.intent).toBe("CONVERSATIONAL");
    expect(second.body.answer).toContain("how many shipping requests in the last hour?");
    expect(h.store.calls - calls).toBe(4); // the vocabulary for the model's enums and one page of seen fields, nothing else
  });

  test("questions about earlier turns never reach the model or the store", async () => {
    const requests = fake.requests.length;
    const calls = h.store.calls;
    const { body } = await h.ask("이전에 뭐 물어봤지?", "hostile-session-1");
    expect(body.intent).toBe("CONVERSATIONAL");
    expect(fake.requests.length).toBe(requests);
    expect(h.store.calls).toBe(calls);
  });
});
