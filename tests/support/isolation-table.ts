import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startCli, waitFor } from "../cli/run-cli.ts";
import { type RunningServer, spawnServer } from "./spawn-server.ts";
import {
  ALPHA_TRUTH,
  BETA_TRUTH,
  cli,
  cliEnv,
  expectNoAlpha,
  KEYS,
  OPERATOR_KEY,
  type Seeded,
  seedTwoTenants,
  TENANT_ENV,
  type TenantClient,
} from "./two-tenants.ts";

/**
 * The isolation table: every read route of the HTTP API and every reading CLI command, called with
 * beta's key against a server holding alpha's and beta's data. Each row asserts that the raw answer
 * holds none of alpha's strings or eventIds and that its numbers are beta's own. Spoofing rows,
 * which add data, run last.
 */

interface Row {
  /** The route or command the row covers, as a user would write it. */
  covers: string;
  /** The one behaviour the row asserts. */
  behaviour: string;
  /** Words the request itself names (echoed questions), blanked before the search for alpha's strings. */
  echo?: string[];
  run: (s: Seeded) => Promise<{ status: number; text: string }>;
  /** Default 200. */
  status?: number;
  /** Default json: the check gets the parsed body; text routes get the raw text. */
  format?: "json" | "text";
  check?: (body: unknown, s: Seeded) => void;
}

interface QueryRow {
  value: number | null;
  exemplars?: string[];
  [key: string]: unknown;
}
interface QueryAnswer {
  rows: QueryRow[];
  source: string;
}
interface EventsAnswer {
  events: Array<Record<string, unknown> & { eventId: string }>;
  nextCursor: string | null;
}
interface SearchAnswer {
  sessionId: string;
  intent: string;
  answer: string;
  data?: Record<string, unknown>;
  clarification?: { kind: string; term: string; candidates: string[] };
}

const asQuery = (json: unknown) => json as QueryAnswer;
const asEvents = (json: unknown) => json as EventsAnswer;
const asSearch = (json: unknown) => json as SearchAnswer;

const hour = { last: "1h" };
const get = (path: string) => (s: Seeded) => s.beta.read(path);
const query = (body: Record<string, unknown>) => (s: Seeded) => s.beta.read("/v1/query", { timeRange: hour, ...body });
const ask = (question: string) => (s: Seeded) => s.beta.read("/v1/search", { question });

/** Every eventId in the answer is one of beta's. */
function onlyBetaIds(ids: readonly string[], s: Seeded): void {
  expect(ids.filter((id) => !s.betaIds.includes(id))).toEqual([]);
}
function eventsAre(count: number) {
  return (json: unknown, s: Seeded) => {
    const { events } = asEvents(json);
    expect(events).toHaveLength(count);
    onlyBetaIds(
      events.map((e) => e.eventId),
      s,
    );
    for (const event of events) expect(event.tenant ?? "beta").toBe("beta");
  };
}
/** One row with `value`; its exemplars, if any, are beta's. */
function singleValue(value: number | null) {
  return (json: unknown, s: Seeded) => {
    const rows = asQuery(json).rows;
    expect(rows.map((r) => r.value)).toEqual([value]);
    onlyBetaIds(exemplarsOf(rows), s);
  };
}
function exemplarsOf(rows: readonly QueryRow[]): string[] {
  return rows.flatMap((r) => r.exemplars ?? []);
}
/** A clarifying question back, offering beta's own values and nothing else. */
function expectAskedBack(json: unknown, kind: string, betaValues: readonly string[]): void {
  const answer = asSearch(json);
  expect(answer.intent).toBe("CONVERSATIONAL");
  expect(answer.clarification?.kind).toBe(kind);
  expect([...(answer.clarification?.candidates ?? [])].sort()).toEqual([...betaValues]);
  expect(answer.data?.rows).toBeUndefined();
}
const searchRows = (json: unknown) => (asSearch(json).data?.rows ?? []) as QueryRow[];
const searchEvents = (json: unknown) => (asSearch(json).data?.events ?? []) as Array<{ eventId: string }>;

