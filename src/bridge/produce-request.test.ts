import { describe, expect, test } from "bun:test";
import { isValidTopic, MAX_MESSAGE_BYTES, MAX_MESSAGES_PER_REQUEST, parseProduceBody } from "./produce-request.ts";

describe("parseProduceBody", () => {
  test("variant 3: topic inside each message, as @upstash/kafka's produceMany sends it", () => {
    const body = [
      { topic: "wide-events", key: "r1", value: '{"a":1}' },
      { topic: "other", value: "x", partition: 2, timestamp: 1_700_000_000_000, headers: [{ key: "h", value: "v" }] },
    ];
    expect(parseProduceBody(body)).toEqual({
      ok: true,
      single: false,
      records: [
        { topic: "wide-events", key: "r1", value: '{"a":1}' },
        { topic: "other", value: "x", partition: 2, timestamp: 1_700_000_000_000, headers: [{ key: "h", value: "v" }] },
      ],
    });
  });

  test("a single object is one record and remembered as single", () => {
    expect(parseProduceBody({ topic: "t", value: "v" })).toEqual({ ok: true, single: true, records: [{ topic: "t", value: "v" }] });
  });

  test("variant 2: the path's topic wins over a topic in the body", () => {
    const parsed = parseProduceBody([{ value: "a" }, { value: "b", topic: "ignored" }], "greetings");
    expect(parsed.ok && parsed.records.map((r) => r.topic)).toEqual(["greetings", "greetings"]);
  });

  test("null optional fields count as absent", () => {
    expect(parseProduceBody({ topic: "t", value: "v", key: null, partition: null, headers: null })).toEqual({
      ok: true,
      single: true,
      records: [{ topic: "t", value: "v" }],
    });
  });

  test.each([
    ["a non-string value", { topic: "t", value: { a: 1 } }, "value must be a string"],
    ["a missing topic", { value: "v" }, "topic"],
    ["an illegal topic name", { topic: "a b", value: "v" }, "topic"],
    ["a numeric key", { topic: "t", value: "v", key: 1 }, "key must be a string"],
    ["a negative partition", { topic: "t", value: "v", partition: -1 }, "partition"],
    ["a fractional timestamp", { topic: "t", value: "v", timestamp: 1.5 }, "timestamp"],
    ["headers that are not pairs", { topic: "t", value: "v", headers: [{ key: "h" }] }, "header"],
    ["a bare string", "hello", "expected a JSON object"],
  ])("%s is refused with the message's index", (_, body, error) => {
    const parsed = parseProduceBody(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toContain("message 0");
      expect(parsed.error).toContain(error);
    }
  });

  test("a value over the message size limit is refused; one just under passes", () => {
    const over = parseProduceBody({ topic: "t", value: "é".repeat(MAX_MESSAGE_BYTES / 2 + 1) });
    expect(over.ok === false && over.error).toContain(`larger than ${MAX_MESSAGE_BYTES} bytes`);
    expect(parseProduceBody({ topic: "t", value: "x".repeat(MAX_MESSAGE_BYTES) }).ok).toBe(true);
  });

  test("too many messages in one request are refused whole", () => {
    const body = Array.from({ length: MAX_MESSAGES_PER_REQUEST + 1 }, () => ({ topic: "t", value: "v" }));
    const parsed = parseProduceBody(body);
    expect(parsed.ok).toBe(false);
  });

  test("topic names follow Kafka's rules", () => {
    expect(isValidTopic("wide-events.v1_x")).toBe(true);
    for (const bad of ["", ".", "..", "a/b", "x".repeat(250), "ü"]) expect(isValidTopic(bad)).toBe(false);
  });
});
