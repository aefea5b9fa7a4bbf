import { GROUP_NAMES, METRIC_NAMES } from "./format.ts";
import type { Clarification, Language } from "./types.ts";

/** The question asked back when a name would change the answer and matches nothing stored. */

const KIND: Record<Language, Record<Clarification["kind"], string>> = {
  en: { service: "service or route", route: "route", errorCode: "error code", field: "field to group by", metric: "metric", time: "time" },
  ko: { service: "서비스나 라우트", route: "라우트", errorCode: "에러 코드", field: "묶을 필드", metric: "지표", time: "시간" },
};

function label(kind: Clarification["kind"], value: string, language: Language): string {
  if (kind === "metric") return METRIC_NAMES[language][value as keyof (typeof METRIC_NAMES)["en"]] ?? value;
  if (kind === "field") return GROUP_NAMES[language][value as keyof (typeof GROUP_NAMES)["en"]] ?? value;
  return value;
}

export function clarificationAnswer(c: Clarification, language: Language): string {
  const options = c.candidates.map((v) => label(c.kind, v, language));
  if (language === "ko") {
    const list = options.length ? ` 가까운 후보: ${options.join(", ")}. 이 중 하나를 골라 다시 물어봐 주세요.` : "";
    return `'${c.term}'에 해당하는 ${KIND.ko[c.kind]}를 데이터에서 찾지 못해 답하지 않았습니다. 어떤 것을 말씀하신 건가요?${list}`;
  }
  const list = options.length ? ` The closest I have: ${options.join(", ")}. Ask again with one of them.` : "";
  return `I did not answer: '${c.term}' matches no ${KIND.en[c.kind]} in the stored data, and answering without it would answer a different question. Which one did you mean?${list}`;
}
