import type { StatResult, StatRow } from "../query/stat-query.ts";
import { attrWords } from "./describe.ts";
import { bucketTime, formatValue, groupName, METRIC_NAMES, rowLabel, topicParticle } from "./format.ts";
import { describeTimeRange } from "./time-expr.ts";
import type { Language, PlanStatQuery, Ranking } from "./types.ts";

/** Words for a PlanStatQuery's answer: the numbers in a sentence; the table itself goes in `data`. */

export interface StatAnswerInput {
  query: PlanStatQuery;
  result: StatResult;
  ranking?: Ranking;
  language: Language;
  now: number;
  tzOffsetMinutes?: number;
}

const SHOWN = 10;

function subject(q: PlanStatQuery, language: Language): string {
  const f = q.filter ?? {};
  if (language === "ko") {
    if (f.errorCode) return `${f.errorCode} 에러`;
    if (f.statusCode !== undefined) return `${f.statusCode} 응답`;
    return f.hasError ? "에러" : "요청";
  }
  if (f.errorCode) return `${f.errorCode} errors`;
  if (f.statusCode !== undefined) return `${f.statusCode} responses`;
  return f.hasError ? "errors" : "requests";
}

function scope(q: PlanStatQuery, language: Language): string {
  const f = q.filter ?? {};
  const parts: string[] = [];
  if (language === "ko") {
    if (f.service) parts.push(`${f.service} 서비스`);
    if (f.route) parts.push(f.route);
    if (f.method) parts.push(f.method);
    if (f.attr) parts.push(attrWords(f.attr));
    return parts.length ? `${parts.join(" ")}의 ` : "";
  }
  if (f.service) parts.push(`service ${f.service}`);
  if (f.route) parts.push(`route ${f.route}`);
  if (f.method) parts.push(`${f.method} requests`);
  if (f.attr) parts.push(attrWords(f.attr));
  return parts.length ? ` for ${parts.join(", ")}` : "";
}

function single(input: StatAnswerInput, when: string): string {
  const { query: q, result, language } = input;
  const value = result.rows[0]?.value;
  const v = formatValue(q.metric, value, language);
  const empty = value === null || value === undefined || (q.metric === "count" && value === 0);
  if (language === "ko") {
    if (empty && q.metric !== "count") return `${when} ${scope(q, "ko")}조건에 맞는 이벤트가 없습니다.`;
    if (q.metric === "count") {
      const s = subject(q, "ko");
      return `${when} ${scope(q, "ko")}${s}${topicParticle(s)} ${v}입니다.`;
    }
    const name = METRIC_NAMES.ko[q.metric];
    return `${when} ${scope(q, "ko")}${name}${topicParticle(name)} ${v}입니다.`;
  }
  if (empty && q.metric !== "count") return `No matching events${scope(q, "en")} ${when}.`;
  if (q.metric === "count") {
    const one = Math.round(value ?? 0) === 1;
    return `There ${one ? "was" : "were"} ${v} ${one ? subject(q, "en").replace(/s$/, "") : subject(q, "en")}${scope(q, "en")} ${when}.`;
  }
  return `The ${METRIC_NAMES.en[q.metric]}${scope(q, "en")} ${when} was ${v}.`;
}

function ordered(rows: readonly StatRow[], ranking: Ranking | undefined): StatRow[] {
  const order = ranking?.order ?? "desc";
  const key = (r: StatRow) => r.value ?? (order === "desc" ? -Infinity : Infinity);
  return [...rows].sort((a, b) => (order === "desc" ? key(b) - key(a) : key(a) - key(b)));
}

