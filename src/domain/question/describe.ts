import { groupName, METRIC_NAMES } from "./format.ts";
import { describeTimeRange } from "./time-expr.ts";
import type { AttrFilter, Language, PlanStatQuery, RateUnit, Resolution } from "./types.ts";

export { clockTime } from "./clock-expr.ts";

/**
 * "Answered: error rate of POST /api/payments during 2026-11-30 06:25–06:40 UTC, exact (rollups)":
 * every answer ends by saying what it answered, so a wrong reading is visible at a glance.
 */

/** "POST /api/payments of service payment, errors only", in words. */
/** "region=us-east-1, user.plan=enterprise". */
export function attrWords(attr: AttrFilter): string {
  return Object.entries(attr)
    .map(([path, value]) => `${path}=${String(value)}`)
    .join(", ");
}

export function scopeWords(filter: PlanStatQuery["filter"], language: Language): string {
  const f = filter ?? {};
  const ko = language === "ko";
  const parts: string[] = [];
  if (f.method || f.route) parts.push([f.method, f.route].filter(Boolean).join(" "));
  if (f.service) parts.push(ko ? `${f.service} 서비스` : `service ${f.service}`);
  if (f.errorCode) parts.push(ko ? `에러 코드 ${f.errorCode}` : `error code ${f.errorCode}`);
  if (f.statusCode !== undefined) parts.push(ko ? `상태 ${f.statusCode}` : `status ${f.statusCode}`);
  if (f.attr) parts.push(attrWords(f.attr));
  if (f.hasError) parts.push(ko ? "에러만" : "errors only");
  return parts.join(", ");
}

export interface AnsweredInput {
  query: PlanStatQuery;
  source?: "rollups" | "events";
  estimated: boolean;
  rate?: RateUnit;
  language: Language;
  now: number;
  tzOffsetMinutes?: number;
}

export function answeredNote(input: AnsweredInput): string {
  const { query: q, language } = input;
  const ko = language === "ko";
  const metric =
    input.rate && q.metric === "count"
      ? ko
        ? input.rate === "second"
          ? "초당 요청 수"
          : "분당 요청 수"
        : `requests per ${input.rate}`
      : METRIC_NAMES[language][q.metric];
  const scope = scopeWords(q.filter, language);
  const groups = q.groupBy?.length ? q.groupBy.map((g) => groupName(g, language)).join(ko ? "·" : ", ") : "";
  const when = describeTimeRange(q.timeRange, input.now, language, input.tzOffsetMinutes);
  const kept = Boolean(q.filter?.attr || q.groupBy?.some((g) => g.startsWith("attr:")));
  const how = kept
    ? ko
      ? "보관된(샘플링된) 이벤트로 추정"
      : "estimated from kept (sampled) events"
    : input.estimated
      ? ko
        ? "샘플링된 이벤트로 추정"
        : "estimated from sampled events"
      : ko
        ? `정확한 값${input.source === "rollups" ? " (롤업)" : ""}`
        : `exact${input.source === "rollups" ? " (rollups)" : ""}`;
  if (ko) {
    return `[답한 내용: ${scope || "전체"} ${metric}${groups ? `, ${groups}별` : ""}${q.bucket ? `, ${q.bucket} 단위` : ""}, ${when}, ${how}]`;
  }
  return `[Answered: ${metric} of ${scope || "all traffic"}${groups ? `, per ${groups}` : ""}${q.bucket ? `, per ${q.bucket}` : ""}, ${when}, ${how}.]`;
}

/** "'결제' read as service payment; 'paymnt' read as service payment (closest match)". */
export function resolutionNote(resolved: readonly Resolution[], language: Language): string {
  const ko = language === "ko";
  const kind = (r: Resolution) =>
    ko
      ? { service: "서비스", route: "라우트", errorCode: "에러 코드", field: "필드", metric: "지표", time: "시간" }[r.kind]
      : { service: "service", route: "route", errorCode: "error code", field: "field", metric: "metric", time: "time" }[r.kind];
  const how = (r: Resolution) =>
    r.how === "typo"
      ? ko
        ? " (가장 가까운 이름)"
        : " (closest match)"
      : r.how === "fragment"
        ? ko
          ? " (경로 일부)"
          : " (route fragment)"
        : "";
  const list = resolved.map((r) =>
    ko ? `'${r.term}' → ${kind(r)} ${r.value}${how(r)}` : `'${r.term}' read as ${kind(r)} ${r.value}${how(r)}`,
  );
  return ko ? `(해석: ${list.join(", ")})` : `(${list.join("; ")}.)`;
}
