import type { TimeRange } from "../query/stat-query.ts";
import { parseClockRange, rangeWords } from "./clock-expr.ts";
import type { Language } from "./types.ts";

/**
 * Time phrases in English and Korean → a BasicStatQuery time range. Relative windows become
 * `{last}`; calendar words ("today", "어제") become absolute `{from, to}` resolved against an
 * injected clock, so the same question asked twice a minute apart still means the same day.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

const EN_NUMBERS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
  fifteen: 15,
  thirty: 30,
  "twenty-four": 24,
};
const KO_NUMBERS: Record<string, number> = {
  한: 1,
  두: 2,
  세: 3,
  네: 4,
  다섯: 5,
  여섯: 6,
  일곱: 7,
  여덟: 8,
  아홉: 9,
  열: 10,
  열두: 12,
  스물네: 24,
};

const EN_WORDS = Object.keys(EN_NUMBERS).join("|");
const KO_WORDS = Object.keys(KO_NUMBERS)
  .sort((a, b) => b.length - a.length)
  .join("|");

const EN_RELATIVE = new RegExp(
  `\\b(?:last|past|previous|recent)\\s+(?:(\\d{1,4}|${EN_WORDS})\\s*)?(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|(?<=\\d\\s*)[mhdw])\\b`,
);
// A number is required here: "최근 일어난" (recently happened) must not read as "the last day".
const KO_RELATIVE = new RegExp(`(?:지난|최근|과거|직전)\\s*(\\d{1,4}|${KO_WORDS})\\s*(분|시간|주일|주|일|개월|달)`);
const KO_BARE = new RegExp(`(\\d{1,4}|${KO_WORDS})\\s*(분|시간|일)\\s*(?:동안|간|내|이내|사이)`);

function toLast(count: number, unit: string): TimeRange | undefined {
  const u = unit.toLowerCase();
  let value = count;
  let suffix: "m" | "h" | "d";
  if (u.startsWith("min") || u === "m" || u === "분") suffix = "m";
  else if (u.startsWith("h") || u === "시간") suffix = "h";
  else if (u.startsWith("d") || u === "일") suffix = "d";
  else if (u.startsWith("w") || u.startsWith("주") || u === "일주일") [value, suffix] = [count * 7, "d"];
  else [value, suffix] = [count * 30, "d"]; // months, 달, 개월
  if (value < 1 || value > 9999) return undefined;
  return { last: `${value}${suffix}` };
}

/** Start of the calendar day containing `now`, in a zone `tzOffsetMinutes` east of UTC. */
export function dayStart(now: number, tzOffsetMinutes = 0): number {
  const shift = tzOffsetMinutes * MINUTE;
  return Math.floor((now + shift) / DAY) * DAY - shift;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The first time phrase in `text`, or undefined when it names no time. */
export function parseTimeExpression(text: string, now: number, tzOffsetMinutes = 0): TimeRange | undefined {
  const lower = text.toLowerCase();
  const today = dayStart(now, tzOffsetMinutes);
  const clock = parseClockRange(text, now, tzOffsetMinutes);
  if (clock) return clock;
  if (/\byesterday\b|어제/.test(lower)) {
    if (/since yesterday|어제부터/.test(lower)) return { from: iso(today - DAY) };
    return { from: iso(today - DAY), to: iso(today) };
  }
  if (/\btoday\b|오늘/.test(lower)) return { from: iso(today) };
  if (/\bthis week\b|이번\s*주/.test(lower)) {
    const weekday = (new Date(today + tzOffsetMinutes * MINUTE).getUTCDay() + 6) % 7; // Monday = 0
    return { from: iso(today - weekday * DAY) };
  }
  if (/\b(?:last|past) week\b|지난\s*주(?!일)|일주일/.test(lower)) return { last: "7d" };
  if (/\b(?:last|past) month\b|지난\s*달|한\s*달/.test(lower)) return { last: "30d" };
  if (/\b(?:last|past|previous) quarter(?:[ -]of[ -]an)?[ -]hour\b|\bquarter of an hour\b/.test(lower)) return { last: "15m" };
  if (/\b(?:last|past|previous) half(?:[ -]an)? hour\b|\bhalf an hour\b|지난\s*30분|반\s*시간/.test(lower)) return { last: "30m" };
  if (/하루/.test(lower)) return { last: "1d" };
  if (/이틀/.test(lower)) return { last: "2d" };

  const en = EN_RELATIVE.exec(lower);
  if (en?.[2]) return toLast(en[1] ? (EN_NUMBERS[en[1]] ?? Number(en[1])) : 1, en[2]);
  const ko = KO_RELATIVE.exec(lower) ?? KO_BARE.exec(lower);
  if (ko?.[2]) return toLast(ko[1] ? (KO_NUMBERS[ko[1]] ?? Number(ko[1])) : 1, ko[2]);
  return undefined;
}

const EN_UNITS = { m: ["minute", "minutes"], h: ["hour", "hours"], d: ["day", "days"] } as const;
const KO_UNITS = { m: "분", h: "시간", d: "일" } as const;

/** "in the last hour", "yesterday", "지난 1시간 동안": how an answer names its window. */
export function describeTimeRange(range: TimeRange | undefined, now: number, language: Language, tzOffsetMinutes = 0): string {
  const r = range ?? { last: "24h" };
  if ("last" in r) {
    const match = /^(\d+)([mhd])$/.exec(r.last);
    const n = Number(match?.[1] ?? 24);
    const unit = (match?.[2] ?? "h") as keyof typeof EN_UNITS;
    if (language === "ko") return `지난 ${n}${KO_UNITS[unit]} 동안`;
    return n === 1 ? `in the last ${EN_UNITS[unit][0]}` : `in the last ${n} ${EN_UNITS[unit][1]}`;
  }
  const today = dayStart(now, tzOffsetMinutes);
  const from = Date.parse(r.from);
  const to = r.to ? Date.parse(r.to) : undefined;
  if (from === today && to === undefined) return language === "ko" ? "오늘" : "today";
  if (from === today - DAY && to === today) return language === "ko" ? "어제" : "yesterday";
  const words = rangeWords(r.from, r.to, tzOffsetMinutes, language === "ko" ? "지금" : "now");
  if (words.startsWith("on ")) return language === "ko" ? `${words.slice(3)} 하루 동안` : words;
  return language === "ko" ? `${words} 동안` : `during ${words}`;
}
