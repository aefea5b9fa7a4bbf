import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatQuery, StatRow } from "../../src/domain/query/stat-query.ts";
import { seedDemo } from "./demo-data.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/**
 * Kept-event attributes in questions (`region`, `user.plan` in the demo's events) become `attr:`
 * groups and filters answered from kept events, said to be estimates; unknown fields are asked
 * about with the seen field names; words nobody mapped are reported, in English and Korean.
 */

const NOW = Date.UTC(2026, 10, 30, 7, 0, 0);
let h: SearchHarness;
beforeAll(async () => {
  h = await startSearchApp({ clock: () => NOW });
  await seedDemo(h.store, NOW);
});
afterAll(async () => {
  await h.close();
});

type Body = Record<string, unknown> & { answer?: string };
let sessions = 0;
const session = () => `attributes-${String(sessions++).padStart(4, "0")}`;
const ask = async (question: string, sessionId = session()) => (await h.ask(question, sessionId)).body as Body;
const warningCodes = (body: Body) => ((body.warnings as { code: string }[] | undefined) ?? []).map((w) => w.code);

async function viaQueryRoute(query: StatQuery): Promise<StatRow[]> {
  const response = await h.request("/v1/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...query, timeRange: { from: new Date(NOW - 86_400_000).toISOString(), to: new Date(NOW).toISOString() } }),
  });
  return ((await response.json()) as { rows: StatRow[] }).rows;
}

describe("attr: fields", () => {
  test("'error rate by region' groups by attr:region with the same rows as POST /v1/query", async () => {
    const body = await ask("error rate by region");
    expect(body.intent).toBe("STATISTICAL");
    expect(body.query).toEqual({ metric: "error_rate", groupBy: ["attr:region"] });
    const rows = (body.data as { rows: StatRow[] }).rows;
    expect(rows.map((r) => r["attr:region"]).sort()).toEqual(["ap-northeast-2", "eu-west-1", "us-east-1"]);
    const viaRoute = await viaQueryRoute({ metric: "error_rate", groupBy: ["attr:region"] });
    expect(rows.map((r) => [r["attr:region"], r.value])).toEqual(viaRoute.map((r) => [r["attr:region"], r.value]));
  });

  test("an attr: answer says it is an estimate from kept events", async () => {
    const body = await ask("error rate by region");
    expect(body.answer).toContain("estimated from kept (sampled) events");
    expect((body.data as { source: string }).source).toBe("events");
  });

  test("'지역별 에러율' is the same query, said in Korean to be an estimate", async () => {
    const body = await ask("지역별 에러율");
    expect(body.query).toEqual({ metric: "error_rate", groupBy: ["attr:region"] });
    expect(body.answer).toContain("보관된(샘플링된) 이벤트로 추정");
    expect(body.resolved).toEqual([{ term: "지역", value: "region", kind: "field", how: "alias" }]);
  });

  test("'customer tier' reads as user.plan and the answer states the choice", async () => {
    const body = await ask("p95 latency by customer tier");
    expect(body.query).toEqual({ metric: "p95", field: "durationMs", groupBy: ["attr:user.plan"] });
    expect(body.answer).toContain("'tier' read as field user.plan");
  });

  test("a stored value filters on its field: 'where plan is enterprise'", async () => {
    const body = await ask("count of payments where plan is enterprise");
    expect(body.query).toEqual({ metric: "count", filter: { service: "payment", attr: { "user.plan": "enterprise" } } });
    expect(body.warnings).toBeUndefined();
  });

  test("a grouping by a field nobody sends is asked about with the seen field names", async () => {
    const body = await ask("p99 broken down by datacenter");
    expect(body.intent).toBe("CONVERSATIONAL");
    expect(body.clarification).toMatchObject({ kind: "field", term: "datacenter" });
    expect((body.clarification as { candidates: string[] }).candidates).toEqual(expect.arrayContaining(["region", "user.plan"]));
  });

  test("a value the field does not hold is asked about with the field's values", async () => {
    const body = await ask("how many requests where plan is gold");
    expect(body.clarification).toEqual({ kind: "field", term: "gold", candidates: ["enterprise", "free"] });
  });
});

describe("words nobody mapped are reported", () => {
  test("an English word outside the known words is reported, not dropped", async () => {
    const body = await ask("checkout p95 for tablet shoppers");
    expect(warningCodes(body)).toContain("UNRESOLVED");
    expect(JSON.stringify(body.warnings)).toContain("tablet");
  });

  test("a Korean word outside the known words is reported next to a named service", async () => {
    const body = await ask("결제 에러 중 해외 카드사 건수");
    expect(body.intent).toBe("STATISTICAL");
    expect(warningCodes(body)).toContain("UNRESOLVED");
    expect(JSON.stringify(body.warnings)).toContain("해외");
  });

  test("a Korean word in a name's place with nothing else named is asked about", async () => {
    const body = await ask("정산 요청 몇 건이야?");
    expect(body.clarification).toMatchObject({ kind: "service", term: "정산" });
  });

  test("Korean particles and endings on known words are not reported", async () => {
    const body = await ask("어제 결제 에러는 몇 건이었어?");
    expect(body.warnings).toBeUndefined();
    expect(body.intent).toBe("STATISTICAL");
  });
});

describe("comparisons and analysis follow-ups", () => {
  test("a grouped comparison states each group's before → now from data.compare and data.rows", async () => {
    const body = await ask("errors per service in the last hour compared with yesterday");
    expect(body.query).toMatchObject({ groupBy: ["service"] });
    const data = body.data as { rows: StatRow[]; compare: { rows: StatRow[] } };
    const payment = data.rows.find((r) => r.service === "payment")?.value ?? 0;
    const before = data.compare.rows.find((r) => r.service === "payment")?.value ?? 0;
    expect(body.answer).toContain("largest changes first");
    expect(body.answer).toContain(`payment ${before.toLocaleString("en-US")} → ${payment.toLocaleString("en-US")}`);
  });

  test("a narrowing follow-up after 'when did it start?' keeps asking when it started", async () => {
    const id = session();
    await ask("when did the payment incident start?", id);
    const body = await ask("only for checkout", id);
    expect(body.intent).toBe("ANALYSIS");
    expect((body.data as { kind: string }).kind).toBe("when_started");
    expect((body.query as { filter: unknown }).filter).toEqual({ service: "checkout" });
  });
});
