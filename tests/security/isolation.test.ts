import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakeOpenAi, startFakeOpenAi, statReply } from "../support/fake-openai.ts";
import { isolationTable } from "../support/isolation-table.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { ALPHA_TRUTH, BETA_TRUTH, expectNoAlpha, type Seeded, seedTwoTenants, TENANT_ENV } from "../support/two-tenants.ts";

// Two tenants on one all-in-one server; every read route and CLI command asked with beta's key
// must show beta's data only (the table is in tests/support/isolation-table.ts).

describe("tenant isolation: memory store", () => {
  isolationTable({ EVENT_STORE: "memory" });
});

describe("tenant isolation: embedded store", () => {
  isolationTable({ EVENT_STORE: "embedded" });
});

// With LLM_PROVIDER=openai the tenant's names leave the gateway (the schema's enums, the prompt):
// what is sent for beta must be beta's, and a plan naming alpha's service must not be run.
describe("tenant isolation: POST /v1/search with the LLM planner", () => {
  let fake: FakeOpenAi;
  let server: RunningServer;
  let seeded: Seeded;
  beforeAll(async () => {
    fake = startFakeOpenAi();
    server = await spawnServer("edge/bun-server.ts", {
      ...TENANT_ENV,
      SAMPLING_NORMAL_RATE: "1",
      ROLLUP_FLUSH_MS: "100",
      EVENT_STORE: "embedded",
      LLM_PROVIDER: "openai",
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_MODEL: "fake",
      LLM_TIMEOUT_MS: "5000",
    });
    seeded = await seedTwoTenants(server);
  }, 60_000);
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await fake?.stop();
  });

  test("the prompt and schema sent to the model for beta hold beta's names and none of alpha's", async () => {
    fake.script({ content: JSON.stringify(statReply({}, { service: "shared-api" })) });
    const { status, text } = await seeded.beta.read("/v1/search", { question: "how many requests did shared-api get in the last hour?" });
    expect(status).toBe(200);
    const sent = JSON.stringify(fake.requests.at(-1)?.body ?? null);
    expect(sent).toContain("beta-shop");
    expect(sent).toContain("BETA_CART_FAIL");
    expectNoAlpha(sent, seeded.alphaIds);
    expect((JSON.parse(text) as { data: { rows: Array<{ value: number }> } }).data.rows[0]?.value).toBe(BETA_TRUTH.sharedApi);
  });

  test("a model plan naming alpha's service is refused and answered by the rules parser", async () => {
    fake.script({ content: JSON.stringify(statReply({}, { service: "alpha-vault" })) });
    const { status, text } = await seeded.beta.read("/v1/search", { question: "how many requests in the last hour?" });
    expect(status).toBe(200);
    expectNoAlpha(text, seeded.alphaIds);
    const answer = JSON.parse(text) as { warnings?: Array<{ code: string }>; data: { rows: Array<{ value: number }> } };
    expect(answer.warnings?.map((w) => w.code)).toContain("LLM_FALLBACK");
    expect(answer.data.rows[0]?.value).toBe(BETA_TRUTH.count);
    expect(answer.data.rows[0]?.value).not.toBe(ALPHA_TRUTH.count);
  });
});
