import { expect } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, waitFor } from "../cli/run-cli.ts";
import type { RunningServer } from "./spawn-server.ts";

/**
 * Two tenants with data nothing else holds, for the isolation table (tests/security): alpha is the
 * victim, beta the caller. Every alpha string below is absent from beta's data, so finding one in
 * an answer to beta's key is a leak; beta's numbers are small and exact, so a count that took in
 * alpha's events shows.
 */
export const KEYS = { alpha: "ka", beta: "kb" } as const;
/** The operator's key for the gateway-wide counters (/metrics); no tenant holds it. */
export const OPERATOR_KEY = "k-operator-metrics";
export const TENANT_ENV = { INGEST_API_KEYS: "ka:alpha,kb:beta", QUERY_API_KEYS: "ka:alpha,kb:beta", METRICS_API_KEY: OPERATOR_KEY };

/** Strings only alpha's events hold: services, routes, codes, attribute names and values, text, durations. */
export const ALPHA_SECRETS = [
  "alpha-vault",
  "/alpha/ledger",
  "ALPHA_VAULT_BREACH",
  "eu-secret",
  "alphaTier",
  "platinum-alpha",
  "confidential payload",
  "98765",
  "87654",
  "65432",
] as const;

const minuteAgo = () => new Date(Date.now() - 60_000).toISOString();

/** Alpha: 10 events, 4 errors; 3 of them on the service both tenants use. Durations far above beta's. */
export function alphaEvents(): Record<string, unknown>[] {
  const vault = { service: "alpha-vault", route: "/alpha/ledger", method: "PUT", region: "eu-secret", alphaTier: "platinum-alpha" };
  return [
    ...[0, 1, 2, 3].map(() => ({
      ...vault,
      statusCode: 503,
      durationMs: 98765.4,
      error: { code: "ALPHA_VAULT_BREACH", message: "alpha confidential payload" },
      message: "alpha confidential payload",
    })),
    ...[0, 1, 2].map(() => ({ ...vault, statusCode: 200, durationMs: 87654.3 })),
    ...[0, 1, 2].map(() => ({
      service: "shared-api",
      route: "/shared/ping",
      method: "GET",
      statusCode: 200,
      durationMs: 65432.1,
      region: "eu-secret",
    })),
  ];
}

/** Beta: 5 events, 2 errors, durations 10–45 ms. */
export function betaEvents(): Record<string, unknown>[] {
  const shop = { service: "beta-shop", route: "/beta/cart", method: "POST", region: "us-plain" };
  return [
    {
      ...shop,
      statusCode: 500,
      durationMs: 40,
      error: { code: "BETA_CART_FAIL", message: "beta cart failure" },
      message: "beta cart failure",
    },
    {
      ...shop,
      statusCode: 500,
      durationMs: 45,
      error: { code: "BETA_CART_FAIL", message: "beta cart failure" },
      message: "beta cart failure",
    },
    { ...shop, statusCode: 200, durationMs: 20 },
    { service: "shared-api", route: "/shared/ping", method: "GET", statusCode: 200, durationMs: 10, region: "us-plain" },
    { service: "shared-api", route: "/shared/ping", method: "GET", statusCode: 200, durationMs: 12, region: "us-plain" },
  ];
}

/** What beta's own data says; every answer to beta's key must agree with it. */
export const BETA_TRUTH = {
  count: 5,
  errors: 2,
  byService: { "beta-shop": 3, "shared-api": 2 } as Record<string, number>,
  sharedApi: 2,
  maxDurationMs: 45,
  services: ["beta-shop", "shared-api"],
  routes: ["/beta/cart", "/shared/ping"],
  errorCodes: ["BETA_CART_FAIL"],
};
export const ALPHA_TRUTH = { count: 10, errors: 4, sharedApi: 3 };

/**
 * Fails naming the first alpha string or eventId found in `text`. `except` lists words the request
 * itself sent (a question naming alpha's service may be echoed back as asked): they are blanked out
 * first, and only them.
 */
