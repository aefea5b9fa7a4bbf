import { type BasicStatFilter, METHODS } from "../query/stat-query.ts";
import { KO_ALIASES, KO_CODE_ALIASES, ROUTE_CONTEXT } from "./aliases.ts";
import { closest, editDistance, normal, typoBudget } from "./fuzzy.ts";
import type { Clarification, Resolution, Vocabulary } from "./types.ts";
import { isKnownWord, latinWords } from "./words.ts";
import { isKnownKorean } from "./words-ko.ts";

/**
 * Finds the services, routes, error codes, status codes and methods a question names, grounded in
 * the store's vocabulary: a name that the data does not hold is never produced. Exact names first,
 * then Korean aliases and transliterations, route fragments ("refund" → /api/payments/refund) and
 * typos within a small edit distance; every such choice is returned in `resolved` so the answer
 * can say it. A name that matches nothing becomes a clarification with the closest candidates.
 * Matched spans are blanked as we go so "/api/payments" does not also read as the service "payment".
 */

export interface Entities {
  filter: BasicStatFilter;
  /** Words the question uses that were not understood (reported as a warning). */
  unresolved: string[];
  /** Names read by alias, fragment or typo: stated in the answer. */
  resolved: Resolution[];
  /** A name that would change the answer and matches nothing: ask instead of answering. */
  clarify?: Clarification;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const stem = (service: string) => service.toLowerCase().replace(/[-_.](service|svc|api|server)$/, "");
const blank = (text: string, start: number, length: number) => text.slice(0, start) + " ".repeat(length) + text.slice(start + length);
const segments = (route: string) =>
  route
    .toLowerCase()
    .split("/")
    .filter((s) => s && s !== "api" && !s.startsWith(":") && !s.startsWith("{"));
const lastSegment = (route: string) => segments(route).at(-1) ?? "";

/** A route named by one word: its last segment, singular or plural ("payments", "refund", "login"). */
function routeByFragment(word: string, routes: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const hits = routes.filter((r) => {
    const last = lastSegment(r);
    return last === w || last === `${w}s` || `${last}s` === w;
  });
  return hits.sort((a, b) => a.length - b.length)[0];
}

function serviceByStem(word: string, services: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  return services.find((s) => {
    const st = stem(s);
    return s.toLowerCase() === w || st === w || st === `${w}s` || `${st}s` === w || `${st}es` === w || st.startsWith(`${w}-`);
  });
}

/** Korean words that stand before 서비스 without naming one ("모든 서비스", "지난 1시간 서비스별"). */
const KO_NOT_A_NAME =
  /^(?:모든|전체|각|각각|어느|어떤|무슨|이|그|저|해당|가장|제일|느린|빠른|시간|분|일|오늘|어제|동안|최근|지난|에러|오류|요청|실패|문제|장애|우리|내|다른|나머지|주요|전|후|많은|적은|높은|낮은|많이)$/;

class Reader {
  text: string;
  readonly filter: BasicStatFilter = {};
  readonly unresolved: string[] = [];
  readonly resolved: Resolution[] = [];
  clarify: Clarification | undefined;

  constructor(
    question: string,
    readonly vocabulary: Vocabulary,
  ) {
    this.text = question;
  }

  ask(clarification: Clarification): void {
    this.clarify ??= clarification;
  }