const HTTP_ROWS: Row[] = [
  // ── GET /v1/events: every filter, q, paging ───────────────────────────────────────────────
  { covers: "GET /v1/events", behaviour: "no filter lists beta's 5 events only", run: get("/v1/events?limit=200"), check: eventsAre(5) },
  {
    covers: "GET /v1/events",
    behaviour: "service=<alpha's service> finds nothing",
    run: get("/v1/events?service=alpha-vault"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "service=<shared name> finds beta's 2, not alpha's 3",
    run: get("/v1/events?service=shared-api"),
    check: eventsAre(2),
  },
  {
    covers: "GET /v1/events",
    behaviour: "route=<alpha's route> finds nothing",
    run: get("/v1/events?route=%2Falpha%2Fledger"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "errorCode=<alpha's code> finds nothing",
    run: get("/v1/events?errorCode=ALPHA_VAULT_BREACH"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "statusCode=<alpha's status> finds nothing",
    run: get("/v1/events?statusCode=503"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "hasError=true finds beta's 2 errors, not alpha's 4",
    run: get("/v1/events?hasError=true"),
    check: eventsAre(2),
  },
  { covers: "GET /v1/events", behaviour: "method=<alpha's method> finds nothing", run: get("/v1/events?method=PUT"), check: eventsAre(0) },
  {
    covers: "GET /v1/events",
    behaviour: "q=<alpha's message text> finds nothing",
    run: get("/v1/events?q=confidential"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "q=<alpha's error code> finds nothing",
    run: get("/v1/events?q=alpha_vault"),
    check: eventsAre(0),
  },
  {
    covers: "GET /v1/events",
    behaviour: "from/to around both tenants' events lists beta's only",
    run: (s) => s.beta.read(`/v1/events?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}&limit=200`),
    check: eventsAre(5),
  },
  {
    covers: "GET /v1/events",
    behaviour: "following nextCursor page by page reaches beta's 5 events and nothing else",
    run: async (s) => {
      const seen: EventsAnswer["events"] = [];
      let cursor: string | null = null;
      do {
        const page = asEvents(JSON.parse((await s.beta.read(`/v1/events?limit=2${cursor ? `&cursor=${cursor}` : ""}`)).text));
        seen.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor);
      return { status: 200, text: JSON.stringify({ events: seen, nextCursor: null }) };
    },
    check: eventsAre(5),
  },
  {
    covers: "GET /v1/events",
    behaviour: "a cursor taken from alpha's page gives beta's events only",
    run: async (s) => {
      const alphaPage = asEvents(JSON.parse((await s.alpha.read("/v1/events?limit=1")).text));
      expect(alphaPage.nextCursor).toBeString();
      return s.beta.read(`/v1/events?limit=200&cursor=${alphaPage.nextCursor}`);
    },
    check: (json, s) =>
      onlyBetaIds(
        asEvents(json).events.map((e) => e.eventId),
        s,
      ),
  },

  // ── POST /v1/query: metrics, groupBy, filters, attr:, buckets, exemplars ─────────────────
  {
    covers: "POST /v1/query",
    behaviour: "count is beta's own total",
    run: query({ metric: "count" }),
    check: singleValue(BETA_TRUTH.count),
  },
  {
    covers: "POST /v1/query",
    behaviour: "count by service lists beta's services with beta's counts",
    run: query({ metric: "count", groupBy: ["service"] }),
    check: (json) => {
      const rows = asQuery(json).rows;
      expect(Object.fromEntries(rows.map((r) => [r.service, r.value]))).toEqual(BETA_TRUTH.byService);
    },
  },
  {
    covers: "POST /v1/query",
    behaviour: "exemplars of rollup rows are beta's eventIds",
    run: query({ metric: "count", groupBy: ["service", "route", "statusCode"] }),
    check: (json, s) => {
      const answer = asQuery(json);
      expect(answer.source).toBe("rollups");
      const ids = exemplarsOf(answer.rows);
      expect(ids.length).toBeGreaterThan(0);
      onlyBetaIds(ids, s);
    },
  },
  {
    covers: "POST /v1/query",
    behaviour: "exemplars of a bucketed series are beta's eventIds",
    run: query({ metric: "error_rate", bucket: "1m" }),
    check: (json, s) => onlyBetaIds(exemplarsOf(asQuery(json).rows), s),
  },
  {
    echo: ["alpha-vault"],
    covers: "POST /v1/query",
    behaviour: "filter service=<alpha's service> counts 0",
    run: query({ metric: "count", filter: { service: "alpha-vault" } }),
    check: singleValue(0),
  },
  {
    covers: "POST /v1/query",
    behaviour: "filter service=<shared name> counts beta's 2",
    run: query({ metric: "count", filter: { service: "shared-api" } }),
    check: singleValue(BETA_TRUTH.sharedApi),
  },
  {
    echo: ["alpha-vault"],
    covers: "POST /v1/query",
    behaviour: "filter service in [alpha's, shared] counts beta's 2",
    run: query({ metric: "count", filter: { service: { in: ["alpha-vault", "shared-api"] } } }),
    check: singleValue(2),
  },
  {
    covers: "POST /v1/query",
    behaviour: "filter service neq beta-shop counts beta's other 2",
    run: query({ metric: "count", filter: { service: { neq: "beta-shop" } } }),
    check: singleValue(2),
  },
  {
    echo: ["/alpha/ledger"],
    covers: "POST /v1/query",
    behaviour: "filter route=<alpha's route> counts 0",
    run: query({ metric: "count", filter: { route: "/alpha/ledger" } }),
    check: singleValue(0),
  },
  {
    echo: ["ALPHA_VAULT_BREACH"],
    covers: "POST /v1/query",
    behaviour: "filter errorCode=<alpha's code> counts 0",
    run: query({ metric: "count", filter: { errorCode: "ALPHA_VAULT_BREACH" } }),
    check: singleValue(0),
  },
  {
    covers: "POST /v1/query",
    behaviour: "filter statusCode>=503 counts 0",
    run: query({ metric: "count", filter: { statusCode: { gte: 503 } } }),
    check: singleValue(0),
  },
  {
    covers: "POST /v1/query",
    behaviour: "filter method=PUT counts 0",
    run: query({ metric: "count", filter: { method: "PUT" } }),
    check: singleValue(0),
  },
  {
    covers: "POST /v1/query",
    behaviour: "filter hasError=true counts beta's 2",
    run: query({ metric: "count", filter: { hasError: true } }),
    check: singleValue(BETA_TRUTH.errors),
  },
  { covers: "POST /v1/query", behaviour: "error_rate is beta's 2 of 5", run: query({ metric: "error_rate" }), check: singleValue(0.4) },
  {
    covers: "POST /v1/query",
    behaviour: "max durationMs is beta's 45",
    run: query({ metric: "max" }),
    check: singleValue(BETA_TRUTH.maxDurationMs),
  },
  {
    covers: "POST /v1/query",
    behaviour: "p99 by route stays within beta's durations",
    run: query({ metric: "p99", groupBy: ["route"] }),
    check: (json) => {
      const rows = asQuery(json).rows;
      expect(rows.map((r) => r.route).sort()).toEqual(BETA_TRUTH.routes);
      for (const row of rows) expect(row.value ?? 0).toBeLessThan(50);
    },
  },
  {
    covers: "POST /v1/query",
    behaviour: "count by errorCode lists beta's code and null only",
    run: query({ metric: "count", groupBy: ["errorCode"] }),
    check: (json) =>
      expect(
        asQuery(json)
          .rows.map((r) => r.errorCode)
          .sort(),
      ).toEqual(["BETA_CART_FAIL", null]),
  },
  {
    covers: "POST /v1/query",
    behaviour: "count by method and statusCode holds beta's 5",
    run: query({ metric: "count", groupBy: ["method", "statusCode"] }),
    check: (json) => expect(asQuery(json).rows.reduce((n, r) => n + (r.value ?? 0), 0)).toBe(BETA_TRUTH.count),
  },
  {
    covers: "POST /v1/query",
    behaviour: "count per 1m bucket sums to beta's total",
    run: query({ metric: "count", bucket: "1m" }),
    check: (json) => expect(asQuery(json).rows.reduce((n, r) => n + (r.value ?? 0), 0)).toBe(BETA_TRUTH.count),
  },
  {
    covers: "POST /v1/query attr:",
    behaviour: "groupBy attr:region lists beta's value only (distinct values)",
    run: query({ metric: "count", groupBy: ["attr:region"] }),
    check: (json) => expect(asQuery(json).rows.map((r) => [r["attr:region"], r.value])).toEqual([["us-plain", 5]]),
  },
  {
    echo: ["alphaTier"],
    covers: "POST /v1/query attr:",
    behaviour: "groupBy attr:<alpha-only attribute> is one null group of beta's 5",
    run: query({ metric: "count", groupBy: ["attr:alphaTier"] }),
    check: (json) => expect(asQuery(json).rows.map((r) => [r["attr:alphaTier"], r.value])).toEqual([[null, 5]]),
  },
  {
    echo: ["eu-secret"],
    covers: "POST /v1/query attr:",
    behaviour: "filter attr region=<alpha's value> counts 0",
    run: query({ metric: "count", filter: { attr: { region: "eu-secret" } } }),
    check: singleValue(0),
  },
  {
    echo: ["alphaTier"],
    covers: "POST /v1/query attr:",
    behaviour: "filter attr <alpha-only attribute> exists counts 0",
    run: query({ metric: "count", filter: { attr: { alphaTier: { exists: true } } } }),
    check: singleValue(0),
  },
  {
    echo: ["eu-secret"],
    covers: "POST /v1/query attr:",
    behaviour: "filter attr region neq <alpha's value> counts beta's 5",
    run: query({ metric: "count", filter: { attr: { region: { neq: "eu-secret" } } } }),
    check: singleValue(5),
  },
  {
    covers: "POST /v1/query attr:",
    behaviour: "max of field attr:durationMs (events path) is beta's 45",
    run: query({ metric: "max", field: "attr:durationMs" }),
    check: singleValue(BETA_TRUTH.maxDurationMs),
  },
  {
    covers: "POST /v1/query attr:",
    behaviour: "a durationMs filter (events path) over alpha's latencies counts 0",
    run: query({ metric: "count", filter: { durationMs: { gte: 1000 } } }),
    check: singleValue(0),
  },
  {
    covers: "POST /v1/query attr:",
    behaviour: "events-path count by service and attr:region is beta's",
    run: query({ metric: "count", groupBy: ["service", "attr:region"] }),
    check: (json) => {
      const answer = asQuery(json);
      expect(answer.source).toBe("events");
      expect(Object.fromEntries(answer.rows.map((r) => [r.service, r.value]))).toEqual(BETA_TRUTH.byService);
    },
  },

  // ── POST /v1/search: statistics, search, analysis, help ──────────────────────────────────
  {
    covers: "POST /v1/search",
    behaviour: "'how many requests' answers beta's total",
    run: ask("how many requests in the last hour?"),
    check: (json) => expect(searchRows(json)[0]?.value).toBe(BETA_TRUTH.count),
  },
  {
    covers: "POST /v1/search",
    behaviour: "'requests per service' lists beta's services only",
    run: ask("how many requests per service in the last hour"),
    check: (json) => {
      const rows = searchRows(json);
      expect(Object.fromEntries(rows.map((r) => [r.service, r.value]))).toEqual(BETA_TRUTH.byService);
    },
  },
  {
    covers: "POST /v1/search",
    behaviour: "a count naming alpha's service asks back with beta's candidates only",
    echo: ["alpha-vault"],
    run: ask("how many requests did alpha-vault get in the last hour?"),
    check: (json) => expectAskedBack(json, "service", BETA_TRUTH.services),
  },
  {
    covers: "POST /v1/search",
    behaviour: "'find <alpha's service> events' asks back with beta's services, no events",
    echo: ["alpha-vault"],
    run: ask("find alpha-vault events"),
    check: (json) => {
      expectAskedBack(json, "service", BETA_TRUTH.services);
      expect(searchEvents(json)).toEqual([]);
    },
  },
  {
    covers: "POST /v1/search",
    behaviour: "'errors like <alpha's code>' asks back with beta's codes, no events",
    echo: ["ALPHA_VAULT_BREACH"],
    run: ask("show me errors like ALPHA_VAULT_BREACH"),
    check: (json) => {
      expectAskedBack(json, "errorCode", BETA_TRUTH.errorCodes);
      expect(searchEvents(json)).toEqual([]);
    },
  },
  {
    covers: "POST /v1/search",
    behaviour: "'errors like <alpha's message>' finds no event",
    run: ask("show me errors like confidential"),
    check: (json) => expect(searchEvents(json)).toEqual([]),
  },
  {
    covers: "POST /v1/search",
    behaviour: "'errors by error code' lists beta's code only",
    run: ask("how many errors per error code in the last hour"),
    check: (json) => {
      for (const row of searchRows(json)) expect(row.errorCode).toBe("BETA_CART_FAIL");
    },
  },
  {
    covers: "POST /v1/search",
    behaviour: "'slowest routes' ranks beta's routes within beta's durations",
    run: ask("what are the slowest routes in the last hour?"),
    check: (json) => {
      const rows = searchRows(json);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(BETA_TRUTH.routes).toContain(String(row.route));
        expect(row.value ?? 0).toBeLessThan(50);
      }
    },
  },
  {
    covers: "POST /v1/search analysis",
    behaviour: "'what happened to <alpha's service>' asks back with beta's services",
    echo: ["alpha-vault"],
    run: ask("what happened to alpha-vault?"),
    check: (json) => expectAskedBack(json, "service", BETA_TRUTH.services),
  },
  {
    covers: "POST /v1/search analysis",
    behaviour: "'what happened to <shared service>' reads beta's events and exemplars only",
    run: ask("what happened to shared-api in the last hour?"),
    check: (json, s) => {
      const answer = asSearch(json);
      expect(answer.intent).toBe("ANALYSIS");
      const data = answer.data ?? {};
      expect(data.kind).toBe("what_happened");
      expect(data.errorCodes).toEqual([]);
      const rows = (data.rows ?? []) as QueryRow[];
      expect(exemplarsOf(rows).length).toBeGreaterThan(0);
      onlyBetaIds([...exemplarsOf(rows), ...((data.exemplars ?? []) as string[])], s);
    },
  },
  {
    covers: "POST /v1/search analysis",
    behaviour: "'what is different about the failing requests' compares beta's 2 with beta's 3",
    run: ask("what is different about the failing requests in the last hour?"),
    check: (json, s) => {
      const answer = asSearch(json);
      expect(answer.intent).toBe("ANALYSIS");
      expect(answer.data?.targetCount).toBe(BETA_TRUTH.errors);
      expect(answer.data?.restCount).toBe(BETA_TRUTH.count - BETA_TRUTH.errors);
      const differences = (answer.data?.differences ?? []) as Array<{ field: string; exemplars?: string[] }>;
      expect(differences.length).toBeGreaterThan(0);
      onlyBetaIds(
        differences.flatMap((d) => d.exemplars ?? []),
        s,
      );
    },
  },
  {
    covers: "POST /v1/search",
    behaviour: "help lists beta's services only",
    run: ask("help"),
    check: (json) => expect(asSearch(json).answer).toContain("Services in the data: beta-shop, shared-api."),
  },

  // ── process routes: no key, so nothing tenant-shaped may be in them ──────────────────────
  {
    covers: "GET /metrics",
    behaviour: "a query key is refused with 401: the counters are every tenant's together",
    run: get("/metrics"),
    status: 401,
    check: (json) => expect((json as { error: { code: string } }).error.code).toBe("UNAUTHORIZED"),
  },
  {
    covers: "GET /dashboard/worker-metrics",
    behaviour: "a query key is refused with 401, like /metrics",
    run: get("/dashboard/worker-metrics"),
    status: 401,
  },
  { covers: "GET /readyz", behaviour: "names no tenant data", run: get("/readyz") },
  { covers: "GET /healthz", behaviour: "names no tenant data", run: get("/healthz") },
  { covers: "GET /dashboard", behaviour: "the static page holds no tenant data", run: get("/dashboard"), format: "text" },
];

/** The whole table against one spawned all-in-one server with `storeEnv` selecting the store. */
export function isolationTable(storeEnv: Record<string, string>): void {
  setDefaultTimeout(60_000);
  let server: RunningServer;
  let seeded: Seeded;
  const s = () => seeded;

  beforeAll(async () => {
    server = await spawnServer("edge/bun-server.ts", { ...TENANT_ENV, SAMPLING_NORMAL_RATE: "1", ROLLUP_FLUSH_MS: "100", ...storeEnv });
    seeded = await seedTwoTenants(server);
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  describe("HTTP read routes, with beta's key", () => {
    for (const row of HTTP_ROWS) {
      test(`${row.covers}: ${row.behaviour}`, async () => {
        const { status, text } = await row.run(s());
        expect(status).toBe(row.status ?? 200);
        expectNoAlpha(text, s().alphaIds, row.echo);
        row.check?.(row.format === "text" ? text : JSON.parse(text), s());
      });
    }
  });

  // /metrics has no tenant label, but its counters are the whole gateway's: a tenant that knows its
  // own volume would read the others' total off it (kept 15 − own 5 = alpha's 10). Only the
  // operator's METRICS_API_KEY opens it; tenants' keys, ingest or query, do not.
  describe("GET /metrics: the gateway-wide counters", () => {
    const metricsWith = async (key: string) => {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, text: await response.text() };
    };

    test("beta's ingest key (the same string as its query key here) is refused with 401", async () => {
      const { status, text } = await metricsWith(KEYS.beta);
      expect(status).toBe(401);
      expect(text).not.toContain("widegate_ingest_events_total");
    });

    test("without a key it is refused with 401", async () => {
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(401);
    });

    test("the operator key reads the counters, and they carry no tenant label", async () => {
      const { status, text } = await metricsWith(OPERATOR_KEY);
      expect(status).toBe(200);
      expect(text).toContain("widegate_ingest_events_total");
      expect(text).not.toMatch(/[{,]tenant=/);
      expectNoAlpha(text, s().alphaIds);
    });
  });

  describe("search sessions, with alpha's session id in beta's hands", () => {
    let alphaSession: string;
    const alphaQuestion = "how many requests did alpha-vault get in the last hour?";
    beforeAll(async () => {
      alphaSession = asSearch(JSON.parse((await s().alpha.read("/v1/search", { question: alphaQuestion })).text)).sessionId;
    });

    test("GET /v1/search/sessions/:id: alpha's session id is 404 for beta", async () => {
      const { status, text } = await s().beta.read(`/v1/search/sessions/${alphaSession}`);
      expect(status).toBe(404);
      expectNoAlpha(text, s().alphaIds);
    });

    test("GET /v1/search/sessions: beta's list never holds alpha's session", async () => {
      const { status, text } = await s().beta.read("/v1/search/sessions?limit=200");
      expect(status).toBe(200);
      expect(text).not.toContain(alphaSession);
    });

    test("POST /v1/search with alpha's sessionId: 'what did I ask before' holds none of alpha's turns", async () => {
      const { status, text } = await s().beta.read("/v1/search", { question: "what did I ask before?", sessionId: alphaSession });
      expect(status).toBe(200);
      expectNoAlpha(text, s().alphaIds);
      expect(asSearch(JSON.parse(text)).data?.turns ?? []).toEqual([]);
    });

    test("POST /v1/search with alpha's sessionId: alpha's session keeps only alpha's turn", async () => {
      const { status, text } = await s().alpha.read(`/v1/search/sessions/${alphaSession}`);
      expect(status).toBe(200);
      const turns = (JSON.parse(text) as { turns: Array<{ question: string }> }).turns;
      expect(turns.map((t) => t.question)).toEqual([alphaQuestion]);
    });

    test("GET /v1/search/sessions/:id: beta's session under alpha's id holds beta's turn only", async () => {
      const { status, text } = await s().beta.read(`/v1/search/sessions/${alphaSession}`);
      expect(status).toBe(200);
      expectNoAlpha(text, s().alphaIds);
      expect((JSON.parse(text) as { turns: Array<{ question: string }> }).turns.map((t) => t.question)).toEqual(["what did I ask before?"]);
    });
  });

  describe("CLI commands, run as beta (WIDE_GATE_KEY=kb)", () => {
    const beta = () => cliEnv(server, KEYS.beta);
    const runBeta = async (args: string[], echo: string[] = []) => {
      const run = await cli(args, beta());
      expect(run.stderr.includes("wide-gate:") ? run.stderr : "").toBe("");
      expect(run.code).toBe(0);
      expectNoAlpha(run.stdout + run.stderr, s().alphaIds, echo);
      return run;
    };

    test("wide-gate query -g service: beta's services and counts", async () => {
      const run = await runBeta(["--json", "query", "-m", "count", "-g", "service", "--last", "1h"]);
      const rows = (JSON.parse(run.stdout) as QueryAnswer).rows;
      expect(Object.fromEntries(rows.map((r) => [r.service, r.value]))).toEqual(BETA_TRUTH.byService);
      onlyBetaIds(exemplarsOf(rows), s());
    });

    test("wide-gate query -m max (table): beta's 45 ms", async () => {
      const run = await runBeta(["query", "-m", "max", "--last", "1h"]);
      expect(run.stdout).toMatch(/│ 45\s+│/);
    });

    test("wide-gate query -g attr:region: beta's distinct value only", async () => {
      const run = await runBeta(["--json", "query", "-m", "count", "-g", "attr:region", "--last", "1h"]);
      expect((JSON.parse(run.stdout) as QueryAnswer).rows.map((r) => r["attr:region"])).toEqual(["us-plain"]);
    });

    test("wide-gate query -f attr.region=<alpha's value>: 0", async () => {
      const run = await runBeta(["--json", "query", "-m", "count", "-f", "attr.region=eu-secret", "--last", "1h"], ["eu-secret"]);
      expect((JSON.parse(run.stdout) as QueryAnswer).rows).toEqual([{ value: 0 }]);
    });

    test("wide-gate events --all: beta's 5 events", async () => {
      const run = await runBeta(["--json", "events", "-n", "2", "--all"]);
      eventsAre(5)(JSON.parse(run.stdout), s());
    });

    test("wide-gate events --service <alpha's service>: nothing", async () => {
      const run = await runBeta(["--json", "events", "--service", "alpha-vault"], ["alpha-vault"]);
      eventsAre(0)(JSON.parse(run.stdout), s());
    });

    test("wide-gate events -q <alpha's text>: nothing", async () => {
      const run = await runBeta(["--json", "events", "-q", "confidential"]);
      eventsAre(0)(JSON.parse(run.stdout), s());
    });

    test("wide-gate events --cursor <alpha's cursor>: beta's events only", async () => {
      const alphaPage = asEvents(JSON.parse((await s().alpha.read("/v1/events?limit=1")).text));
      const run = await runBeta(["--json", "events", "--cursor", alphaPage.nextCursor ?? ""]);
      onlyBetaIds(
        asEvents(JSON.parse(run.stdout)).events.map((e) => e.eventId),
        s(),
      );
    });

    test("wide-gate ask: beta's numbers", async () => {
      const run = await runBeta(["--json", "ask", "--new", "how many requests per service in the last hour"]);
      const rows = searchRows(JSON.parse(run.stdout));
      expect(Object.fromEntries(rows.map((r) => [r.service, r.value]))).toEqual(BETA_TRUTH.byService);
    });

    test("wide-gate ask: a state dir holding alpha's saved session shows beta none of alpha's turns", async () => {
      const shared = cliEnv(server, KEYS.alpha);
      const alphaRun = await cli(["--json", "ask", "--new", "what are the errors of alpha-vault in the last hour"], shared);
      expect(alphaRun.code).toBe(0);
      const alphaSession = asSearch(JSON.parse(alphaRun.stdout)).sessionId;
      const betaRun = await cli(["--json", "ask", "what did I ask before?"], { ...shared, WIDE_GATE_KEY: KEYS.beta });
      expect(betaRun.code).toBe(0);
      expect(asSearch(JSON.parse(betaRun.stdout)).sessionId).toBe(alphaSession);
      expectNoAlpha(betaRun.stdout + betaRun.stderr, s().alphaIds);
    });

    test("wide-gate top --once: beta's services only", async () => {
      const run = await runBeta(["--json", "top", "--once", "--window", "1h"]);
      const snapshot = JSON.parse(run.stdout.trim().split("\n")[0] ?? "{}") as { services: Array<{ service: string }> };
      expect(snapshot.services.map((r) => r.service).sort()).toEqual(BETA_TRUTH.services);
    });

    test("wide-gate top (table): beta's services only", async () => {
      const run = await runBeta(["top", "--once", "--window", "1h"]);
      expect(run.stdout).toContain("beta-shop");
    });

    test("wide-gate top --once with beta's key only: no gateway-wide pipeline numbers, a note naming the metrics key", async () => {
      const run = await runBeta(["--json", "top", "--once", "--window", "1h"]);
      const snapshot = JSON.parse(run.stdout.trim().split("\n")[0] ?? "{}") as { pipeline: unknown; pipelineNote?: string };
      expect(snapshot.pipeline).toBeNull();
      expect(snapshot.pipelineNote).toContain("WIDE_GATE_METRICS_KEY");
    });

    test("wide-gate top --once with the operator's --metrics-key: the pipeline line is back", async () => {
      const run = await runBeta(["--json", "top", "--once", "--window", "1h", "--metrics-key", OPERATOR_KEY]);
      const snapshot = JSON.parse(run.stdout.trim().split("\n")[0] ?? "{}") as { pipeline: { kept: number } | null };
      expect(snapshot.pipeline?.kept).toBeGreaterThanOrEqual(15);
    });
  });

  // Rows below add events, so they run after every read above.
  describe("spoofing, with beta's ingest key", () => {
    test("wide-gate tail (beta) prints beta's new event, never alpha's", async () => {
      const tail = startCli(["--json", "tail", "-n", "10", "-i", "200ms", "-c", "1"], cliEnv(server, KEYS.beta));
      await waitFor("tail to start following", () => tail.stderr().includes("following"));
      await s().alpha.ingest([{ service: "alpha-vault", route: "/alpha/ledger", statusCode: 200, durationMs: 98765.4 }]);
      await waitFor("alpha's late event stored", async () => (await s().alpha.count({ route: "/alpha/ledger" })) === 8);
      await s().beta.ingest([{ service: "beta-late", route: "/beta/late", statusCode: 200, durationMs: 5 }]);
      expect(await tail.proc.exited).toBe(0);
      const lines = tail.stdout().trim().split("\n");
      expect(lines.at(-1)).toContain("beta-late");
      expectNoAlpha(tail.stdout() + tail.stderr(), s().alphaIds);
    });
    test("POST /v1/events with tenant: alpha stores the event under beta", async () => {
      const alphaBefore = await s().alpha.count();
      await s().beta.ingest([{ service: "beta-spoof-tenant", route: "/x", statusCode: 200, durationMs: 1, tenant: "alpha" }]);
      await waitFor("beta's spoof event stored", async () => (await s().beta.events("&service=beta-spoof-tenant")).length === 1);
      expect((await s().beta.events("&service=beta-spoof-tenant"))[0]?.tenant).toBe("beta");
      expect(await s().alpha.events("&service=beta-spoof-tenant")).toEqual([]);
      expect(await s().alpha.count()).toBe(alphaBefore ?? -1);
    });

    test("POST /v1/logs with a tenant: alpha resource attribute stores the record under beta", async () => {
      const alphaBefore = await s().alpha.count();
      const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
      const body = {
        resourceLogs: [
          {
            resource: { attributes: [attribute("service.name", "beta-spoof-otlp"), attribute("tenant", "alpha")] },
            scopeLogs: [{ logRecords: [{ timeUnixNano: String((Date.now() - 60_000) * 1_000_000), body: { stringValue: "otlp spoof" } }] }],
          },
        ],
      };
      const response = await s().beta.request("/v1/logs", { body });
      expect(response.status).toBe(202);
      await waitFor("beta's OTLP record stored", async () => (await s().beta.events("&service=beta-spoof-otlp")).length === 1);
      expect((await s().beta.events("&service=beta-spoof-otlp"))[0]?.tenant).toBe("beta");
      expect(await s().alpha.events("&service=beta-spoof-otlp")).toEqual([]);
      expect(await s().alpha.count()).toBe(alphaBefore ?? -1);
    });

    test("POST /v1/events with eventId of alpha's event leaves alpha's event as it was", async () => {
      const before = (await s().alpha.events("&service=alpha-vault"))[0];
      const victim = before?.eventId ?? "";
      expect(victim).not.toBe("");
      await s().beta.ingest([{ eventId: victim, service: "beta-spoof-id", route: "/x", statusCode: 200, durationMs: 1 }]);
      await waitFor(
        "beta's event with alpha's id stored under beta",
        async () => (await s().beta.events("&service=beta-spoof-id")).length === 1,
      );
      expect((await s().beta.events("&service=beta-spoof-id"))[0]?.eventId).toBe(victim);
      const after = (await s().alpha.events()).find((e) => e.eventId === victim);
      expect(after).toEqual(before);
      expect(after?.service).toBe("alpha-vault");
    });

    test("POST /v1/events with sampling: {rate: 0.0001} is not weighted 10,000 times", async () => {
      await s().beta.ingest([
        { service: "beta-spoof-rate", route: "/x", statusCode: 200, durationMs: 1, sampling: { reason: "SPOOF", rate: 0.0001 } },
      ]);
      await waitFor("beta's spoofed sampling event counted", async () => (await s().beta.count({ service: "beta-spoof-rate" })) === 1);
      // The events path weighs by sampling.rate: an attr: key forces it.
      const { text } = await s().beta.read("/v1/query", {
        metric: "count",
        filter: { service: "beta-spoof-rate", attr: { route: "/x" } },
        timeRange: hour,
      });
      expect(asQuery(JSON.parse(text)).rows).toEqual([{ value: 1 }]);
    });

    test("POST /v1/events with alpha's Idempotency-Key still counts beta's batch", async () => {
      const idempotencyKey = `shared-${crypto.randomUUID()}`;
      const post = (client: TenantClient, service: string) =>
        fetch(`${client.baseUrl}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${client.key}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
          body: JSON.stringify([{ service, route: "/x", statusCode: 200, durationMs: 1, requestId: crypto.randomUUID() }]),
        });
      expect((await post(s().alpha, "alpha-vault")).status).toBe(202);
      await waitFor("alpha's keyed batch counted", async () => (await s().alpha.count()) === ALPHA_TRUTH.count + 1);
      expect((await post(s().beta, "beta-spoof-idem")).status).toBe(202);
      await waitFor("beta's batch with the same key counted", async () => (await s().beta.count({ service: "beta-spoof-idem" })) === 1);
    });
  });
}
