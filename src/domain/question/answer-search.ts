import { snippet } from "./format.ts";
import { describeTimeRange } from "./time-expr.ts";
import type { Language, SearchFilters } from "./types.ts";

/** Words for a SEARCH answer: how many events matched, what they have in common, the newest. */

export interface SearchAnswerInput {
  search: SearchFilters;
  events: readonly Record<string, unknown>[];
  hasMore: boolean;
  language: Language;
  now: number;
  tzOffsetMinutes?: number;
}

type Event = Record<string, unknown>;

const field = (e: Event, key: string): string | undefined => {
  const v = e[key];
  return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
};
const errorOf = (e: Event): { code?: string; message?: string } => {
  const error = e.error;
  if (!error || typeof error !== "object") return {};
  const { code, message } = error as Record<string, unknown>;
  return { code: typeof code === "string" ? code : undefined, message: typeof message === "string" ? message : undefined };
};

function mostFrequent(events: readonly Event[], pick: (e: Event) => string | undefined, n = 3): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = pick(e);
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function oneLine(e: Event): string {
  const { code, message } = errorOf(e);
  const parts = [field(e, "timestamp"), field(e, "service"), field(e, "method"), field(e, "route"), field(e, "statusCode"), code];
  const text = snippet(message ?? e.message);
  return `${parts.filter(Boolean).join(" ")}${text ? ` — ${text}` : ""}`;
}

function criteria(s: SearchFilters, language: Language): string {
  const parts: string[] = [];
  const ko = language === "ko";
  if (s.service) parts.push(ko ? `서비스 ${s.service}` : `service ${s.service}`);
  if (s.route) parts.push(ko ? `라우트 ${s.route}` : `route ${s.route}`);
  if (s.method) parts.push(s.method);
  if (s.statusCode !== undefined) parts.push(ko ? `상태 ${s.statusCode}` : `status ${s.statusCode}`);
  if (s.errorCode) parts.push(ko ? `에러 코드 ${s.errorCode}` : `error code ${s.errorCode}`);
  if (s.hasError) parts.push(ko ? "에러만" : "errors only");
  if (s.text) parts.push(ko ? `"${s.text}" 포함` : `matching "${s.text}"`);
  return parts.join(", ");
}

export function searchAnswer(input: SearchAnswerInput): string {
  const { search, events, language } = input;
  const ko = language === "ko";
  const when = search.timeRange ? describeTimeRange(search.timeRange, input.now, language, input.tzOffsetMinutes) : "";
  const what = criteria(search, language);
  if (events.length === 0) {
    return ko
      ? `${when ? `${when} ` : ""}조건(${what || "없음"})에 맞는 이벤트가 없습니다.`
      : `No events match${what ? ` (${what})` : ""}${when ? ` ${when}` : ""}.`;
  }
  const codes = mostFrequent(events, (e) => errorOf(e).code);
  const services = mostFrequent(events, (e) => field(e, "service"));
  const newest = events[0] ? oneLine(events[0]) : "";
  const more = input.hasMore;
  if (ko) {
    const lines = [
      `${when ? `${when} ` : ""}조건(${what || "전체"})에 맞는 이벤트 ${events.length}건${more ? " 이상" : ""}을 찾았습니다 (최신순).`,
    ];
    if (codes.length) lines.push(`많은 에러 코드: ${codes.map(([c, n]) => `${c} ${n}건`).join(", ")}.`);
    if (services.length > 1) lines.push(`서비스: ${services.map(([s, n]) => `${s} ${n}건`).join(", ")}.`);
    lines.push(`가장 최근: ${newest}`);
    return lines.join(" ");
  }
  const lines = [
    `Found ${events.length}${more ? "+" : ""} event${events.length === 1 ? "" : "s"}${what ? ` (${what})` : ""}${when ? ` ${when}` : ""}, newest first.`,
  ];
  if (codes.length) lines.push(`Most frequent error codes: ${codes.map(([c, n]) => `${c} ×${n}`).join(", ")}.`);
  if (services.length > 1) lines.push(`Services: ${services.map(([s, n]) => `${s} ×${n}`).join(", ")}.`);
  lines.push(`Newest: ${newest}`);
  return lines.join(" ");
}
