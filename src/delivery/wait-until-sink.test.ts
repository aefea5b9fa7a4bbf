import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { UpstashKafkaPublisher } from "../adapters/kafka/upstash-kafka-publisher.ts";
import { capturingLogger } from "../log/logger.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import type { OutboundEvent } from "../ports/publisher.ts";
import { WaitUntilSink } from "./wait-until-sink.ts";

/**
 * The Workers sink's budget and circuit, publishing with @upstash/kafka to a local HTTP server that
 * answers as a misconfigured or stalled bridge would (the only stand-in: no bridge can be made to hang).
 */

type Mode = "ok" | "auth" | "hang" | "bad-request" | "held";
let mode: Mode = "ok";
/** In "held" mode produce requests wait for this; the test releases them. */
let held: Promise<void> = Promise.resolve();
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const url = new URL(request.url);
    if (mode === "auth") return Response.json({ error: "Unauthorized", status: 401 }, { status: 401 });
    if (mode === "hang" && url.pathname === "/produce") return new Promise<Response>(() => {});
    if (mode === "held" && url.pathname === "/produce") await held;
    if (mode === "bad-request" && url.pathname === "/produce") return Response.json({ error: "too large", status: 400 }, { status: 400 });
    if (url.pathname === "/topics") return Response.json({ t: 1 });
    const records = (await request.json()) as unknown[];
    return Response.json(records.map((_, offset) => ({ topic: "t", partition: 0, offset, timestamp: 0 })));
  },
});
afterAll(() => server.stop(true));
beforeEach(() => {
  mode = "ok";
});

const events: OutboundEvent[] = [{ eventId: "e1", requestId: "r1", service: "payment" }];

function sink(bounds: { budgetMs: number; coolDownMs: number; maxInFlightRecords?: number } = { budgetMs: 20_000, coolDownMs: 10_000 }) {
  const publisher = new UpstashKafkaPublisher({
    url: `http://127.0.0.1:${server.port}`,
    username: "u",
    password: "p",
    topic: "t",
    retries: 0,
    requestTimeoutMs: 100,
  });
  const metrics = new MetricsRegistry();
  const log = capturingLogger();
  const lost = (reason: string) => metrics.value("widegate_publish_lost_events_total", { publisher: publisher.name, reason });
  const failures = () => metrics.value("widegate_publish_failures_total", { publisher: publisher.name });
  return { sink: new WaitUntilSink(publisher, metrics, 3, log, bounds), lost, failures, log };
}

describe("WaitUntilSink with the upstash-kafka publisher", () => {
  test("a 401 is tried once, counted lost with reason auth, and logged naming the credentials", async () => {
    mode = "auth";
    const s = sink();
    s.sink.submit([...events]);
    await s.sink.drain();
    expect(s.failures()).toBe(1);
    expect(s.lost("auth")).toBe(1);
    expect(s.log.text()).toContain("UPSTASH_KAFKA_REST_PASSWORD");
  });

  test("a bridge that never answers is counted lost with reason timeout once the attempts are spent", async () => {
    mode = "hang";
    const s = sink();
    s.sink.submit([...events]);
    await s.sink.drain();
    expect(s.failures()).toBe(3);
    expect(s.lost("timeout")).toBe(1);
  });

  test("what the budget cannot fit is counted lost with reason timeout", async () => {
    mode = "hang";
    const s = sink({ budgetMs: 50, coolDownMs: 10_000 }); // shorter than one request's own timeout
    s.sink.submit([...events]);
    await s.sink.drain();
    expect(s.lost("timeout")).toBe(1);
    expect(s.log.text()).toContain("budget");
  });

  test("after a loss, refusal() keeps ingest refused until the publisher's health check passes", async () => {
    mode = "auth";
    const s = sink({ budgetMs: 20_000, coolDownMs: 0 });
    s.sink.submit([...events]);
    await s.sink.drain();
    expect((await s.sink.refusal())?.message).toContain("401");
    mode = "ok";
    expect(await s.sink.refusal()).toBeUndefined();
  });

  test("a refused record (a 4xx other than auth) is lost without refusing later requests", async () => {
    mode = "bad-request";
    const s = sink();
    s.sink.submit([...events]);
    await s.sink.drain();
    expect(s.lost("refused")).toBe(1);
    expect(s.failures()).toBe(1);
    expect(await s.sink.refusal()).toBeUndefined();
  });

  test("a publish that succeeds counts nothing lost and refuses nothing", async () => {
    const s = sink();
    s.sink.submit([...events]);
    await s.sink.drain();
    expect(s.lost("auth") + s.lost("timeout") + s.lost("network")).toBe(0);
    expect(await s.sink.refusal()).toBeUndefined();
  });

  test("past maxInFlightRecords, room() refuses with a Retry-After until the publishes finish", async () => {
    mode = "held";
    let release = () => {};
    held = new Promise<void>((r) => {
      release = r;
    });
    const s = sink({ budgetMs: 20_000, coolDownMs: 10_000, maxInFlightRecords: 3 });
    const three = Array.from({ length: 3 }, (_, i) => ({ eventId: `e${i}`, requestId: `r${i}`, service: "payment" }));
    expect(s.sink.room(3).ok).toBe(true);
    s.sink.submit(three);
    const refused = s.sink.room(1);
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 1, reason: "3 records still publishing" });
    release();
    await s.sink.drain();
    expect(s.sink.room(3).ok).toBe(true);
    expect(s.lost("timeout") + s.lost("network")).toBe(0);
  });

  test("an idle isolate takes a request larger than maxInFlightRecords", () => {
    const s = sink({ budgetMs: 20_000, coolDownMs: 10_000, maxInFlightRecords: 3 });
    expect(s.sink.room(5000).ok).toBe(true);
  });
});
