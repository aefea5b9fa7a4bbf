import { describe, expect, test } from "bun:test";
import { runToExit, spawnServer } from "../support/spawn-server.ts";

describe("all-in-one server (bun start)", () => {
  test("starts with no env and answers /healthz and /readyz", async () => {
    const server = await spawnServer("edge/bun-server.ts");
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
      expect(body.status).toBe("ready");
      expect(Object.keys(body.checks).sort()).toEqual(["event-store:embedded", "publisher:memory", "session-cache:memory"]);
      expect(Object.values(body.checks).every((check) => check.ok)).toBe(true);
    } finally {
      await server.stop("SIGKILL");
    }
  });

  test("announces open dev mode when no API keys are set", async () => {
    const server = await spawnServer("edge/bun-server.ts");
    await server.stop("SIGKILL");
    expect(server.output()).toContain("OPEN DEV MODE");
  });

  test("unknown routes get a JSON 404", async () => {
    const server = await spawnServer("edge/bun-server.ts");
    try {
      const response = await fetch(`${server.url}/nope`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: "no route for GET /nope" } });
    } finally {
      await server.stop("SIGKILL");
    }
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} drains, closes clients and exits 0`, async () => {
      const server = await spawnServer("edge/bun-server.ts");
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const code = await server.stop(signal);
      expect(code).toBe(0);
      expect(server.output()).toContain(`${signal}: draining`);
      expect(server.output()).toContain("stopped cleanly");
    });
  }
});

describe("start-up refuses bad configuration with one line naming the variable", () => {
  const cases: [Record<string, string>, string][] = [
    [{ EVENT_STORE: "postgres" }, "EVENT_STORE=postgres"],
    [{ PUBLISHER: "upstash-kafka" }, "UPSTASH_KAFKA_REST_URL"],
    [{ SESSION_CACHE_TYPE: "redis" }, "REDIS_URL"],
    [{ PORT: "99999" }, "PORT=99999"],
    [{ SAMPLING_RULES: "not json" }, "SAMPLING_RULES"],
  ];
  for (const [env, variable] of cases) {
    test(`${Object.entries(env)[0]?.join("=")} → names ${variable}`, async () => {
      const { code, stderr, stdout } = await runToExit("edge/bun-server.ts", env);
      expect(code).toBe(78);
      expect(stdout).not.toContain("listening");
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(variable);
    });
  }
});