export function expectNoAlpha(text: string, alphaIds: readonly string[], except: readonly string[] = []): void {
  let scrubbed = text;
  for (const word of except) scrubbed = scrubbed.split(word).join("<asked>");
  // A number is found only standing alone: "65432" also turns up by chance inside the random hex of
  // a generated requestId or eventId (about once in a few thousand runs), which is no leak.
  const found = [...ALPHA_SECRETS, ...alphaIds].filter((secret) =>
    /^\d+$/.test(secret) ? new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(scrubbed) : scrubbed.includes(secret),
  );
  expect(found).toEqual([]);
}

/** A caller holding one tenant's key. */
export class TenantClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  request(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    return fetch(`${this.baseUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  }

  /** The status and raw text of an answer, so a test can search every byte of it. */
  async read(path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const response = await this.request(path, body === undefined ? {} : { body });
    return { status: response.status, text: await response.text() };
  }

  async ingest(events: Record<string, unknown>[]): Promise<void> {
    const response = await this.request("/v1/events", {
      body: events.map((e, i) => ({ requestId: `r-${crypto.randomUUID()}-${i}`, timestamp: minuteAgo(), ...e })),
    });
    expect(response.status).toBe(202);
  }

  async count(filter: Record<string, unknown> = {}): Promise<number | undefined> {
    const { text } = await this.read("/v1/query", { metric: "count", filter, timeRange: { last: "1h" } });
    return (JSON.parse(text) as { rows?: Array<{ value: number }> }).rows?.[0]?.value;
  }

  /** Every stored event of the caller, newest first (one page is enough for these fixtures). */
  async events(query = ""): Promise<Array<Record<string, unknown> & { eventId: string }>> {
    const { text } = await this.read(`/v1/events?limit=200${query}`);
    return (JSON.parse(text) as { events: Array<Record<string, unknown> & { eventId: string }> }).events;
  }
}

export interface Seeded {
  alpha: TenantClient;
  beta: TenantClient;
  alphaIds: string[];
  betaIds: string[];
}

/** Ingests both fixtures with each tenant's own key and waits until both the rollups and the events hold them. */
export async function seedTwoTenants(server: RunningServer): Promise<Seeded> {
  const alpha = new TenantClient(server.url, KEYS.alpha);
  const beta = new TenantClient(server.url, KEYS.beta);
  await alpha.ingest(alphaEvents());
  await beta.ingest(betaEvents());
  // Wait for at least each tenant's own data, then require exactly it: a leak fails here naming the numbers.
  const counts = () => Promise.all([alpha.count(), beta.count(), alpha.events(), beta.events()]);
  await waitFor("both tenants in the rollups and the store", async () => {
    const [a, b, ae, be] = await counts();
    return (a ?? 0) >= ALPHA_TRUTH.count && (b ?? 0) >= BETA_TRUTH.count && ae.length >= ALPHA_TRUTH.count && be.length >= BETA_TRUTH.count;
  });
  const [a, b, ae, be] = await counts();
  expect({ alphaCount: a, betaCount: b, alphaEvents: ae.length, betaEvents: be.length }).toEqual({
    alphaCount: ALPHA_TRUTH.count,
    betaCount: BETA_TRUTH.count,
    alphaEvents: ALPHA_TRUTH.count,
    betaEvents: BETA_TRUTH.count,
  });
  return {
    alpha,
    beta,
    alphaIds: (await alpha.events()).map((e) => e.eventId),
    betaIds: (await beta.events()).map((e) => e.eventId),
  };
}

/** The CLI's env for one tenant's key, with its own state dir (sessions file) unless one is given. */
export function cliEnv(server: RunningServer, key: string, stateDir?: string): Record<string, string> {
  return {
    WIDE_GATE_URL: server.url,
    WIDE_GATE_KEY: key,
    WIDE_GATE_STATE_DIR: stateDir ?? mkdtempSync(join(tmpdir(), "widegate-isolation-cli-")),
  };
}

export { cli };
