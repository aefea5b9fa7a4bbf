import { parseConfig } from "../../src/config/schema.ts";
import { WaitUntilSink } from "../../src/delivery/wait-until-sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { capturingLogger } from "../../src/log/logger.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";
import type { Clock } from "../../src/sdk/index.ts";

export const INGEST_KEY = "ik";
const QUERY_KEY = "qk";
const BASE = "http://gateway.test";

export type StoredEvent = Record<string, unknown> & { requestId: string; sampling?: { reason: string } };

/**
 * The real gateway app in-process (memory store, direct publisher), keeping every event so tests
 * can read back exactly what the SDK sent. `fetch` is what an SDK transport uses to reach it.
 */
export async function inProcessGateway(env: Record<string, string> = {}) {
  const config = parseConfig({
    INGEST_API_KEYS: `${INGEST_KEY}:acme`,
    QUERY_API_KEYS: `${QUERY_KEY}:acme`,
    PUBLISHER: "direct",
    EVENT_STORE: "memory",
    SAMPLING_NORMAL_RATE: "1",
    ...env,
  });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const sink = new WaitUntilSink(adapters.publisher, metrics, 3, capturingLogger());
  const app = createApp({ config, adapters, sink, metrics });
  const requests: Request[] = [];
  return {
    url: BASE,
    requests,
    fetch: async (request: Request): Promise<Response> => {
      requests.push(request.clone());
      return app.request(request);
    },
    /** Stored events, newest first, once every accepted publish has landed. */
    async events(params: Record<string, string> = {}): Promise<StoredEvent[]> {
      await sink.drain();
      const query = new URLSearchParams({ limit: "200", ...params });
      const response = await app.request(`${BASE}/v1/events?${query}`, { headers: { authorization: `Bearer ${QUERY_KEY}` } });
      if (response.status !== 200) throw new Error(`GET /v1/events answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { events: StoredEvent[] }).events;
    },
  };
}

/** A clock the test moves by hand, so durations are exact without reading the wall clock. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let elapsed = 0;
  return {
    wall: () => startMs + elapsed,
    now: () => elapsed,
    advance: (ms) => {
      elapsed += ms;
    },
  };
}

/** A real HTTP server on loopback answering with `respond`; `bodies` holds what arrived (gunzipped). */
export function localServer(respond: (request: Request, index: number) => Response | Promise<Response>) {
  const bodies: Array<{ encoding: string | null; text: string }> = [];
  let index = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const encoding = request.headers.get("content-encoding");
      const raw = request.body ?? new ReadableStream();
      const text = await new Response(encoding === "gzip" ? raw.pipeThrough(new DecompressionStream("gzip")) : raw).text();
      bodies.push({ encoding, text });
      return respond(request, index++);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, bodies, stop: () => server.stop(true) };
}

/** A loopback port with nothing listening: the gateway is down. */
export async function deadUrl(): Promise<string> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  await server.stop(true);
  return url;
}
