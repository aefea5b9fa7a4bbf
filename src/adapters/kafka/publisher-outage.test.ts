import { afterAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { FallbackPublisher } from "../../delivery/fallback-publisher.ts";
import { MemoryPublisher } from "../memory/memory-publisher.ts";
import { NativeKafkaPublisher } from "./native-kafka-publisher.ts";
import { UpstashKafkaPublisher } from "./upstash-kafka-publisher.ts";

/** A backend that accepts connections and never answers: the hung case, not the refused one. */
async function hungServer(): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const { port, server } = await hungServer();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const event = { eventId: "e1", requestId: "r1", service: "s" };
const cleanup: Array<() => void> = [];
afterAll(() => {
  for (const fn of cleanup) fn();
});

describe("a down backend makes publish fail, so the fallback circuit opens", () => {
  test("native kafka with the broker refusing connections rejects instead of retrying forever", async () => {
    const publisher = new NativeKafkaPublisher({ brokers: [`127.0.0.1:${await closedPort()}`], topic: "outage" });
    await expect(publisher.publish([event])).rejects.toThrow();
    await publisher.close().catch(() => {});
  });

  test("upstash-kafka with a hung bridge times out", async () => {
    const hung = await hungServer();
    cleanup.push(() => {
      for (const s of hung.sockets) s.destroy();
      hung.server.close();
    });
    const publisher = new UpstashKafkaPublisher({
      url: `http://127.0.0.1:${hung.port}`,
      username: "u",
      password: "p",
      topic: "outage",
      requestTimeoutMs: 300,
      retries: 0,
    });
    await expect(publisher.publish([event])).rejects.toThrow("no answer within 300 ms");
  });

  test("a hung upstash-kafka primary hands the batch to the fallback", async () => {
    const hung = await hungServer();
    cleanup.push(() => {
      for (const s of hung.sockets) s.destroy();
      hung.server.close();
    });
    const primary = new UpstashKafkaPublisher({
      url: `http://127.0.0.1:${hung.port}`,
      username: "u",
      password: "p",
      topic: "t",
      requestTimeoutMs: 300,
      retries: 0,
    });
    const fallback = new MemoryPublisher();
    await new FallbackPublisher(primary, [fallback], { log: { info() {}, warn() {}, error() {} } }).publish([event]);
    expect(fallback.take(10)).toEqual([event]);
  });
});
