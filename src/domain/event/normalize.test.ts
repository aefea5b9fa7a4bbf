import { describe, expect, test } from "bun:test";
import type { OutboundEvent } from "../../ports/publisher.ts";
import { completeEvent, createNormalizeContext, deriveEventId, normalizeBody, normalizeEvent, type WideEvent } from "./normalize.ts";
import { parseBody } from "./parse-body.ts";

const T0 = Date.UTC(2026, 10, 26, 3);

function run(text: string, now = T0) {
  let n = 0;
  const ctx = createNormalizeContext({ tenant: "acme", now: () => now, newId: () => `gen-${n++}` });
  const parsed = parseBody(text, "application/json");
  if (!parsed.ok) throw new Error(parsed.message);
  return batchOf(normalizeBody(parsed, ctx));
}

/** The batch with every event completed, as the route completes the ones it keeps. */
function batchOf(result: ReturnType<typeof normalizeBody>) {
  if (!result.ok) throw new Error(result.message);
  return { ...result, events: result.events.map(({ index, event }) => ({ index, event: completeEvent(event) })) };
}

describe("gateway fields", () => {
  test("tenant and receivedAt are set by the gateway, overriding what was sent", () => {
    const [first] = run('{"service":"s","tenant":"evil","receivedAt":"2001-01-01T00:00:00Z"}').events;
    expect(first?.event).toMatchObject({ tenant: "acme", receivedAt: "2026-11-26T03:00:00.000Z" });
  });

  test("requestId is generated when absent, null or empty", () => {
    const { events } = run('[{"service":"s"},{"service":"s","requestId":null},{"service":"s","requestId":""}]');
    expect(events.map((e) => e.event.requestId)).toEqual(["gen-0", "gen-1", "gen-2"]);
  });

  test("the default id generator makes UUIDs", () => {
    const result = normalizeEvent({ service: "s" }, createNormalizeContext({ tenant: "t" }));
    expect(result.ok && result.event.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a given eventId is kept", () => {
    expect(run('{"service":"s","eventId":"mine"}').events[0]?.event.eventId).toBe("mine");
  });

  test("eventId is murmur3 of requestId, timestamp and service", () => {
    const event = run('{"service":"s","requestId":"r1","timestamp":"2026-11-26T03:00:00Z"}').events[0]?.event;
    expect(event?.eventId).toBe(deriveEventId("r1", "2026-11-26T03:00:00.000Z", "s"));
    expect(event?.eventId).toMatch(/^[0-9a-f]{32}$/);
  });

  test("eventId is the same when the same text is parsed twice, even received later", () => {
    const text =
      '[{"service":"s","requestId":"r1","timestamp":"2026-11-26T03:00:00Z"},{"service":"s","requestId":"r2","timestamp":1764126000000}]';
    const a = run(text, T0).events.map((e) => e.event.eventId);
    const b = run(text, T0 + 60_000).events.map((e) => e.event.eventId);
    expect(a).toEqual(b);
    expect(a[0]).not.toBe(a[1]);
  });

  test("eventId differs when only the timestamp differs", () => {
    const a = run('{"service":"s","requestId":"r1","timestamp":"2026-11-26T03:00:00Z"}').events[0]?.event.eventId;
    const b = run('{"service":"s","requestId":"r1","timestamp":"2026-11-26T03:00:00.001Z"}').events[0]?.event.eventId;
    expect(a).not.toBe(b);
  });

  test("a normalised event is an OutboundEvent", () => {
    const event: WideEvent | undefined = run('{"service":"s"}').events[0]?.event;
    const outbound: OutboundEvent | undefined = event;
    expect(outbound?.eventId).toBeString();
  });
});

describe("normalizeBody", () => {
  test("a derived eventId is left to completeEvent; a given one is kept", () => {
    const parsed = parseBody('[{"service":"s","requestId":"r1"},{"service":"s","eventId":"mine"}]', "application/json");
    if (!parsed.ok) throw new Error(parsed.message);
    const batch = normalizeBody(parsed, createNormalizeContext({ tenant: "t", now: () => T0 }));
    if (!batch.ok) throw new Error(batch.message);
    expect(batch.events.map((e) => e.event.eventId)).toEqual([undefined, "mine"]);
    const first = batch.events[0]?.event;
    if (first === undefined) throw new Error("no event");
    expect(completeEvent(first).eventId).toBe(deriveEventId("r1", "2026-11-26T03:00:00.000Z", "s"));
  });

  test("an empty eventId counts as none and is derived", () => {
    const [first] = run('{"service":"s","requestId":"r1","eventId":""}').events;
    expect(first?.event.eventId).toBe(deriveEventId("r1", "2026-11-26T03:00:00.000Z", "s"));
  });

  test("a mixed batch keeps the good events and reports the bad ones by index, in order", () => {
    const text = '[{"service":"a"}, 42, {"route":"/no-service"}, {"service":"d","statusCode":"x"}, {"service":"e"}]';
    const batch = run(text);
    expect(batch.events.map((e) => [e.index, e.event.service])).toEqual([
      [0, "a"],
      [4, "e"],
    ]);
    expect(batch.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
  });

  test("parse-time rejections are merged with validation rejections by index", () => {
    let n = 0;
    const ctx = createNormalizeContext({ tenant: "t", newId: () => `g${n++}` });
    const parsed = parseBody('{"service":"a"}\nnot json\n{"x":1}\n{"service":"d"}', "application/x-ndjson");
    if (!parsed.ok) throw new Error(parsed.message);
    const batch = batchOf(normalizeBody(parsed, ctx));
    expect(batch.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, "INVALID_JSON"],
      [2, "INVALID_EVENT"],
    ]);
    expect(batch.events.map((e) => e.index)).toEqual([0, 3]);
  });
});
