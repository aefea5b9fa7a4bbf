import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { deriveEventId } from "../../src/domain/event/normalize.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";

// The route derives eventIds only for events it keeps (see completeEvent); these pin that nothing
// observable changes: stored ids, explained ids and rules that read eventId all see the derived id.

const TS = "2026-11-26T03:00:00.000Z";
const events = Array.from({ length: 400 }, (_, i) => ({ service: "cart", requestId: `ids-${i}`, timestamp: TS, statusCode: 200 }));
const post = (server: RunningServer, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("derived eventIds at the ingest route", () => {
  let server: RunningServer;
  let byRule: RunningServer;
  beforeAll(async () => {
    [server, byRule] = await Promise.all([
      spawnServer("edge/bun-server.ts", { EVENT_STORE: "memory", SAMPLING_NORMAL_RATE: "0.25" }),
      spawnServer("edge/bun-server.ts", {
        EVENT_STORE: "memory",
        SAMPLING_NORMAL_RATE: "0",
        SAMPLING_RULES: JSON.stringify([{ name: "by-id", rate: 1, when: [{ field: "eventId", op: "prefix", value: "a" }] }]),
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop("SIGKILL"), byRule?.stop("SIGKILL")]);
  });

  test("?explain shows the derived id of every event, dropped ones included", async () => {
    const res = await post(server, "/v1/events?explain=1", events);
    const body = (await res.json()) as { decisions: { index: number; eventId: string; kept: boolean }[] };
    expect(body.decisions.some((d) => !d.kept)).toBe(true);
    for (const d of body.decisions) expect(d.eventId).toBe(deriveEventId(`ids-${d.index}`, TS, "cart"));
  });

  test("kept events are stored with their derived id", async () => {
    const res = await post(server, "/v1/events", events);
    const { kept } = (await res.json()) as { kept: number };
    expect(kept).toBeGreaterThan(0);
    let stored: { requestId: string; eventId: string }[] = [];
    for (let i = 0; i < 100 && stored.length < kept; i++) {
      const page = (await (
        await fetch(`${server.url}/v1/events?service=cart&limit=200&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z`)
      ).json()) as { events: typeof stored };
      if (!Array.isArray(page.events)) throw new Error(JSON.stringify(page));
      stored = page.events;
      await Bun.sleep(20);
    }
    // The explain request above stored the same events, plus (at most) one EXEMPLAR this one no longer needs.
    expect(stored.length).toBeGreaterThanOrEqual(kept);
    expect(stored.length).toBeLessThanOrEqual(kept + 1);
    for (const e of stored) expect(e.eventId).toBe(deriveEventId(e.requestId, TS, "cart"));
  });

  test("a sampling rule on eventId sees the derived id without ?explain", async () => {
    const expected = events.filter((e) => deriveEventId(e.requestId, TS, "cart").startsWith("a")).length;
    expect(expected).toBeGreaterThan(0);
    const res = await post(byRule, "/v1/events", events);
    expect(await res.json()).toMatchObject({ accepted: events.length, kept: expected });
  });
});
