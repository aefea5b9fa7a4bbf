import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatQuery, StatRow } from "../../src/domain/query/stat-query.ts";
import { type DemoTruth, seedDemo } from "./demo-data.ts";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/**
 * ANALYSIS on the demo's payment-shop hour (the incident: /api/payments times out for 40% of
 * requests from 06:25 to 06:35 UTC), through POST /v1/search on the embedded store with the
 * rules parser: the start is found in the exact per-minute series, the failing requests'
 * differences in the kept events, and the numbers are those of POST /v1/query.
 */

const NOW = Date.UTC(2026, 10, 30, 7, 0, 0);
let h: SearchHarness;
let truth: DemoTruth;
beforeAll(async () => {
  h = await startSearchApp({ clock: () => NOW });
  truth = await seedDemo(h.store, NOW);
});
afterAll(async () => {
  await h.close();
});

interface Episode {
  start: string;
  end: string;
  ongoing: boolean;
  peak: { at: string; rate: number };
}
interface Difference {
  field: string;
  value: string;
  targetShare: number;
  restShare: number;
}

/** POST /v1/query runs on the real clock: a window relative to the search's pinned NOW is sent as from/to. */
async function viaQueryRoute(query: StatQuery): Promise<StatRow[]> {
  const range = query.timeRange;
  const absolute =
    range && "last" in range
      ? { from: new Date(NOW - Number.parseInt(range.last, 10) * 3_600_000).toISOString(), to: new Date(NOW).toISOString() }
      : range;
  const response = await h.request("/v1/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...query, timeRange: absolute }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: StatRow[] }).rows;
}

describe("ANALYSIS: when did it start", () => {
  for (const question of ["when did the payment incident start?", "결제 장애 언제 시작됐어?"]) {
    test(`names the start within one minute of the truth: ${question}`, async () => {
      const { body } = await h.ask(question);
      expect(body.intent).toBe("ANALYSIS");
      const episode = (body.data as { episode: Episode }).episode;
      expect(Math.abs(Date.parse(episode.start) - truth.incidentStart)).toBeLessThanOrEqual(60_000);
      expect(body.answer).toContain("06:25 UTC");
    });
  }

  test("the end is found too, and an incident that ended is not ongoing", async () => {
    const { body } = await h.ask("is the payment incident over?");
    const episode = (body.data as { episode: Episode }).episode;
    expect(episode.ongoing).toBe(false);
    expect(Math.abs(Date.parse(episode.end) + 60_000 - truth.incidentEnd)).toBeLessThanOrEqual(60_000);
    expect(body.answer).toStartWith("Yes, it ended at 06:35 UTC.");
  });

  test("the series in data equals POST /v1/query for the resolved query", async () => {
    const { body } = await h.ask("what happened to payments?");
    expect(body.query).toEqual({ metric: "error_rate", bucket: "1m", timeRange: { last: "3h" }, filter: { service: "payment" } });
    expect((body.data as { rows: StatRow[] }).rows).toEqual(await viaQueryRoute(body.query as StatQuery));
  });

  test("the answer's peak is the series' highest minute", async () => {
    const { body } = await h.ask("what happened to payments?");
    const rows = (body.data as { rows: StatRow[] }).rows.filter((r) => r.value !== null);
    const highest = Math.max(...rows.map((r) => r.value ?? 0));
    expect((body.data as { episode: Episode }).episode.peak.rate).toBe(highest);
    expect(body.answer).toContain(`${(highest * 100).toFixed(2)}%`);
  });

  test("a follow-up 'is it over?' keeps the service asked about", async () => {
    const session = "analysis-follow-1";
    await h.ask("what happened to payments?", session);
    const { body } = await h.ask("is it over?", session);
    expect(body.intent).toBe("ANALYSIS");
    expect((body.query as StatQuery).filter).toEqual({ service: "payment" });
  });

  test("a quiet service has no change point, and says so", async () => {
    const { body } = await h.ask("what happened to search?");
    expect((body.data as { episode: unknown }).episode).toBeNull();
    expect(body.answer).toStartWith("No change point");
  });
});

describe("ANALYSIS: what is different about the failing requests", () => {
  for (const question of ["what is different about the failing payment requests?", "실패한 결제 요청은 무엇이 다른가요?"]) {
    test(`names GATEWAY_TIMEOUT first and the route next: ${question}`, async () => {
      const { body } = await h.ask(question);
      expect(body.intent).toBe("ANALYSIS");
      const differences = (body.data as { differences: Difference[] }).differences;
      expect(differences[0]).toMatchObject({ field: "error.code", value: "GATEWAY_TIMEOUT" });
      expect(differences[1]).toMatchObject({ field: "route", value: "/api/payments" });
      expect(differences[0]?.targetShare).toBeGreaterThan(0.9);
      expect(differences[0]?.restShare).toBe(0);
      expect(body.answer).toContain("GATEWAY_TIMEOUT");
    });
  }

  test("the failing set's size is the weighted count of kept failing events, which rollups confirm", async () => {
    const { body } = await h.ask("what is different about the failing payment requests?");
    const data = body.data as { targetCount: number };
    const [row] = await viaQueryRoute({ metric: "count", filter: { service: "payment", hasError: true }, timeRange: { last: "3h" } });
    // Every error is kept at rate 1, so the kept failing events are all the failing requests.
    expect(data.targetCount).toBe(row?.value ?? -1);
  });
});

describe("ANALYSIS: exemplars", () => {
  test("an episode links stored events of its minutes", async () => {
    const { body } = await h.ask("when did the payment incident start?");
    const { exemplars, episode } = body.data as { exemplars: string[]; episode: Episode };
    expect(exemplars.length).toBeGreaterThan(0);
    const response = await h.request("/v1/events?service=payment&limit=200&hasError=true");
    const stored = ((await response.json()) as { events: { eventId: string; timestamp: string }[] }).events;
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    const linked = exemplars.map((id) => byId.get(id)).filter((e) => e !== undefined);
    expect(linked.length).toBeGreaterThan(0);
    for (const e of linked) expect(e.timestamp >= episode.start).toBe(true);
  });
});
