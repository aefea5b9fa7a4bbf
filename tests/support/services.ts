import { describe, test } from "bun:test";
import { connect } from "node:net";

/** In CI (CI=true) or with REQUIRE_SERVICES=1 a missing service fails the run; elsewhere its suite is skipped, loudly. */
export const servicesRequired = process.env.CI === "true" || process.env.REQUIRE_SERVICES === "1";

/** Where the project's service scripts put each server (override with the same env the app reads). */
export const serviceEnv = {
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL ?? "http://127.0.0.1:8079",
  UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN ?? "local-dev-token",
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
  MONGODB_URI: process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017",
};

export type ServiceName = "redis" | "upstash-redis" | "kafka" | "ferretdb";

export function tcpReachable(hostPort: string, timeoutMs = 1000): Promise<boolean> {
  const [host = "127.0.0.1", port = "0"] =
    hostPort
      .replace(/^\w+:\/\//, "")
      .split("/")[0]
      ?.split(":") ?? [];
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Polls until something accepts connections on `address` (host:port), or throws after `timeoutMs`. */
export async function waitForPort(address: string, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tcpReachable(address, 300))) {
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${address}`);
    await Bun.sleep(everyMs);
  }
}

const probes: Record<ServiceName, () => Promise<boolean>> = {
  redis: () => tcpReachable(serviceEnv.REDIS_URL),
  "upstash-redis": () => tcpReachable(serviceEnv.UPSTASH_REDIS_REST_URL),
  kafka: () => tcpReachable(serviceEnv.KAFKA_BROKERS.split(",")[0] ?? ""),
  ferretdb: () => tcpReachable(serviceEnv.MONGODB_URI),
};

/**
 * `describe` for a suite that needs real servers. Missing servers: one loud line and a skip, or,
 * when services are required, a failing test that names the service and how to start it.
 */
export async function describeWithServices(names: ServiceName[], title: string, body: () => void): Promise<void> {
  const missing: ServiceName[] = [];
  for (const name of names) if (!(await probes[name]())) missing.push(name);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  const how = `start them with: npm run services:up -- ${missing.join(" ")}`;
  if (servicesRequired) {
    describe(title, () => {
      test(`required services are reachable (${missing.join(", ")})`, () => {
        throw new Error(`service(s) not reachable: ${missing.join(", ")}; ${how}`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPED "${title}": service(s) not reachable: ${missing.join(", ")} (${how})\n`);
  describe.skip(title, body);
}

/** A name no other test run will use, so suites never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Debian's Chromium for browser tests of pages (scripts/install-chromium.sh installs it). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** `describe` for a suite that drives a real browser: skipped loudly without Chromium, failing in CI. */
export async function describeWithBrowser(title: string, body: () => void): Promise<void> {
  if (await Bun.file(chromiumPath).exists()) {
    describe(title, body);
    return;
  }
  const how = "install it with: bash scripts/install-chromium.sh";
  if (servicesRequired) {
    describe(title, () => {
      test("Chromium is installed", () => {
        throw new Error(`${chromiumPath} not found; ${how}`);
      });
    });
    return;
  }
  console.warn(`\n!!! SKIPPED "${title}": ${chromiumPath} not found (${how})\n`);
  describe.skip(title, body);
}
