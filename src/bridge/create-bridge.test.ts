import { describe, expect, test } from "bun:test";
import { capturingLogger } from "../log/logger.ts";
import { MetricsRegistry } from "../metrics/registry.ts";
import { type BridgeBackend, BridgeError } from "./backend.ts";
import { createBridge } from "./create-bridge.ts";
import type { ProduceMetadata, ProduceRecord } from "./produce-request.ts";

/** A bridge backend that appends to arrays: the HTTP contract in isolation (Kafka itself is covered in tests/kafka). */
class MemoryBackend implements BridgeBackend {
  readonly name = "bridge:memory";
  readonly logs = new Map<string, ProduceRecord[]>();
  failWith: Error | undefined;

  async produce(records: ProduceRecord[]): Promise<ProduceMetadata[]> {
    if (this.failWith) throw this.failWith;
    return records.map((r) => {
      const log = this.logs.get(r.topic) ?? [];
      this.logs.set(r.topic, log);
      log.push(r);
      return { topic: r.topic, partition: r.partition ?? 0, offset: log.length - 1, timestamp: r.timestamp ?? 1 };
    });
  }
  async topics() {
    return Object.fromEntries([...this.logs.keys()].map((t) => [t, 1]));
  }
  async health() {
    return { ok: true };
  }
  async close() {}
}

const auth = `Basic ${btoa("user:secret")}`;
function setup(maxBodyBytes?: number) {
  const backend = new MemoryBackend();
  const app = createBridge({
    username: "user",
    password: "secret",
    backend,
    metrics: new MetricsRegistry(),
    log: capturingLogger(),
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
  });
  const call = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    app.request(path, {
      method: init.method ?? "POST",
      headers: { authorization: auth, "content-type": "application/json", ...(init.headers as Record<string, string>) },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });
  return { backend, app, call };
}

describe("bridge: Upstash Kafka REST produce API", () => {
  test("POST /produce answers an array of metadata, one per message, in order", async () => {
    const { call, backend } = setup();
    const res = await call("/produce", {
      json: [
        { topic: "a", value: "1", key: "k" },
        { topic: "b", value: "2" },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { topic: "a", partition: 0, offset: 0, timestamp: 1 },
      { topic: "b", partition: 0, offset: 0, timestamp: 1 },
    ]);
    expect(backend.logs.get("a")?.[0]).toEqual({ topic: "a", value: "1", key: "k" });
  });

  test("POST /produce with one object still answers an array (@upstash/kafka's produce() reads [0])", async () => {
    const { call } = setup();
    expect(await (await call("/produce", { json: { topic: "a", value: "1" } })).json()).toEqual([
      { topic: "a", partition: 0, offset: 0, timestamp: 1 },
    ]);
  });

  test("/produce/:topic answers an object for one message and an array for several", async () => {
    const { call } = setup();
    expect(await (await call("/produce/greetings", { json: { value: "hi" } })).json()).toMatchObject({ topic: "greetings", offset: 0 });
    expect(await (await call("/produce/greetings", { json: [{ value: "a" }, { value: "b" }] })).json()).toMatchObject([
      { offset: 1 },
      { offset: 2 },
    ]);
  });

  test("GET /produce/:topic/:message?key= produces the path's message", async () => {
    const { call, backend } = setup();
    const res = await call("/produce/cities/Istanbul?key=city", { method: "GET" });
    expect(await res.json()).toMatchObject({ topic: "cities", offset: 0 });
    expect(backend.logs.get("cities")?.[0]).toEqual({ topic: "cities", value: "Istanbul", key: "city" });
  });

  test("GET /topics lists topics and partition counts", async () => {
    const { call } = setup();
    await call("/produce", { json: { topic: "a", value: "1" } });
    expect(await (await call("/topics", { method: "GET" })).json()).toEqual({ a: 1 });
  });
});

describe("bridge: errors in Upstash's shape {error, status}", () => {
  test.each([
    ["no credentials", undefined],
    ["a wrong password", `Basic ${btoa("user:nope")}`],
    ["a bearer token", "Bearer secret"],
  ])("%s is 401", async (_, authorization) => {
    const { app } = setup();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authorization) headers.authorization = authorization;
    const res = await app.request("/produce", { method: "POST", headers, body: "[]" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "Unauthorized", status: 401 });
  });

  test("invalid JSON and invalid messages are 400 naming the problem", async () => {
    const { app, call } = setup();
    const bad = await app.request("/produce", { method: "POST", headers: { authorization: auth }, body: "{" });
    expect(await bad.json()).toEqual({ error: "body is not valid JSON", status: 400 });
    const res = await call("/produce", { json: [{ topic: "a", value: 1 }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("value must be a string");
  });

  test("a body over the limit is 413", async () => {
    const { call } = setup(1024);
    const res = await call("/produce", { json: [{ topic: "a", value: "x".repeat(2000) }] });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { status: number }).status).toBe(413);
  });

  test("a caller's mistake found by Kafka keeps its status; a backend failure is 500 without a stack", async () => {
    const { call, backend } = setup();
    backend.failWith = new BridgeError("partition 9 out of range: a has 3", 400);
    expect(await (await call("/produce", { json: { topic: "a", value: "1", partition: 9 } })).json()).toEqual({
      error: "partition 9 out of range: a has 3",
      status: 400,
    });
    backend.failWith = new Error("Cannot connect to any broker.");
    const res = await call("/produce", { json: { topic: "a", value: "1" } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "kafka: Cannot connect to any broker.", status: 500 });
  });

  test("consumer endpoints say they are not implemented; unknown paths are 404", async () => {
    const { call } = setup();
    expect((await call("/consume/g/i", { json: { topic: "a" } })).status).toBe(501);
    expect((await call("/nope", { method: "GET" })).status).toBe(404);
  });

  test("/healthz and /readyz answer without credentials", async () => {
    const { app } = setup();
    expect((await app.request("/healthz")).status).toBe(200);
    expect(await (await app.request("/readyz")).json()).toEqual({ status: "ready", checks: { "bridge:memory": { ok: true } } });
  });
});

describe("bridge: Kafka unreachable", () => {
  /** A backend whose client never answers, as the Kafka client does while it retries a stopped broker. */
  class HangingBackend extends MemoryBackend {
    override produce(): Promise<ProduceMetadata[]> {
      return new Promise(() => {});
    }
    override health(): Promise<{ ok: boolean }> {
      return new Promise(() => {});
    }
  }
  const hanging = () =>
    createBridge({
      username: "user",
      password: "secret",
      backend: new HangingBackend(),
      log: capturingLogger(),
      probeTimeoutMs: 20,
      produceTimeoutMs: 50,
    });

  test("/readyz answers 503 once the bounded probe gives up", async () => {
    const res = await hanging().request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "unavailable",
      checks: { "bridge:memory": { ok: false, detail: "no answer within 20 ms" } },
    });
  });

  test("produce answers 503 naming Kafka, in Upstash's error shape", async () => {
    const res = await hanging().request("/produce/a", {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ value: "1" }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "kafka unavailable: no answer within 20 ms", status: 503 });
  });

  test("a produce that is never acknowledged while health passes answers 503 after its deadline", async () => {
    class SilentProduce extends MemoryBackend {
      override produce(): Promise<ProduceMetadata[]> {
        return new Promise(() => {});
      }
    }
    const app = createBridge({
      username: "user",
      password: "secret",
      backend: new SilentProduce(),
      log: capturingLogger(),
      produceTimeoutMs: 30,
    });
    const res = await app.request("/produce/a", {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ value: "1" }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "kafka did not acknowledge within 30 ms", status: 503 });
  });
});
