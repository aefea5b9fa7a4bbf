import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { otlpLogsRequest, otlpProtobuf } from "../../bench/lib/otlp-bodies.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

// Real subprocesses (Bun and workerd); on a loaded machine one start can take seconds.
setDefaultTimeout(60_000);

// Which reader mapped each POST /v1/logs body, as GET /metrics reports it, on both runtimes: an
// SDK-shaped OTLP/JSON body takes the WebAssembly reader, one it declines (an escaped quote) the JS
// mapping, and protobuf the protobuf decoder.
const events = (service: string) =>
  [0, 1, 2].map((i) => ({
    requestId: `${service}-${i}`,
    timestamp: new Date(Date.now() - 1000).toISOString(),
    service,
    route: "/api/pay",
    method: "POST",
    statusCode: 500,
    durationMs: 12,
    region: "eu",
  }));

const jsonBody = (service: string, note?: string) =>
  JSON.stringify(otlpLogsRequest(events(service).map((e) => (note === undefined ? e : { ...e, note }))));

async function post(url: string, body: string | Uint8Array<ArrayBuffer>, contentType: string): Promise<number> {
  const response = await fetch(`${url}/v1/logs`, { method: "POST", headers: { "content-type": contentType }, body });
  await response.body?.cancel();
  return response.status;
}

async function readerCounts(url: string, metric = "widegate_otlp_bodies_total"): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, reader, n] of text.matchAll(new RegExp(`^${metric}\\{reader="(\\w+)"\\} (\\d+)$`, "gm")))
    counts[reader as string] = Number(n);
  return counts;
}

async function postEvents(
  url: string,
  body: string | Uint8Array<ArrayBuffer>,
  contentType = "application/json",
  gzip = false,
): Promise<unknown> {
  const headers: Record<string, string> = { "content-type": contentType, ...(gzip ? { "content-encoding": "gzip" } : {}) };
  const response = await fetch(`${url}/v1/events`, { method: "POST", headers, body });
  expect(response.status).toBe(202);
  return response.json();
}

let bun: RunningServer;
let workerd: RunningWorker;

beforeAll(async () => {
  // A Worker refuses PUBLISHER=memory (nothing drains it there); discard answers the same.
  [bun, workerd] = await Promise.all([spawnServer("edge/bun-server.ts", {}), startWorkerd({ PUBLISHER: "discard" })]);
});
afterAll(async () => {
  await Promise.all([bun?.stop("SIGKILL"), workerd?.stop()]);
});

describe("widegate_otlp_bodies_total{reader}", () => {
  for (const runtime of ["Bun", "workerd"] as const) {
    test(`${runtime}: OTLP/JSON takes the WebAssembly reader, a body it declines the JS mapping, protobuf the decoder`, async () => {
      const url = runtime === "Bun" ? bun.url : workerd.url;
      expect(await post(url, jsonBody("reader-wasm"), "application/json")).toBe(202);
      expect(await post(url, jsonBody("reader-js", 'said "hi"'), "application/json")).toBe(202);
      expect(await post(url, new Uint8Array(otlpProtobuf(otlpLogsRequest(events("reader-proto")))), "application/x-protobuf")).toBe(202);
      expect(await readerCounts(url)).toEqual({ wasm: 1, js: 1, protobuf: 1 });
    });
  }
});

// The same for POST /v1/events: a JSON array takes the WebAssembly skimmer (light events), plain or
// gzipped as the SDK sends large batches; one it declines (an escaped key) JSON.parse; NDJSON its
// line reader. The answers are the same either way.
describe("widegate_event_bodies_total{reader}", () => {
  for (const runtime of ["Bun", "workerd"] as const) {
    test(`${runtime}: a JSON array takes the skimmer, gzipped too, a body it declines JSON.parse, NDJSON the line reader`, async () => {
      const url = runtime === "Bun" ? bun.url : workerd.url;
      const light = events("skim-light");
      const declined = JSON.stringify(events("skim-json")).replace('"region":', '"r\\u0065gion":');
      expect(await postEvents(url, JSON.stringify(light))).toEqual({ accepted: 3, kept: 3, dropped: 0, rejected: [] });
      const gzipped = new Uint8Array(Bun.gzipSync(JSON.stringify(events("skim-gzip"))));
      expect(await postEvents(url, gzipped, "application/json", true)).toEqual({ accepted: 3, kept: 3, dropped: 0, rejected: [] });
      expect(await postEvents(url, declined)).toEqual({ accepted: 3, kept: 3, dropped: 0, rejected: [] });
      expect(
        await postEvents(
          url,
          events("skim-ndjson")
            .map((e) => JSON.stringify(e))
            .join("\n"),
          "application/x-ndjson",
        ),
      ).toEqual({
        accepted: 3,
        kept: 3,
        dropped: 0,
        rejected: [],
      });
      expect(await readerCounts(url, "widegate_event_bodies_total")).toEqual({ light: 2, json: 1, ndjson: 1 });
    });
  }
});