function grouped(input: StatAnswerInput, when: string): string {
  const { query: q, result, language, ranking } = input;
  const groups = q.groupBy ?? [];
  const rows = ordered(result.rows, ranking);
  const top = rows.slice(0, ranking?.top ?? SHOWN);
  const per = groups.map((g) => groupName(g, language)).join(language === "ko" ? "·" : " and ");
  const metric = q.metric === "count" ? subject(q, language) : METRIC_NAMES[language][q.metric];
  const list = top
    .map((r, i) => `${ranking ? `${i + 1}. ` : ""}${rowLabel(r, groups)} ${formatValue(q.metric, r.value, language)}`)
    .join(", ");
  const latency = q.metric !== "count" && q.metric !== "error_rate";
  const desc = ranking?.order !== "asc";
  if (language === "ko") {
    if (rows.length === 0) return `${when} ${scope(q, "ko")}조건에 맞는 이벤트가 없습니다.`;
    const rank = latency ? (desc ? "가장 느린" : "가장 빠른") : desc ? "상위" : "하위";
    const head = ranking ? `${rank} ${per} ${top.length}개 (${metric})` : `${per}별 ${metric}${q.metric === "count" ? " 수" : ""}`;
    const more = rows.length > top.length ? ` (전체 ${rows.length}개 중 ${top.length}개, 나머지는 data에 있습니다)` : "";
    return `${when} ${scope(q, "ko")}${head}: ${list}.${more}`;
  }
  if (rows.length === 0) return `No matching events${scope(q, "en")} ${when}.`;
  const plural = groups.length === 1 ? `${per}s` : "groups";
  const rank = latency ? (desc ? "Slowest" : "Fastest") : desc ? "Top" : "Bottom";
  const head = ranking
    ? `${rank} ${top.length} ${plural} by ${metric}${scope(q, "en")} ${when}`
    : `${metric[0]?.toUpperCase()}${metric.slice(1)} per ${per}${scope(q, "en")} ${when}`;
  const more = rows.length > top.length ? ` (${top.length} of ${rows.length} shown; all rows are in data)` : "";
  return `${head}: ${list}.${more}`;
}

function series(input: StatAnswerInput, when: string): string {
  const { query: q, result, language } = input;
  const withValue = result.rows.filter((r) => r.value !== null);
  if (withValue.length === 0) return language === "ko" ? `${when} 조건에 맞는 이벤트가 없습니다.` : `No matching events ${when}.`;
  const peak = withValue.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
  const latest = withValue[withValue.length - 1];
  const name = q.metric === "count" ? subject(q, language) : METRIC_NAMES[language][q.metric];
  const total = q.metric === "count" ? withValue.reduce((sum, r) => sum + (r.value ?? 0), 0) : undefined;
  const fmt = (r: StatRow | undefined) => formatValue(q.metric, r?.value, language);
  if (language === "ko") {
    const sum = total === undefined ? "" : `합계 ${formatValue("count", total, "ko")}, `;
    return `${when} ${scope(q, "ko")}${name} (${q.bucket} 단위 ${result.rows.length}구간): ${sum}최고 ${fmt(peak)} (${bucketTime(peak.bucket)}), 최근 ${fmt(latest)} (${bucketTime(latest?.bucket)}).`;
  }
  const sum = total === undefined ? "" : `total ${formatValue("count", total, "en")}, `;
  return `${name[0]?.toUpperCase()}${name.slice(1)}${scope(q, "en")} per ${q.bucket} ${when} (${result.rows.length} buckets): ${sum}peak ${fmt(peak)} at ${bucketTime(peak.bucket)}, latest ${fmt(latest)} at ${bucketTime(latest?.bucket)}.`;
}

export function statAnswer(input: StatAnswerInput): string {
  const when = describeTimeRange(input.query.timeRange, input.now, input.language, input.tzOffsetMinutes);
  const text = input.query.bucket ? series(input, when) : input.query.groupBy?.length ? grouped(input, when) : single(input, when);
  if (!input.result.estimated) return text;
  return input.language === "ko" ? `${text} (샘플링된 이벤트로 추정한 값입니다.)` : `${text} (Estimated from sampled events.)`;
}
