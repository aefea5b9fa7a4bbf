import { snippet } from "./format.ts";
import type { ConversationKind, Intent, Language, Vocabulary } from "./types.ts";

/** Answers about the conversation itself, from the session history alone (never the store). */

export interface HistoryEntry {
  question: string;
  intent: Intent;
  answer: string;
}

const MAX_LISTED = 20;

function earlierQuestions(history: readonly HistoryEntry[], language: Language): string {
  const asked = history.filter((t) => t.intent !== "CONVERSATIONAL").slice(-MAX_LISTED);
  if (asked.length === 0) {
    return language === "ko" ? "이 세션에서 이전에 하신 질문이 없습니다." : "You have not asked anything earlier in this session.";
  }
  const list = asked.map((t, i) => `${i + 1}. ${snippet(t.question, 160)}`).join(" ");
  return language === "ko" ? `이 세션에서 이전에 하신 질문: ${list}` : `Your earlier questions in this session: ${list}`;
}

function lastAnswer(history: readonly HistoryEntry[], language: Language): string {
  const last = [...history].reverse().find((t) => t.intent !== "CONVERSATIONAL");
  if (!last) return language === "ko" ? "아직 드린 답변이 없습니다." : "I have not answered anything in this session yet.";
  return language === "ko"
    ? `"${snippet(last.question, 120)}"에 대한 마지막 답변: ${last.answer}`
    : `My last answer (to "${snippet(last.question, 120)}") was: ${last.answer}`;
}

function help(vocabulary: Vocabulary | undefined, language: Language): string {
  const services = vocabulary?.services.slice(0, 8).join(", ");
  if (language === "ko") {
    const known = services ? ` 현재 데이터의 서비스: ${services}.` : "";
    return `트래픽에 대해 물어보세요. 예: "지난 1시간 동안 결제 에러율은?", "오늘 서비스별 요청 수", "가장 느린 라우트", "'timeout' 같은 에러 찾아줘", "이전에 뭐 물어봤지?".${known}`;
  }
  const known = services ? ` Services in the data: ${services}.` : "";
  return `Ask me about your traffic, e.g. "How many errors did payment have in the last hour?", "error rate per service today", "slowest routes", "show me errors like timeout", "what did I ask before?".${known}`;
}

export function conversationAnswer(
  kind: ConversationKind,
  history: readonly HistoryEntry[],
  language: Language,
  vocabulary?: Vocabulary,
): string {
  if (kind === "questions") return earlierQuestions(history, language);
  if (kind === "answer") return lastAnswer(history, language);
  return help(vocabulary, language);
}
