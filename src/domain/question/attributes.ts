import { GROUP_FIELDS, type GroupKey } from "../query/stat-query.ts";
import { closestFields, findFieldValues, resolveField } from "./fields.ts";
import * as L from "./lexicon.ts";
import type { AttrFilter, Clarification, FieldInfo, Resolution } from "./types.ts";

/**
 * The attribute part of a question: "by region", "지역별", "플랜별" become `attr:` groups, and a
 * stored value such as "enterprise" or "us-east-1" becomes an equality filter on its field. The
 * words used are blanked from the text, so the name reader neither reads nor reports them again.
 * A grouping word that names neither a rollup dimension nor a seen field is asked about, with the
 * closest seen field names.
 */

export interface Attributes {
  /** The question with the attribute words blanked. */
  text: string;
  groups: GroupKey[];
  filter: AttrFilter;
  resolved: Resolution[];
  clarify?: Clarification;
}

const blank = (text: string, start: number, length: number) => text.slice(0, start) + " ".repeat(length) + text.slice(start + length);

/** Blanks every word of the text that names `path` ("plan" next to "enterprise"). */
function blankFieldWords(text: string, path: string, fields: readonly FieldInfo[]): string {
  let out = text;
  for (const m of text.toLowerCase().matchAll(/[a-z][a-z0-9_.-]*|[가-힣]+/g)) {
    const word = m[0].replace(/(?:이|가|은|는|의|에서|인|으로|로)$/, "");
    if (word.length >= 2 && resolveField(word, fields)?.path === path) out = blank(out, m.index ?? 0, m[0].length);
  }
  return out;
}

export function readAttributes(question: string, fields: readonly FieldInfo[]): Attributes {
  let text = question;
  const lower = question.toLowerCase();
  const out: Attributes = { text, groups: [], filter: {}, resolved: [] };
  for (const hit of findFieldValues(question, fields)) {
    out.filter[hit.path] = hit.value;
    text = blank(text, hit.start, hit.length);
    text = blankFieldWords(text, hit.path, fields);
  }
  for (const match of lower.matchAll(L.GROUP_ASK)) {
    const word = match[1] ?? match[2];
    if (!word || L.KNOWN_GROUP_WORDS.test(word) || /^\d/.test(word)) continue;
    if (L.GROUP_WORDS.some(([, re]) => re.test(lower)) && !match[2]) continue;
    // "by customer tier": the word after the first may be the field's name.
    const next = /^\s+([a-z][\w.-]*)/.exec(lower.slice((match.index ?? 0) + match[0].length))?.[1];
    const direct = resolveField(word, fields);
    const second = direct || !next ? undefined : resolveField(next, fields);
    const field = direct ?? second;
    let at = (match.index ?? 0) + match[0].indexOf(word);
    if (second && next) {
      text = blank(text, at, word.length);
      at = lower.indexOf(next, at + word.length);
    }
    const term = second && next ? next : word;
    if (field) {
      const key = `attr:${field.path}` as const;
      if (!out.groups.includes(key)) out.groups.push(key);
      if (field.how !== "exact")
        out.resolved.push({ term, value: field.path, kind: "field", how: field.how === "alias" ? "alias" : "typo" });
      text = blank(text, at, term.length);
      continue;
    }
    out.clarify ??= { kind: "field", term: word, candidates: [...closestFields(word, fields), ...GROUP_FIELDS].slice(0, 8) };
  }
  // "where plan is gold": a seen field with a value it does not hold.
  const where = /\b(?:where|with|whose)\s+([a-z][\w.-]*)\s+(?:is|=|equals)\s+([\w.-]+)/.exec(lower);
  if (where?.[1] && where[2]) {
    const field = resolveField(where[1], fields);
    const info = fields.find((f) => f.path === field?.path);
    if (info && out.filter[info.path] === undefined) {
      const value = info.values.find((v) => v.toLowerCase() === where[2]);
      if (value !== undefined || info.values.length === 0) {
        const start = where.index + where[0].lastIndexOf(where[2]);
        out.filter[info.path] = value ?? question.slice(start, start + where[2].length);
        text = blank(text, where.index, where[0].length);
      } else {
        out.clarify ??= { kind: "field", term: where[2], candidates: [...info.values].slice(0, 8) };
      }
    }
  }
  out.text = text;
  return out;
}
