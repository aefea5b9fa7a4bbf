import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "../domain/event/limits.ts";
import { parseRequestBody } from "./parse-request.ts";

function streamOf(chunks: string[], stats = { pulled: 0, cancelled: false }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const queue = [...chunks];
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) return controller.close();
      stats.pulled++;
      controller.enqueue(encoder.encode(next));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
}

describe("parseRequestBody", () => {
  test("a JSON array body is read and parsed", async () => {
    const result = await parseRequestBody({ body: streamOf(['[{"service":"a"},', '{"service":"b"}]']), contentType: "application/json" });
    expect(result.ok && result.items.length).toBe(2);
  });

  test("an unsupported content type is 415 and the body is not read", async () => {
    const stats = { pulled: 0, cancelled: false };
    const result = await parseRequestBody({ body: streamOf(["{}"], stats), contentType: "text/plain" });
    expect(result).toMatchObject({ ok: false, status: 415 });
    expect(stats).toEqual({ pulled: 0, cancelled: true });
  });

  test("a Content-Length over the cap is 413 and the body is not read", async () => {
    const stats = { pulled: 0, cancelled: false };
    const result = await parseRequestBody({ body: streamOf(["{}"], stats), contentType: "application/json", contentLength: "99999999" });
    expect(result).toMatchObject({ ok: false, status: 413, code: "BODY_TOO_LARGE" });
    expect(stats.pulled).toBe(0);
  });

  test("NDJSON is parsed line by line with bad and oversized lines rejected by index", async () => {
    const limits = { ...DEFAULT_LIMITS, maxEventBytes: 64 };
    const body = streamOf(['{"service":"a"}\n{bad\n', `{"pad":"${"y".repeat(100)}"}\n`, '{"service":"d"}']);
    const result = await parseRequestBody({ body, contentType: "application/x-ndjson" }, limits);
    if (!result.ok) throw new Error(result.message);
    expect(result.items.map((i) => i.index)).toEqual([0, 3]);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, "INVALID_JSON"],
      [2, "EVENT_TOO_LARGE"],
    ]);
  });

  test("a too-deep NDJSON line stops reading and cancels the stream", async () => {
    const stats = { pulled: 0, cancelled: false };
    const deep = `${"[".repeat(40)}${"]".repeat(40)}`;
    const body = streamOf(['{"service":"a"}\n', `${deep}\n`, '{"service":"c"}\n', '{"service":"d"}\n'], stats);
    const result = await parseRequestBody({ body, contentType: "application/x-ndjson" });
    expect(result).toMatchObject({ ok: false, status: 400, code: "TOO_DEEP" });
    expect(stats.cancelled).toBe(true);
    expect(stats.pulled).toBeLessThan(4);
  });

  test("more NDJSON lines than maxEvents is 413", async () => {
    const limits = { ...DEFAULT_LIMITS, maxEvents: 2 };
    const result = await parseRequestBody({ body: streamOf(["{}\n{}\n{}\n"]), contentType: "application/x-ndjson" }, limits);
    expect(result).toMatchObject({ ok: false, status: 413, code: "TOO_MANY_EVENTS" });
  });

  test("an empty NDJSON body is 400 EMPTY_BODY", async () => {
    const result = await parseRequestBody({ body: streamOf(["\n \n"]), contentType: "application/x-ndjson" });
    expect(result).toMatchObject({ ok: false, status: 400, code: "EMPTY_BODY" });
  });

  test("works with a real Request body", async () => {
    const request = new Request("http://x/v1/events", {
      method: "POST",
      body: '{"service":"a"}',
      headers: { "content-type": "application/json" },
    });
    const result = await parseRequestBody({
      body: request.body,
      contentType: request.headers.get("content-type"),
      contentLength: request.headers.get("content-length"),
    });
    expect(result.ok && result.items).toEqual([{ index: 0, value: { service: "a" } }]);
  });
});
