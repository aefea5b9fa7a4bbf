import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OpenAiLlm } from "../../src/adapters/openai/openai-llm.ts";
import { LlmError, type PlanRequest } from "../../src/ports/llm.ts";
import { type FakeOpenAi, startFakeOpenAi, statReply } from "../support/fake-openai.ts";

/** The openai adapter against a local OpenAI-compatible server with scripted replies. */

let fake: FakeOpenAi;
let llm: OpenAiLlm;
beforeAll(() => {
  fake = startFakeOpenAi();
  llm = new OpenAiLlm({ apiKey: "sk-test", baseURL: fake.baseURL, model: "test-model", timeoutMs: 500 });
});
afterAll(async () => {
  await fake.stop();
});

const request: PlanRequest = {
  question: "How many payment errors in the last hour?",
  language: "en",
  history: [{ question: "earlier question", intent: "STATISTICAL", query: { metric: "count" } }],
  vocabulary: { services: ["order", "payment"], routes: ["/api/payments"], errorCodes: ["GATEWAY_TIMEOUT"] },
  now: Date.UTC(2026, 10, 26, 12),
};
const plan = () => llm.plan(request, new AbortController().signal);

async function failure(): Promise<LlmError> {
  try {
    await plan();
  } catch (error) {
    expect(error).toBeInstanceOf(LlmError);
    return error as LlmError;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAiLlm", () => {
  test("asks for strict structured output whose enums are the store's values", async () => {
    const reply = statReply({}, { service: "payment", hasError: true });
    fake.script({ content: JSON.stringify(reply) });
    expect(await plan()).toEqual(reply);
    const sent = fake.requests.at(-1);
    expect(sent?.authorization).toBe("Bearer sk-test");
    expect(sent?.body.model).toBe("test-model");
    const format = sent?.body.response_format;
    expect(format?.type).toBe("json_schema");
    expect(format?.json_schema?.strict).toBe(true);
    const schema = JSON.stringify(format?.json_schema?.schema);
    expect(schema).toContain('"enum":["order","payment"]');
    expect(schema).toContain('"enum":["/api/payments"]');
    expect(schema).toContain('"enum":["GATEWAY_TIMEOUT"]');
    const user = JSON.parse(sent?.body.messages?.find((m) => m.role === "user")?.content ?? "{}");
    expect(user).toMatchObject({
      question: request.question,
      now: "2026-11-26T12:00:00.000Z",
      recentTurns: [{ question: "earlier question" }],
    });
  });

  test("content that is not JSON is a malformed reply", async () => {
    fake.script({ content: '{"intent": "STATISTICAL", "statQuery": {' });
    expect((await failure()).kind).toBe("malformed");
  });

  test("a refusal is reported as such", async () => {
    fake.script({ refusal: "I can't help with that" });
    expect((await failure()).kind).toBe("refused");
  });

  test("HTTP 500 is an outage, tried once (no SDK retries)", async () => {
    const before = fake.requests.length;
    fake.script({ status: 500 });
    const error = await failure();
    expect(error.kind).toBe("unavailable");
    expect(error.message).toContain("HTTP 500");
    expect(fake.requests.length - before).toBe(1);
  });

  test("a slow reply times out at the configured limit", async () => {
    fake.script({ content: JSON.stringify(statReply()), delayMs: 1500 });
    const started = Date.now();
    expect((await failure()).kind).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1200);
  });

  test("a 200 whose body is not a completion is contained", async () => {
    fake.script({ rawBody: "<html>proxy error</html>" });
    await failure();
  });

  test("an unreachable server is an outage", async () => {
    const gone = new OpenAiLlm({ apiKey: "sk-test", baseURL: "http://127.0.0.1:1/v1", model: "m", timeoutMs: 500 });
    try {
      await gone.plan(request, new AbortController().signal);
      throw new Error("expected a failure");
    } catch (error) {
      expect((error as LlmError).kind).toBe("unavailable");
    }
  });

  test("health never fails readiness: an outage only means the rules parser answers", async () => {
    expect((await llm.health()).ok).toBe(true);
  });
});
