import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type SearchHarness, startSearchApp } from "./harness.ts";

/** POST /v1/search and the session routes refuse what they cannot use, with a JSON error and a 4xx. */

let h: SearchHarness;
beforeAll(async () => {
  h = await startSearchApp();
});
afterAll(async () => {
  await h.close();
});

const post = (body: string, type = "application/json") =>
  h.request("/v1/search", { method: "POST", headers: { "content-type": type }, body });

async function expectError(response: Response, status: number, code: string, message?: string): Promise<void> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toContain(message);
}

describe("POST /v1/search: bad requests", () => {
  test("not JSON by content type: 415", async () => {
    await expectError(await post('{"question":"hi"}', "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  test("unparseable JSON: 400", async () => {
    await expectError(await post('{"question": "hi"'), 400, "INVALID_JSON");
  });

  test.each<[string, unknown, string]>([
    ["no question", {}, "question"],
    ["a blank question", { question: "   " }, "question: must not be empty"],
    ["a question that is not text", { question: 42 }, "question"],
    ["a question over 2000 characters", { question: "a".repeat(2001) }, "at most 2000"],
    ["control characters", { question: "errors\u0000today" }, "control characters"],
    ["an unknown field", { question: "hi", model: "gpt-4" }, "model"],
    ["a sessionId with path characters", { question: "hi", sessionId: "../../etc/passwd" }, "sessionId"],
    ["a sessionId that is too short", { question: "hi", sessionId: "abc" }, "sessionId"],
    ["a sessionId that is too long", { question: "hi", sessionId: "a".repeat(65) }, "sessionId"],
    ["an array body", [{ question: "hi" }], "body"],
  ])("%s: 400", async (_name, body, message) => {
    await expectError(await post(JSON.stringify(body)), 400, "INVALID_REQUEST", message);
  });

  test("a body over 16 KiB: 413", async () => {
    await expectError(await post(JSON.stringify({ question: "x", pad: "y".repeat(17 * 1024) })), 413, "PAYLOAD_TOO_LARGE", "16384");
  });

  test("a question of exactly 2000 characters is fine", async () => {
    expect((await post(JSON.stringify({ question: `how many errors ${"x".repeat(1984)}` }))).status).toBe(200);
  });
});

describe("session routes: bad requests", () => {
  test("a bad limit: 400", async () => {
    await expectError(await h.request("/v1/search/sessions?limit=0"), 400, "INVALID_PARAMETER");
    await expectError(await h.request("/v1/search/sessions?limit=abc"), 400, "INVALID_PARAMETER");
  });

  test("a bad or unknown session id: 400 / 404", async () => {
    await expectError(await h.request("/v1/search/sessions/a$b"), 400, "INVALID_PARAMETER");
    await expectError(await h.request("/v1/search/sessions/never-asked-1"), 404, "NOT_FOUND");
  });
});
