import { type BasicStatFilter, METHODS } from "../query/stat-query.ts";
import type { Vocabulary } from "./types.ts";

/**
 * Finds the services, routes, error codes, status codes and methods a question names, grounded in
 * the store's vocabulary: a name that the data does not hold is never produced. Matched spans are
 * blanked as we go (route → error code → service) so "/api/payments" does not also read as the
 * service "payment".
 */

/** Korean words for common service names → English stems a service may be called by. */
const KO_SERVICE_ALIASES: Record<string, readonly string[]> = {
  결제: ["payment", "pay", "billing"],
  환불: ["refund", "payment"],
  주문: ["order"],
  사용자: ["user", "account"],
  유저: ["user", "account"],
  회원: ["user", "member", "account"],
  인증: ["auth", "login"],
  로그인: ["auth", "login"],
  배송: ["shipping", "delivery"],
  장바구니: ["cart"],
  재고: ["inventory", "stock"],
  알림: ["notification", "notify"],
  상품: ["product", "catalog"],
  게이트웨이: ["gateway"],
};

export interface Entities {
  filter: BasicStatFilter;
  /** Names the question seems to use that the data does not hold (reported, never queried). */
  unresolved: string[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const stem = (service: string) => service.toLowerCase().replace(/[-_.](service|svc|api|server)$/, "");
const blank = (text: string, start: number, length: number) => text.slice(0, start) + " ".repeat(length) + text.slice(start + length);

function findRoute(text: string, routes: readonly string[]): { route?: string; unknown?: string; text: string } {
  const match = /(?:^|[\s"'`(])(\/[A-Za-z0-9_\-./:{}]*[A-Za-z0-9_\-:{}])/.exec(text);
  if (!match?.[1]) return { text };
  const token = match[1];
  const start = text.indexOf(token, match.index);
  const rest = blank(text, start, token.length);
  const route = routes.find((r) => r === token || r === `${token}/` || `${r}/` === token);
  return route ? { route, text: rest } : { unknown: token, text: rest };
}

function findErrorCode(text: string, codes: readonly string[]): { errorCode?: string; text: string } {
  // Codes are compared with spaces and dashes read as underscores: "gateway timeout" → GATEWAY_TIMEOUT.
  const normal = text.toUpperCase().replace(/[\s-]/g, "_");
  const byLength = [...codes].sort((a, b) => b.length - a.length);
  for (const code of byLength) {
    const re = new RegExp(`(?:^|[^A-Z0-9])${escapeRegex(code.toUpperCase().replace(/[\s-]/g, "_"))}(?![A-Z0-9])`);
    const hit = re.exec(normal);
    if (!hit) continue;
    const start = hit.index + (hit[0].length - code.length);
    return { errorCode: code, text: blank(text, start, code.length) };
  }
  return { text };
}

function findService(text: string, services: readonly string[]): { service?: string; unknown?: string; text: string } {
  const lower = text.toLowerCase();
  const byLength = [...services].sort((a, b) => b.length - a.length);
  for (const service of byLength) {
    for (const name of new Set([service.toLowerCase(), stem(service)])) {
      const hit = new RegExp(`(?:^|[^a-z0-9_])(${escapeRegex(name)})(?:e?s)?(?![a-z0-9_])`).exec(lower);
      if (hit?.[1]) {
        const start = hit.index + hit[0].indexOf(hit[1]);
        return { service, text: blank(text, start, name.length) };
      }
    }
  }
  for (const [word, stems] of Object.entries(KO_SERVICE_ALIASES)) {
    if (!lower.includes(word)) continue;
    const service = byLength.find((s) => stems.some((x) => stem(s) === x || stem(s) === `${x}s` || stem(s).startsWith(`${x}-`)));
    return service ? { service, text } : { unknown: word, text };
  }
  // "did X have", "the X service": a name the person clearly means, which the data does not hold.
  const named = /\bdid ([a-z][\w-]{1,40}) have\b|\b([a-z][\w-]{1,40}) (?:service|svc)\b/.exec(lower);
  const unknown = named?.[1] ?? named?.[2];
  if (unknown && !NOT_A_NAME.has(unknown)) return { unknown, text };
  return { text };
}

const NOT_A_NAME = new Set([
  "each",
  "every",
  "which",
  "what",
  "per",
  "by",
  "the",
  "a",
  "any",
  "all",
  "this",
  "that",
  "one",
  "slowest",
  "fastest",
  "top",
  "my",
  "our",
  "your",
  "it",
  "they",
  "we",
  "you",
]);

/** Status codes as numbers: "502", "502s", "상태 500"; not "500ms", "top 100" or a year. */
function findStatusCode(text: string): number | undefined {
  const re = /(?<![\d.:/])([1-5]\d\d)(?![\d.])(?!\s*(?:ms|milli|msec|sec|초|분|시간|일|%|개|건|명|events|requests|rows))/g;
  for (const match of text.matchAll(re)) {
    const before = text.slice(Math.max(0, match.index - 8), match.index).toLowerCase();
    if (/(?:top|last|first|limit|상위|최근)\s*$/.test(before)) continue;
    return Number(match[1]);
  }
  return undefined;
}

function findMethod(text: string): BasicStatFilter["method"] {
  // Upper case only: "get" is an ordinary English verb.
  return METHODS.find((m) => new RegExp(`(?:^|[^A-Za-z])${m}(?![A-Za-z])`).test(text));
}

/** Every entity the question names, each checked against the vocabulary. */
export function extractEntities(question: string, vocabulary: Vocabulary): Entities {
  const unresolved: string[] = [];
  const filter: BasicStatFilter = {};
  const r = findRoute(question, vocabulary.routes);
  if (r.route) filter.route = r.route;
  if (r.unknown) unresolved.push(`route ${r.unknown}`);
  const e = findErrorCode(r.text, vocabulary.errorCodes);
  if (e.errorCode) filter.errorCode = e.errorCode;
  const s = findService(e.text, vocabulary.services);
  if (s.service) filter.service = s.service;
  if (s.unknown) unresolved.push(`service "${s.unknown}"`);
  const statusCode = findStatusCode(s.text);
  if (statusCode !== undefined) filter.statusCode = statusCode;
  const method = findMethod(s.text);
  if (method) filter.method = method;
  return { filter, unresolved };
}
