import type { Clarification, Language } from "./types.ts";

/** Sentences appended to an answer when something was not as asked, and the matching warning codes. */

export type WarningCode = "LLM_FALLBACK" | "SESSION_CACHE_DEGRADED" | "UNRESOLVED" | "CLARIFICATION_NEEDED";

export interface SearchWarning {
  code: WarningCode;
  message: string;
}

export function llmFallbackNote(reason: string, language: Language): SearchWarning {
  return {
    code: "LLM_FALLBACK",
    message:
      language === "ko"
        ? `언어 모델의 응답을 사용할 수 없어(${reason}) 내장 규칙 파서로 답했습니다.`
        : `The language model's reply could not be used (${reason}), so the built-in rules parser answered.`,
  };
}

export function sessionDegradedNote(language: Language): SearchWarning {
  return {
    code: "SESSION_CACHE_DEGRADED",
    message:
      language === "ko"
        ? "세션 저장소에 연결할 수 없어 대화 기록을 임시로 이 서버의 메모리에 보관하고 있습니다."
        : "The session store is unreachable, so this conversation is kept in this server's memory for now.",
  };
}

export function unresolvedNote(terms: readonly string[], language: Language): SearchWarning {
  const list = terms.join(", ");
  return {
    code: "UNRESOLVED",
    message:
      language === "ko"
        ? `저장된 데이터에서 찾지 못한 항목(${list})은 조건에 넣지 않았습니다.`
        : `Not found in the stored data, so left out of the query: ${list}.`,
  };
}

/**
 * The answer with every warning's sentence, so a reader of `answer` alone sees them too. What was
 * left out of the query goes first: the numbers that follow are without it.
 */
export function withNotes(answer: string, warnings: readonly SearchWarning[]): string {
  const first = warnings.filter((w) => w.code === "UNRESOLVED").map((w) => w.message);
  const after = warnings.filter((w) => w.code !== "UNRESOLVED" && w.code !== "CLARIFICATION_NEEDED").map((w) => `(${w.message})`);
  return [...first, answer, ...after].join(" ");
}

export function clarificationNote(c: Clarification, language: Language): SearchWarning {
  return {
    code: "CLARIFICATION_NEEDED",
    message:
      language === "ko"
        ? `'${c.term}'을(를) 데이터에서 찾지 못해 답 대신 질문을 드립니다.`
        : `'${c.term}' matches nothing stored, so this is a question back instead of an answer.`,
  };
}
