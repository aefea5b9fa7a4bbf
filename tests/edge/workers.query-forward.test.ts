import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { refusedUrl } from "../support/refused-port.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/**
 * Read routes on workerd with QUERY_API_URL: forwarded to a real Bun gateway (embedded store,
 * the same keys) and answered with its numbers; an upstream that is down or silent answers
 * 502/504 naming QUERY_API_URL; unset, 501 naming it.
 */

const KEYS = { INGEST_API_KEYS: "ingest-acme:acme", QUERY_API_KEYS: "query-acme:acme,query-other:other" };
const EVENTS = 120;
const acme = { authorization: "Bearer query-acme" };
const json = { "content-type": "application/json" };
const COUNT_BY_SERVICE = JSON.stringify({ metric: "count", groupBy: ["service"], timeRange: { last: "1h" } });

const events = Array.from({ length: EVENTS }, (_, i) => ({
  requestId: `fwd-${i}`,
  service: i % 3 === 0 ? "payment" : "search",
  route: "/api/pay",
  statusCode: 500 + (i % 4), // errors are always kept, so every event is stored
  durationMs: 10 + i,
}));

const query = (base: string, body: string, headers: Record<string, string> = acme) =>
  fetch(`${base}/v1/query`, { method: "POST", headers: { ...json, ...headers }, body });

