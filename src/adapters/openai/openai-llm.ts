import OpenAI from "openai";
import { planReplyJsonSchema } from "../../domain/question/plan-reply.ts";
import { PLANNER_INSTRUCTIONS, plannerInput } from "../../domain/question/prompt.ts";
import type { HealthStatus } from "../../ports/health.ts";
import { type Llm, LlmError, type PlanRequest } from "../../ports/llm.ts";

export interface OpenAiLlmOptions {
  apiKey: string;
  /** Any OpenAI-compatible server (OPENAI_BASE_URL); the SDK's default when unset. */
  baseURL?: string;
  model: string;
  timeoutMs: number;
}

/**
 * Structured output from the chat completions API: the JSON schema carries the store's real
 * services, routes and error codes as enums. No SDK retries: a slow or failing model should
 * fall back to the rules parser within one timeout, not three.
 */
export class OpenAiLlm implements Llm {
  readonly name = "llm:openai";
  readonly provider = "openai";
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutMs, maxRetries: 0 });
  }

  async plan(request: PlanRequest, signal: AbortSignal): Promise<unknown> {
    let content: string | null | undefined;
    try {
      const completion = await this.client.chat.completions.create(
        {
          model: this.options.model,
          temperature: 0,
          messages: [
            { role: "system", content: PLANNER_INSTRUCTIONS },
            {
              role: "user",
              content: plannerInput(
                request.question,
                request.now,
                request.history,
                request.tzOffsetMinutes,
                (request.candidates ?? request.vocabulary).fields,
              ),
            },
          ],
          response_format: {
            type: "json_schema",
            json_schema: { name: "search_plan", strict: true, schema: planReplyJsonSchema(request.candidates ?? request.vocabulary) },
          },
        },
        { signal },
      );
      const message = completion.choices[0]?.message;
      if (message?.refusal) throw new LlmError("refused", "the model refused to answer");
      content = message?.content;
    } catch (error) {
      throw toLlmError(error);
    }
    if (!content) throw new LlmError("malformed", "the reply had no content");
    try {
      return JSON.parse(content);
    } catch {
      throw new LlmError("malformed", "the reply was not valid JSON");
    }
  }

  async health(): Promise<HealthStatus> {
    // Not probed: a model outage only means the rules parser answers, so it must not fail readiness.
    return { ok: true, detail: `${this.options.model} (falls back to rules)` };
  }

  async close(): Promise<void> {}
}

function toLlmError(error: unknown): LlmError {
  if (error instanceof LlmError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIUserAbortError) {
    return new LlmError("timeout", "the model did not answer in time");
  }
  if (error instanceof OpenAI.APIConnectionError) return new LlmError("unavailable", "the model server could not be reached");
  if (error instanceof OpenAI.APIError) return new LlmError("unavailable", `the model server answered HTTP ${error.status ?? "error"}`);
  if (error instanceof SyntaxError) return new LlmError("malformed", "the server's response was not valid JSON");
  return new LlmError("unavailable", error instanceof Error ? error.message.slice(0, 200) : "unknown error");
}
