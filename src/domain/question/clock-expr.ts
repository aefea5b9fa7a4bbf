import type { TimeRange } from "../query/stat-query.ts";

/**
 * Clock times and dates: "between 06:25 and 06:40 UTC", "from 9am to 11am", "since 9am",
 * "오전 6시 25분부터 6시 40분까지", "오전 9시부터", "2026-11-30". Times are in the zone the
 * question names (UTC, KST) or else `tzOffsetMinutes`; a clock time later than now today means
 * yesterday's, since nobody asks about the future.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Clock {
  /** Minutes after midnight. */
  from: number;
  to?: number;
}

const EN_TIME = String.raw`(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?`;
const KO_TIME = String.raw`(오전|오후|새벽|아침|저녁|밤)?\s*(\d{1,2})(?:\s*시(?:\s*(\d{1,2})\s*분|\s*반)?|:(\d{2}))`;

function enMinutes(h: string | undefined, m: string | undefined, half: string | undefined, fallbackHalf?: string): number | undefined {
  let hour = Number(h);
  const minute = Number(m ?? 0);
  const mer = (half ?? fallbackHalf)?.[0];
  if (mer === "p" && hour < 12) hour += 12;
  if (mer === "a" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return undefined;
  return hour * 60 + minute;
}

function koMinutes(
  part: string | undefined,
  h: string | undefined,
  m: string | undefined,
  colon: string | undefined,
  raw: string,
): number | undefined {
  let hour = Number(h);
  const minute = raw.includes("반") ? 30 : Number(m ?? colon ?? 0);
  if ((part === "오후" || part === "저녁" || part === "밤") && hour < 12) hour += 12;
  if (part === "오전" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59) return undefined;
  return hour * 60 + minute;
}

function readClock(text: string): Clock | undefined {
  const range = new RegExp(String.raw`(?:between|from)\s+${EN_TIME}\s+(?:and|to|until|till|-|–)\s+${EN_TIME}`).exec(text);
  const dash = range ?? /(?<![\d:])(\d{1,2}):(\d{2})\s*(am|pm)?\s*(?:-|–|~|to)\s*(\d{1,2}):(\d{2})\s*(am|pm)?/.exec(text);
  if (dash) {
    const [, h1, m1, a1, h2, m2, a2] = dash;
    const from = enMinutes(h1, m1, a1, a2);
    const to = enMinutes(h2, m2, a2);
    if (from !== undefined && to !== undefined && (range || dash[2] !== undefined)) return { from, to };
  }
  const since = new RegExp(String.raw`\b(?:since|after|from)\s+${EN_TIME}(?!\s*(?:minutes?|mins?|hours?|days?|m|h|d)\b)`).exec(text);
  if (since && (since[2] !== undefined || since[3] !== undefined)) {
    const from = enMinutes(since[1], since[2], since[3]);
    if (from !== undefined) return { from };
  }
  const ko = new RegExp(String.raw`${KO_TIME}\s*(?:부터|에서|이후|~|-)\s*(?:${KO_TIME}\s*(?:까지|사이)?)?`).exec(text);
  if (ko) {
    const from = koMinutes(ko[1], ko[2], ko[3], ko[4], ko[0].split(/부터|에서|이후|~|-/)[0] ?? "");
    if (from === undefined) return undefined;
    if (ko[6] === undefined) return { from };
    // "오전 6시 25분부터 6시 40분까지": the second time shares the first one's half of the day.
    const rest = ko[0].split(/부터|에서|~|-/)[1] ?? "";
    const to = koMinutes(ko[5] ?? ko[1], ko[6], ko[7], ko[8], rest);
    return to === undefined ? { from } : { from, to };
  }
  return undefined;
}

/** The zone a question names, in minutes east of UTC. */
function namedZone(text: string): number | undefined {
  if (/\butc\b|\bgmt\b|\bz\b/.test(text)) return 0;
  if (/\bkst\b|한국\s*시간/.test(text)) return 540;
  return undefined;
}

/** Midnight (epoch ms) of an ISO date in the question, e.g. "2026-11-30", "on 11/30". */
function namedDate(text: string, now: number, tz: number): number | undefined {
  const iso = /\b(20\d\d)-(\d{1,2})-(\d{1,2})\b/.exec(text);
  if (iso) return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])) - tz * MINUTE;
  const ko = /(\d{1,2})\s*월\s*(\d{1,2})\s*일/.exec(text);
  if (ko) {
    const year = new Date(now + tz * MINUTE).getUTCFullYear();
    return Date.UTC(year, Number(ko[1]) - 1, Number(ko[2])) - tz * MINUTE;
  }
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An absolute range from clock times and dates, or undefined when the question names none. */
export function parseClockRange(text: string, now: number, tzOffsetMinutes = 0): TimeRange | undefined {
  const lower = text.toLowerCase();
  const tz = namedZone(lower) ?? tzOffsetMinutes;
  const today = Math.floor((now + tz * MINUTE) / DAY) * DAY - tz * MINUTE;
  const date = namedDate(lower, now, tz);
  const clock = readClock(lower);
  if (!clock) {
    if (date === undefined) return undefined;
    return { from: iso(date), to: iso(Math.min(date + DAY, now)) };
  }
  let base = date ?? (/yesterday|어제/.test(lower) ? today - DAY : today);
  // A time later than now today is yesterday's: "since 11pm" asked at 1am.
  if (date === undefined && base === today && base + clock.from * MINUTE > now) base -= DAY;
  const from = base + clock.from * MINUTE;
  if (clock.to === undefined) return { from: iso(from) };
  let to = base + clock.to * MINUTE;
  if (to <= from) to += DAY;
  return { from: iso(from), to: iso(to) };
}

/** "06:25 UTC", "15:25 UTC+9": a minute as the person's clock shows it. */
export function clockTime(isoTime: string, tzOffsetMinutes = 0): string {
  const shifted = new Date(Date.parse(isoTime) + tzOffsetMinutes * MINUTE).toISOString();
  return `${shifted.slice(11, 16)} ${zoneName(tzOffsetMinutes)}`;
}

export function zoneName(tzOffsetMinutes: number): string {
  if (tzOffsetMinutes === 0) return "UTC";
  const sign = tzOffsetMinutes > 0 ? "+" : "-";
  const abs = Math.abs(tzOffsetMinutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, "0")}` : ""}`;
}

/** "06:25–06:40 UTC" within a day, else "2026-11-30 06:25 – 2026-12-01 06:40 UTC"; an open end is "now". */
export function rangeWords(from: string, to: string | undefined, tzOffsetMinutes: number, nowWord: string): string {
  const shift = (t: string) => new Date(Date.parse(t) + tzOffsetMinutes * MINUTE).toISOString();
  const a = shift(from);
  if (!to) return `${a.slice(0, 10)} ${a.slice(11, 16)} ${zoneName(tzOffsetMinutes)} – ${nowWord}`;
  const b = shift(to);
  if (a.slice(11, 16) === "00:00" && Date.parse(to) - Date.parse(from) === DAY)
    return `on ${a.slice(0, 10)} (${zoneName(tzOffsetMinutes)})`;
  if (a.slice(0, 10) === b.slice(0, 10) || (b.slice(11, 16) === "00:00" && Date.parse(to) - Date.parse(from) <= DAY)) {
    return `${a.slice(0, 10)} ${a.slice(11, 16)}–${b.slice(11, 16)} ${zoneName(tzOffsetMinutes)}`;
  }
  return `${a.slice(0, 10)} ${a.slice(11, 16)} – ${b.slice(0, 10)} ${b.slice(11, 16)} ${zoneName(tzOffsetMinutes)}`;
}