  routes(): void {
    const { routes } = this.vocabulary;
    const re = /(?:^|[\s"'`(])(\/[A-Za-z0-9_\-./:{}]*[A-Za-z0-9_\-:{}])/g;
    for (const match of this.text.matchAll(re)) {
      const token = match[1] ?? "";
      const start = this.text.indexOf(token, match.index);
      this.text = blank(this.text, start, token.length);
      if (this.filter.route) continue;
      const exact = routes.find((r) => r === token || r === `${token}/` || `${r}/` === token);
      if (exact) {
        this.filter.route = exact;
        continue;
      }
      const near = routes
        .map((r) => ({ r, d: editDistance(token.toLowerCase(), r.toLowerCase(), 4) }))
        .filter((x) => x.d <= typoBudget(normal(token).length))
        .sort((a, b) => a.d - b.d)[0];
      if (near) {
        this.filter.route = near.r;
        this.resolved.push({ term: token, value: near.r, kind: "route", how: "typo" });
      } else {
        this.unresolved.push(`route ${token}`);
        this.ask({ kind: "route", term: token, candidates: closest(token, routes) });
      }
    }
  }

  errorCodes(): void {
    const codes = this.vocabulary.errorCodes;
    // Codes are compared with spaces and dashes read as underscores: "gateway timeout" → GATEWAY_TIMEOUT.
    const normalText = this.text.toUpperCase().replace(/[\s-]/g, "_");
    for (const code of [...codes].sort((a, b) => b.length - a.length)) {
      const key = code.toUpperCase().replace(/[\s-]/g, "_");
      const hit = new RegExp(`(?:^|[^A-Z0-9])${escapeRegex(key)}S?(?![A-Z0-9])`).exec(normalText);
      if (!hit) continue;
      const start = hit.index + (hit[0].startsWith(key) ? 0 : 1);
      this.filter.errorCode = code;
      this.text = blank(this.text, start, code.length);
      return;
    }
    for (const [re, code] of KO_CODE_ALIASES) {
      const hit = re.exec(this.text.toLowerCase());
      if (!hit) continue;
      const stored = codes.find((c) => c.toUpperCase() === code);
      this.text = blank(this.text, hit.index, hit[0].length);
      if (stored) {
        this.filter.errorCode = stored;
        this.resolved.push({ term: hit[0], value: stored, kind: "errorCode", how: "alias" });
      } else {
        this.unresolved.push(`error code "${hit[0]}"`);
        this.ask({ kind: "errorCode", term: hit[0], candidates: closest(code, codes) });
      }
      return;
    }
    // Something spelled like a code (UPPER_SNAKE) that is not one: a typo, or a code the data lacks.
    const shaped = /(?<![A-Za-z0-9])([A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])(?![A-Za-z0-9])/.exec(this.text);
    if (!shaped?.[1]) return;
    const token = shaped[1];
    this.text = blank(this.text, shaped.index, token.length);
    const near = codes
      .map((c) => ({ c, d: editDistance(token, c.toUpperCase(), 3) }))
      .filter((x) => x.d <= typoBudget(token.length))
      .sort((a, b) => a.d - b.d)[0];
    if (near) {
      this.filter.errorCode = near.c;
      this.resolved.push({ term: token, value: near.c, kind: "errorCode", how: "typo" });
    } else {
      this.unresolved.push(`error code ${token}`);
      this.ask({ kind: "errorCode", term: token, candidates: closest(token, codes, 5) });
    }
  }

  /** Exact names, plurals and stems; with route words nearby, a route's last segment first. */
  namesInLatin(): void {
    const { services, routes } = this.vocabulary;
    const routeContext = ROUTE_CONTEXT.test(this.text.toLowerCase());
    for (const match of [...this.text.toLowerCase().matchAll(/[a-z][a-z0-9_-]*[a-z0-9]/g)]) {
      const word = match[0];
      // An ordinary English word ("me", "search for") names a route only when spelled like one exactly.
      const fragment = this.filter.route || isKnownWord(word) ? undefined : routeByFragment(word, routes);
      const service = this.filter.service ? undefined : serviceByStem(word, services);
      if (fragment && (routeContext || !service) && !services.some((s) => s.toLowerCase() === word)) {
        this.filter.route = fragment;
        if (fragment.toLowerCase() !== word) this.resolved.push({ term: word, value: fragment, kind: "route", how: "fragment" });
      } else if (service) {
        this.filter.service = service;
      } else if (services.some((s) => s.toLowerCase() === word) || (!isKnownWord(word) && routes.some((r) => lastSegment(r) === word))) {
        // A second name of the same kind: kept out of the filter, but not silently.
        this.unresolved.push(`"${word}" (one ${this.filter.service ? "service" : "route"} per question)`);
      } else continue;
      this.text = blank(this.text, match.index ?? 0, word.length);
    }
  }

  korean(): void {
    const { services, routes } = this.vocabulary;
    const lower = this.text.toLowerCase();
    for (const [word, stems] of KO_ALIASES) {
      const at = lower.indexOf(word);
      if (at < 0) continue;
      this.text = blank(this.text, at, word.length);
      // Stems in order of preference, each tried as a service, then as a route's last segment.
      const hit = stems
        .map((s) => {
          const service = serviceByStem(s, services);
          if (service) return { kind: "service" as const, value: service };
          const route = routeByFragment(s, routes);
          return route ? { kind: "route" as const, value: route } : undefined;
        })
        .find(Boolean);
      if (hit && this.filter[hit.kind] === hit.value) continue; // "상품 카탈로그": two words, one name
      if (hit && this.filter[hit.kind] === undefined) {
        this.filter[hit.kind] = hit.value;
        this.resolved.push({ term: word, value: hit.value, kind: hit.kind, how: "alias" });
      } else if (hit) {
        this.unresolved.push(`"${word}" (one ${hit.kind} per question)`);
      } else if (!this.filter.service) {
        this.unresolved.push(`service "${word}"`);
        this.ask({ kind: "service", term: word, candidates: closest(stems[0] ?? word, services) });
      }
    }
    // "배송 서비스", "알림 api": a Korean name in a service's place that no alias knows.
    const named = /(?:^|[\s,])([가-힣]{2,12}?)(?:의)?\s*(?:서비스|라우트|엔드포인트)(?!\s*(?:별|마다|당))/.exec(this.text);
    if (named?.[1] && !this.filter.service && !this.filter.route && !KO_NOT_A_NAME.test(named[1])) {
      this.unresolved.push(`service "${named[1]}"`);
      this.ask({ kind: "service", term: named[1], candidates: closest(named[1], services) });
    }
  }

  /**
   * Korean words left over that no alias, field or name took and the known-word list lacks:
   * reported, and asked about when nothing else names what to count ("배송 요청 몇 건").
   */
  koreanLeftovers(): void {
    const unknown = [...this.text.matchAll(/[가-힣]+/g)].map((m) => m[0]).filter((w) => w.length >= 2 && !isKnownKorean(w));
    for (const word of [...new Set(unknown)].slice(0, 5)) this.unresolved.push(`"${word}"`);
    const first = unknown[0];
    if (first && !this.filter.service && !this.filter.route && !this.filter.errorCode) {
      this.ask({ kind: "service", term: first, candidates: closest(first, this.vocabulary.services, 5) });
    }
  }

  /** Latin words left over: a typo of a stored name, or a word nobody mapped. */
  leftovers(): void {
    const { services, routes } = this.vocabulary;
    const names = [...services.map((s) => ({ value: s, key: s.toLowerCase() })), ...services.map((s) => ({ value: s, key: stem(s) }))];
    for (const word of latinWords(this.text)) {
      if (isKnownWord(word) || METHODS.includes(word.toUpperCase() as (typeof METHODS)[number])) continue;
      const budget = typoBudget(word.length);
      const service = names.find((n) => editDistance(word, n.key, budget) <= budget);
      const route = routes.find((r) => editDistance(word, lastSegment(r), budget) <= budget);
      if (service && !this.filter.service) {
        this.filter.service = service.value;
        this.resolved.push({ term: word, value: service.value, kind: "service", how: "typo" });
      } else if (route && !this.filter.route && !service) {
        this.filter.route = route;
        this.resolved.push({ term: word, value: route, kind: "route", how: "typo" });
      } else if (!service && !route) {
        this.unresolved.push(`"${word}"`);
        // Named as the thing to count, with nothing else named: the answer would be the whole tenant's.
        if (!this.filter.service && !this.filter.route && !this.filter.errorCode) {
          this.ask({ kind: "service", term: word, candidates: closest(word, services, 5) });
        }
      }
    }
  }
}

/** Status codes as numbers: "502", "502s", "상태 500"; not "500ms", "top 100" or a year. */
function findStatusCode(text: string): number | undefined {
  const re = /(?<![\d.:/])([1-5]\d\d)(?![\d.:])(?!\s*(?:ms|milli|msec|sec|초|분|시간|일|%|개|건|명|events|requests|rows))/g;
  for (const match of text.matchAll(re)) {
    const before = text.slice(Math.max(0, match.index - 8), match.index).toLowerCase();
    if (/(?:top|last|first|limit|상위|최근)\s*$/.test(before)) continue;
    return Number(match[1]);
  }
  return undefined;
}

function findMethod(text: string): BasicStatFilter["method"] {
  // Upper case, or lower case right before "requests": "get" alone is an ordinary English verb.
  const upper = METHODS.find((m) => new RegExp(`(?:^|[^A-Za-z])${m}(?![A-Za-z])`).test(text));
  if (upper) return upper;
  const lower = /\b(post|put|patch|delete)\s+(?:requests?|calls?)\b/.exec(text.toLowerCase())?.[1];
  return lower ? (lower.toUpperCase() as BasicStatFilter["method"]) : undefined;
}

/**
 * Every entity the question names, each checked against the vocabulary. `freeText` (the "errors
 * like X" text a SEARCH matches) is not read as names or reported as unknown words.
 */
export function extractEntities(question: string, vocabulary: Vocabulary, freeText?: string): Entities {
  const reader = new Reader(question, vocabulary);
  reader.routes();
  reader.errorCodes();
  reader.namesInLatin();
  reader.korean();
  const statusCode = findStatusCode(reader.text);
  if (statusCode !== undefined) reader.filter.statusCode = statusCode;
  const method = findMethod(reader.text);
  if (method) reader.filter.method = method;
  reader.text = reader.text.replace(/\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g, " ");
  if (freeText) {
    const at = reader.text.toLowerCase().indexOf(freeText.toLowerCase());
    if (at >= 0) reader.text = blank(reader.text, at, freeText.length);
  }
  reader.leftovers();
  reader.koreanLeftovers();
  const { filter, unresolved, resolved, clarify } = reader;
  return { filter, unresolved, resolved, ...(clarify ? { clarify } : {}) };
}
