/**
 * A local OpenAI-compatible server for tests: POST /v1/chat/completions answers from a script,
 * one reply per request, then `fallback`. It is the only stand-in in the suite (no model is
 * reachable here); everything else talks to real servers.
 */

export type FakeReply =
  /** A chat completion whose message content is this text (JSON or not). */
  | { content: string; delayMs?: number }
  | { refusal: string }
  /** An HTTP error status with an OpenAI-style error body (or `body` as is). */
  | { status: number; body?: string }
  /** HTTP 200 with a body that is not a completion at all. */
  | { rawBody: string };

export interface RecordedRequest {
  authorization: string | null;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  };
}

export interface FakeOpenAi {
  /** For OPENAI_BASE_URL: ends in /v1. */
  baseURL: string;
  requests: RecordedRequest[];
  script(...replies: FakeReply[]): void;
  stop(): Promise<void>;
}

function completion(message: { content: string | null; refusal: string | null }): Response {
  return Response.json({
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "fake-model",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

export function startFakeOpenAi(fallback: FakeReply = { status: 503 }): FakeOpenAi {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (new URL(request.url).pathname !== "/v1/chat/completions" || request.method !== "POST") {
        return Response.json({ error: { message: "not found" } }, { status: 404 });
      }
      requests.push({ authorization: request.headers.get("authorization"), body: (await request.json()) as RecordedRequest["body"] });
      const reply = queue.shift() ?? fallback;
      if ("status" in reply) {
        return new Response(reply.body ?? JSON.stringify({ error: { message: "scripted failure", type: "server_error" } }), {
          status: reply.status,
          headers: { "content-type": "application/json" },
        });
      }
      if ("rawBody" in reply) return new Response(reply.rawBody, { headers: { "content-type": "application/json" } });
      if ("refusal" in reply) return completion({ content: null, refusal: reply.refusal });
      if (reply.delayMs) await Bun.sleep(reply.delayMs);
      return completion({ content: reply.content, refusal: null });
    },
  });
  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    stop: async () => {
      await server.stop(true);
    },
  };
}

export const NULL_ENTITY = { service: null, route: null, statusCode: null, errorCode: null, method: null, hasError: null };

/** A well-formed STATISTICAL reply, with overrides for the parts a test wants to break. */
export function statReply(
  statQuery: Record<string, unknown> = {},
  filter: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return {
    intent: "STATISTICAL",
    conversation: null,
    ranking: null,
    search: null,
    unresolved: [],
    statQuery: {
      metric: "count",
      field: null,
      filter: { ...NULL_ENTITY, ...filter },
      timeRange: { last: "1h", from: null, to: null },
      groupBy: null,
      bucket: null,
      limit: null,
      ...statQuery,
    },
    ...extra,
  };
}

export function searchReply(search: Record<string, unknown> = {}) {
  return {
    intent: "SEARCH",
    conversation: null,
    ranking: null,
    statQuery: null,
    unresolved: [],
    search: { ...NULL_ENTITY, text: null, timeRange: null, limit: null, ...search },
  };
}
