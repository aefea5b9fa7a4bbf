import type { GroupField, GroupKey, Metric, StatRow } from "../query/stat-query.ts";
import type { Language } from "./types.ts";

/** Small formatting helpers shared by the answer writers. */

export function detectLanguage(text: string): Language {
  return /[\u3131-\u318e\uac00-\ud7a3]/.test(text) ? "ko" : "en";
}

const intFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const msFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** Rates arrive as fractions (0.125 = 12.5%). */
export function formatValue(metric: Metric, value: number | null | undefined, language: Language): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (metric === "count") return language === "ko" ? `${intFormat.format(value)}건` : intFormat.format(value);
  if (metric === "error_rate") return `${(value * 100).toFixed(2)}%`;
  const ms = Math.abs(value) >= 100 ? intFormat.format(value) : msFormat.format(value);
  return language === "ko" ? `${ms}ms` : `${ms} ms`;
}

export const METRIC_NAMES: Record<Language, Record<Metric, string>> = {
  en: {
    count: "count",
    error_rate: "error rate",
    avg: "average latency",
    min: "minimum latency",
    max: "maximum latency",
    p50: "median (p50) latency",
    p95: "p95 latency",
    p99: "p99 latency",
  },
  ko: {
    count: "건수",
    error_rate: "에러율",
    avg: "평균 지연 시간",
    min: "최소 지연 시간",
    max: "최대 지연 시간",
    p50: "지연 시간 중앙값(p50)",
    p95: "p95 지연 시간",
    p99: "p99 지연 시간",
  },
};

export const GROUP_NAMES: Record<Language, Record<GroupField, string>> = {
  en: { service: "service", route: "route", statusCode: "status code", errorCode: "error code", method: "method" },
  ko: { service: "서비스", route: "라우트", statusCode: "상태 코드", errorCode: "에러 코드", method: "메서드" },
};

/** 은/는 after a Korean noun, by whether its last syllable has a final consonant. */
export function topicParticle(word: string): "은" | "는" {
  const code = word.charCodeAt(word.length - 1);
  if (code < 0xac00 || code > 0xd7a3) return "는";
  return (code - 0xac00) % 28 === 0 ? "는" : "은";
}

/** A group's name in words: a rollup dimension's, or the attribute path of an `attr:` group. */
export function groupName(group: GroupKey, language: Language): string {
  return group.startsWith("attr:") ? group.slice(5) : GROUP_NAMES[language][group as GroupField];
}

export function rowLabel(row: StatRow, groups: readonly GroupKey[]): string {
  return groups.map((g) => (row[g] === null || row[g] === undefined ? "(none)" : String(row[g]))).join(" / ");
}

/** Cuts a one-line snippet from event text (messages can be long or multi-line). */
export function snippet(text: unknown, max = 80): string {
  if (typeof text !== "string") return "";
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export function bucketTime(iso: string | undefined): string {
  return iso ? iso.replace(/:\d\d(?:\.\d+)?Z$/, "Z") : "?";
}
