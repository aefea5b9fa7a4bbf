import { planToReply } from "../../src/domain/question/plan-reply.ts";
import { planWithRules } from "../../src/domain/question/rules-parser.ts";
import type { FieldInfo, PriorTurn, Vocabulary } from "../../src/domain/question/types.ts";

/**
 * An OpenAI-compatible server whose "model" answers every question the way a careful model would
 * be scripted to: it plans with the rules parser, but only over the candidates the gateway offered
 * in the request's JSON schema, from the question, clock and recent turns in the user message. The
 * evaluation run through it measures the openai path itself: candidate retrieval, the prompt's
 * inputs, reply validation and the answers, independent of any real model's quality.
 */

type Json = unknown;

/** The enum of the first property called `name` anywhere in the schema. */
function enumOf(schema: Json, name: string): string[] {
  const stack: Json[] = [schema];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== "object") continue;
    const props = (node as { properties?: Record<string, Json> }).properties;
    const found = props?.[name];
    if (found) {
      const values = findEnum(found);
      if (values) return values;
    }
    for (const value of Object.values(node as Record<string, Json>)) stack.push(value);
  }
  return [];
}

function findEnum(node: Json): string[] | undefined {
  if (!node || typeof node !== "object") return undefined;
  const e = (node as { enum?: unknown[] }).enum;
  if (Array.isArray(e)) return e.filter((v): v is string => typeof v === "string");
  for (const key of ["anyOf", "oneOf"]) {
    for (const option of ((node as Record<string, Json[]>)[key] ?? []) as Json[]) {
      const values = findEnum(option);
      if (values) return values;
    }
  }
  return undefined;
}

interface UserMessage {
  now: string;
  timezoneOffsetMinutes: number;
  recentTurns: PriorTurn[];
  attributes?: FieldInfo[];
  question: string;
}

export interface ScriptedOpenAi {
  baseURL: string;
  calls: number;
  stop(): Promise<void>;
}

export function startScriptedOpenAi(): ScriptedOpenAi {
  const state = { calls: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      state.calls++;
      const body = (await request.json()) as {
        messages: { role: string; content: string }[];
        response_format: { json_schema: { schema: Json } };
      };
      const user = JSON.parse(body.messages.find((m) => m.role === "user")?.content ?? "{}") as UserMessage;
      const schema = body.response_format.json_schema.schema;
      const vocabulary: Vocabulary = {
        services: enumOf(schema, "service"),
        routes: enumOf(schema, "route"),
        errorCodes: enumOf(schema, "errorCode"),
        // Paths the schema offers; their values as the prompt lists them.
        fields: (user.attributes ?? []).filter((f) => enumOf(schema, "path").includes(f.path)),
      };
      const plan = planWithRules({
        question: user.question,
        vocabulary,
        history: user.recentTurns,
        now: Date.parse(user.now),
        tzOffsetMinutes: user.timezoneOffsetMinutes,
      });
      return Response.json({
        id: "chatcmpl-scripted",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: "scripted",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: JSON.stringify(planToReply(plan)), refusal: null },
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    },
  });
  return {
    baseURL: `http://127.0.0.1:${server.port}/v1`,
    get calls() {
      return state.calls;
    },
    stop: async () => {
      await server.stop(true);
    },
  };
}