interface Answer {
  status: number;
  type: string | null;
  body: string;
}
const answer = async (response: Promise<Response>): Promise<Answer> => {
  const r = await response;
  return { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
};

describe("read routes on workerd forwarded to QUERY_API_URL", () => {
  let bun: RunningServer;
  let silent: ReturnType<typeof Bun.serve>;
  let forwarding: RunningWorker;
  let down: RunningWorker;
  let slow: RunningWorker;
  let unset: RunningWorker;

  beforeAll(async () => {
    bun = await spawnServer("edge/bun-server.ts", { ...KEYS, ROLLUP_FLUSH_MS: "200" });
    const posted = await fetch(`${bun.url}/v1/events`, {
      method: "POST",
      headers: { ...json, authorization: "Bearer ingest-acme" },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);
    // The embedded pipeline writes events and rollups shortly after: wait until Bun counts them all.
    for (let i = 0; i < 150; i++) {
      const rows = (
        (await (await query(bun.url, JSON.stringify({ metric: "count", timeRange: { last: "1h" } }))).json()) as {
          rows: Array<{ value: number }>;
        }
      ).rows;
      if (rows[0]?.value === EVENTS) break;
      await Bun.sleep(100);
    }
    // Accepts the connection and never answers.
    silent = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 60, fetch: () => new Promise<Response>(() => {}) });
    const worker = { ...KEYS, PUBLISHER: "discard" };
    [forwarding, down, slow, unset] = await Promise.all([
      startWorkerd({ ...worker, QUERY_API_URL: bun.url }),
      startWorkerd({ ...worker, QUERY_API_URL: refusedUrl() }),
      startWorkerd({ ...worker, QUERY_API_URL: `http://127.0.0.1:${silent.port}`, QUERY_API_TIMEOUT_MS: "1000" }),
      startWorkerd(worker),
    ]);
  }, 150_000);

  afterAll(async () => {
    await Promise.all([forwarding?.stop(), down?.stop(), slow?.stop(), unset?.stop(), bun?.stop()]);
    silent?.stop(true);
  });

  test("POST /v1/query answers the Bun API's numbers for the same key", async () => {
    const viaWorker = await answer(query(forwarding.url, COUNT_BY_SERVICE));
    const viaBun = await answer(query(bun.url, COUNT_BY_SERVICE));
    expect(viaWorker).toEqual(viaBun);
    expect(viaWorker.status).toBe(200);
    const rows = (JSON.parse(viaWorker.body) as { rows: Array<{ value: number }> }).rows;
    expect(rows.reduce((n, r) => n + r.value, 0)).toBe(EVENTS);
  });

  test("another tenant's key sees that tenant's numbers, not acme's", async () => {
    const body = JSON.stringify({ metric: "count", timeRange: { last: "1h" } });
    const viaWorker = await answer(query(forwarding.url, body, { authorization: "Bearer query-other" }));
    expect(viaWorker).toEqual(await answer(query(bun.url, body, { authorization: "Bearer query-other" })));
    expect(JSON.parse(viaWorker.body)).toMatchObject({ rows: [{ value: 0 }] });
  });

  test("an X-API-Key header is forwarded as well as Authorization", async () => {
    const viaWorker = await answer(query(forwarding.url, COUNT_BY_SERVICE, { "x-api-key": "query-acme" }));
    expect(viaWorker).toEqual(await answer(query(bun.url, COUNT_BY_SERVICE)));
  });

  test("GET /v1/events with its query string answers the Bun API's page", async () => {
    const path = "/v1/events?service=payment&limit=7";
    const viaWorker = await answer(fetch(`${forwarding.url}${path}`, { headers: acme }));
    expect(viaWorker).toEqual(await answer(fetch(`${bun.url}${path}`, { headers: acme })));
    expect((JSON.parse(viaWorker.body) as { events: unknown[] }).events).toHaveLength(7);
  });

  test("POST /v1/search answers with the Bun API's numbers", async () => {
    const ask = (base: string) =>
      fetch(`${base}/v1/search`, {
        method: "POST",
        headers: { ...json, ...acme },
        body: JSON.stringify({ question: "how many requests in the last hour" }),
      }).then((r) => r.json() as Promise<{ sessionId: string; answer: string; data?: unknown }>);
    const [viaWorker, viaBun] = await Promise.all([ask(forwarding.url), ask(bun.url)]);
    expect({ answer: viaWorker.answer, data: viaWorker.data }).toEqual({ answer: viaBun.answer, data: viaBun.data });
    expect(viaWorker.answer).toContain(String(EVENTS));
  });

  test("the session a search through the Worker opened is read back through the Worker from the Bun API", async () => {
    const asked = (await (
      await fetch(`${forwarding.url}/v1/search`, {
        method: "POST",
        headers: { ...json, ...acme },
        body: JSON.stringify({ question: "how many errors in the last hour" }),
      })
    ).json()) as { sessionId: string };
    const path = `/v1/search/sessions/${asked.sessionId}`;
    const viaWorker = await answer(fetch(`${forwarding.url}${path}`, { headers: acme }));
    expect(viaWorker.status).toBe(200);
    expect(viaWorker).toEqual(await answer(fetch(`${bun.url}${path}`, { headers: acme })));
  });

  test("a wrong query key is refused by the query API with its 401", async () => {
    const viaWorker = await answer(query(forwarding.url, COUNT_BY_SERVICE, { authorization: "Bearer nope" }));
    expect(viaWorker.status).toBe(401);
    expect(viaWorker).toEqual(await answer(query(bun.url, COUNT_BY_SERVICE, { authorization: "Bearer nope" })));
  });

  test("a bad query body gets the query API's 400 naming the problem", async () => {
    const bad = JSON.stringify({ metric: "nonsense" });
    const viaWorker = await answer(query(forwarding.url, bad));
    expect(viaWorker.status).toBe(400);
    expect(viaWorker).toEqual(await answer(query(bun.url, bad)));
  });

  test("a read body over 256 KiB is refused by the Worker with 413, not buffered and forwarded", async () => {
    const huge = JSON.stringify({ metric: "count", pad: "x".repeat(300 * 1024) });
    // Its own connection: the local runtime's proxy resets a connection whose body was refused unread.
    const response = await query(forwarding.url, huge, { ...acme, connection: "close" });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("ingest stays on the Worker: POST /v1/events is not forwarded", async () => {
    const response = await fetch(`${forwarding.url}/v1/events`, {
      method: "POST",
      headers: { ...json, authorization: "Bearer ingest-acme" },
      body: JSON.stringify({ service: "payment", statusCode: 500, requestId: "worker-only" }),
    });
    expect(response.status).toBe(202);
    // Discarded by the Worker: the Bun store still counts only what was posted to it.
    const rows = (await (await query(bun.url, JSON.stringify({ metric: "count", timeRange: { last: "1h" } }))).json()) as {
      rows: Array<{ value: number }>;
    };
    expect(rows.rows[0]?.value).toBe(EVENTS);
  });

  test("a query API that is down answers 502 QUERY_API_UNREACHABLE naming QUERY_API_URL", async () => {
    const response = await query(down.url, COUNT_BY_SERVICE);
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("QUERY_API_UNREACHABLE");
    expect(body.error.message).toContain("QUERY_API_URL");
  });

  test("a query API that never answers is cut at QUERY_API_TIMEOUT_MS with 504 naming QUERY_API_URL", async () => {
    const response = await fetch(`${slow.url}/v1/events?limit=1`, { headers: acme });
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("QUERY_API_TIMEOUT");
    expect(body.error.message).toContain("QUERY_API_URL");
    expect(body.error.message).toContain("1000 ms");
  });

  test("without QUERY_API_URL read routes answer 501 naming QUERY_API_URL", async () => {
    const response = await query(unset.url, COUNT_BY_SERVICE);
    expect(response.status).toBe(501);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("READS_NOT_SERVED");
    expect(body.error.message).toContain("QUERY_API_URL");
  });
});
