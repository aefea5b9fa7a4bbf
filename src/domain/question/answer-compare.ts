import type { StatRow } from "../query/stat-query.ts";
import { formatValue, rowLabel } from "./format.ts";
import type { Language, PlanStatQuery } from "./types.ts";

/**
 * "Compared with the same window yesterday: 120 → 250 (doubled)"; for grouped answers, the groups
 * that changed most, each as before → now. Series are left to data.compare (too many numbers for a
 * sentence).
 */

const SHOWN = 5;

function change(before: number | null | undefined, now: number | null | undefined, language: Language): string {
  if (before === null || before === undefined || now === null || now === undefined) return "";
  const ko = language === "ko";
  if (before === 0) return now === 0 ? "" : ko ? " (새로 생김)" : " (new)";
  const ratio = now / before;
  if (ratio >= 1.9 && ratio < 2.1) return ko ? " (두 배)" : " (doubled)";
  if (ratio >= 2.1) return ko ? ` (${ratio.toFixed(1)}배)` : ` (×${ratio.toFixed(1)})`;
  const pct = Math.round((ratio - 1) * 100);
  if (pct === 0) return ko ? " (변화 없음)" : " (unchanged)";
  return ` (${pct > 0 ? "+" : "−"}${Math.abs(pct)}%)`;
}

export function compareSentence(input: {
  query: PlanStatQuery;
  rows: readonly StatRow[];
  before: readonly StatRow[];
  period: "yesterday" | "last_week";
  language: Language;
}): string | undefined {
  const { query: q, rows, before, language } = input;
  if (q.bucket) return undefined;
  const ko = language === "ko";
  const label = ko
    ? input.period === "yesterday"
      ? "어제 같은 시간 대비"
      : "지난주 같은 시간 대비"
    : `Compared with the same window ${input.period === "yesterday" ? "yesterday" : "last week"}`;
  const fmt = (v: number | null | undefined) => formatValue(q.metric, v, language);
  const groups = q.groupBy ?? [];
  if (!groups.length) {
    const was = before[0]?.value;
    const is = rows[0]?.value;
    return `${label}: ${fmt(was)} → ${fmt(is)}${change(was, is, language)}.`;
  }
  const key = (r: StatRow) => rowLabel(r, groups);
  const earlier = new Map(before.map((r) => [key(r), r.value]));
  const names = new Set([...rows.map(key), ...before.map(key)]);
  const now = new Map(rows.map((r) => [key(r), r.value]));
  const moved = [...names]
    .map((name) => ({
      name,
      was: earlier.get(name) ?? (q.metric === "count" ? 0 : null),
      is: now.get(name) ?? (q.metric === "count" ? 0 : null),
    }))
    .sort((a, b) => Math.abs((b.is ?? 0) - (b.was ?? 0)) - Math.abs((a.is ?? 0) - (a.was ?? 0)))
    .slice(0, SHOWN);
  if (!moved.length) return undefined;
  const list = moved.map((m) => `${m.name} ${fmt(m.was)} → ${fmt(m.is)}${change(m.was, m.is, language)}`).join(", ");
  return ko ? `${label} 변화가 큰 순: ${list}.` : `${label}, largest changes first: ${list}.`;
}
