import { z } from "zod";
import {
  asBasicQuery,
  type BasicStatQuery,
  BUCKETS,
  GROUP_FIELDS,
  METHODS,
  METRICS,
  NUMERIC_FIELDS,
  parseStatQuery,
  safeString,
  type TimeRange,
} from "../query/stat-query.ts";
import {
  ANALYSIS_KINDS,
  type AnalysisRequest,
  type AttrFilter,
  ENTITY_KINDS,
  INTENTS,
  type Plan,
  type PlanStatQuery,
  type Resolution,
  searchFiltersSchema,
  type Vocabulary,
} from "./types.ts";

/**
 * The reply a planner (the LLM, or the rules parser through the same door) gives for a question,
 * and the only way such a reply becomes a Plan. Every field is present and null when unknown
 * (what OpenAI's strict structured output wants). service/route/errorCode may only be values the
 * store holds; the BasicStatQuery then passes `parseStatQuery`, the same whitelist as POST /v1/query.
 */

/** Enum sizes sent to the model; structured output limits total enum values. */
export const ENUM_CAP = 200;

type VocabField = (values: readonly string[]) => z.ZodType<string | null>;

const forSchema: VocabField = (values) => {
  const capped = [...values].slice(0, ENUM_CAP);
  return capped.length ? z.enum(capped as [string, ...string[]]).nullable() : z.null();
};

const forValidation: VocabField = (values) => {
  const known = new Set(values);
  return safeString(512)
    .refine((v) => known.has(v), "is not a value the stored data holds")
    .nullable();
};

/**
 * Fields added after the first version of the reply: required (nullable) in the schema sent to the
 * model, optional when validating, so a reply without them still means what it always meant.
 */
const later = <T extends z.ZodType>(schema: T, strict: boolean) => (strict ? schema : schema.optional());

function replySchema(vocabulary: Vocabulary, field: VocabField) {
  const strict = field === forSchema;
  const known = new Set<string>([...vocabulary.services, ...vocabulary.routes, ...vocabulary.errorCodes, ...GROUP_FIELDS, ...METRICS]);
  const fields = vocabulary.fields ?? [];
  for (const f of fields) for (const v of [f.path, ...f.values]) known.add(v);
  const candidate = strict ? z.string().max(200) : safeString(512).refine((v) => known.has(v), "is not a value the stored data holds");
  // Attribute paths seen in kept events; a value must be one of the field's listed values when it lists any.
  const paths = field(fields.map((f) => f.path));
  const valuesOf = new Map(fields.map((f) => [f.path, new Set(f.values)]));
  const attrCondition = z
    .strictObject({ path: paths, value: z.string().max(200) })
    .refine(
      (c) => strict || c.path === null || !valuesOf.get(c.path)?.size || valuesOf.get(c.path)?.has(c.value),
      "is not a value the stored data holds for that field",
    );
  const timeRange = z
    .strictObject({
      last: z
        .string()
        .regex(/^[1-9][0-9]{0,3}[mhd]$/)
        .nullable(),
      from: z.string().max(40).nullable(),
      to: z.string().max(40).nullable(),
    })
    .nullable();
  const entity = {
    service: field(vocabulary.services),
    route: field(vocabulary.routes),
    statusCode: z.number().int().min(100).max(599).nullable(),
    errorCode: field(vocabulary.errorCodes),
    method: z.enum(METHODS).nullable(),
    hasError: z.boolean().nullable(),
  };
  return z.strictObject({
    intent: z.enum(INTENTS),
    conversation: z.enum(["questions", "answer", "help"]).nullable(),
    statQuery: z
      .strictObject({
        metric: z.enum(METRICS),
        field: z.enum(NUMERIC_FIELDS).nullable(),
        filter: z.strictObject(entity),
        timeRange,
        groupBy: z.array(z.enum(GROUP_FIELDS)).max(3).nullable(),
        bucket: z.enum(BUCKETS).nullable(),
        limit: z.number().int().min(1).max(1000).nullable(),
      })
      .nullable(),
    ranking: z.strictObject({ order: z.enum(["asc", "desc"]), top: z.number().int().min(1).max(100) }).nullable(),
    search: z
      .strictObject({ ...entity, text: z.string().max(200).nullable(), timeRange, limit: z.number().int().min(1).max(100).nullable() })
      .nullable(),
    unresolved: z.array(z.string().max(100)).max(5),
    rate: later(z.enum(["second", "minute"]).nullable(), strict),
    compare: later(z.enum(["yesterday", "last_week"]).nullable(), strict),
    analysis: later(z.strictObject({ kind: z.enum(ANALYSIS_KINDS), cohort: z.enum(["failing", "slow"]).nullable() }).nullable(), strict),
    resolved: later(
      z
        .array(
          z.strictObject({
            term: z.string().max(100),
            value: z.string().max(512),
            kind: z.enum(ENTITY_KINDS),
            how: z.enum(["alias", "fragment", "typo"]),
          }),
        )
        .max(8),
      strict,
    ),
    clarify: later(
      z.strictObject({ kind: z.enum(ENTITY_KINDS), term: z.string().max(100), candidates: z.array(candidate).max(8) }).nullable(),
      strict,
    ),
    /** Kept-event attributes a numbers question groups or filters by (answered as attr: fields, estimates). */
    attributes: later(z.strictObject({ groupBy: z.array(paths).max(2), filter: z.array(attrCondition).max(5) }).nullable(), strict),
  });
}

export type PlanReply = z.infer<ReturnType<typeof replySchema>>;

/** The JSON schema for `response_format: json_schema`, with enums filled from the vocabulary. */
export function planReplyJsonSchema(vocabulary: Vocabulary): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(replySchema(vocabulary, forSchema), { target: "draft-7" }) as Record<string, unknown>;
  return schema;
}

type ReplyTimeRange = { last: string | null; from: string | null; to: string | null } | null;

/** Drops null (and absent) fields: the reply's "unknown" becomes the query's "not given". */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = compact(v);
  return out;
}

function timeRangeOf(range: ReplyTimeRange): unknown {
  if (!range) return undefined;
  if (range.last) return { last: range.last };
  if (range.from) return compact({ from: range.from, to: range.to });
  return undefined;
}

export type InterpretResult = { ok: true; plan: Plan } | { ok: false; error: string };

const fail = (error: string): InterpretResult => ({ ok: false, error });

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "reply"}: ${issue?.message ?? "invalid"}`;
}

/** Validates an untrusted reply against the vocabulary and the whitelist. */
export function interpretReply(raw: unknown, vocabulary: Vocabulary): InterpretResult {
  const parsed = replySchema(vocabulary, forValidation).safeParse(raw);
  if (!parsed.success) return fail(issueText(parsed.error));
  const reply = parsed.data;
  // Shown to the person as plain text: one line each, no control characters.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const line = (u: string) => u.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  const unresolved = reply.unresolved.map(line).filter((u) => u !== "");
  const resolved: Resolution[] = (reply.resolved ?? []).map((r) => ({ ...r, term: line(r.term), value: line(r.value) }));
  const extras = {
    unresolved,
    ...(resolved.length ? { resolved } : {}),
    ...(reply.clarify ? { clarify: { ...reply.clarify, term: line(reply.clarify.term) } } : {}),
  };
  if (reply.intent === "CONVERSATIONAL")
    return { ok: true, plan: { intent: "CONVERSATIONAL", conversation: reply.conversation ?? "help", ...extras } };
  if (reply.intent === "STATISTICAL" || reply.intent === "ANALYSIS") {
    if (!reply.statQuery) return fail("statQuery: required for a STATISTICAL intent");
    const { timeRange, ...rest } = reply.statQuery;
    const candidate = compact({ ...rest, timeRange: timeRangeOf(timeRange) }) as Record<string, unknown>;
    if (candidate.filter && Object.keys(candidate.filter).length === 0) delete candidate.filter;
    const result = parseStatQuery(candidate);
    if (!result.ok) return fail(`statQuery.${result.error}`);
    // The reply schema offers equality filters only, so a parsed reply is always basic.
    const basic = asBasicQuery(result.query);
    if (basic === null) return fail("statQuery: operators and attr: fields are not offered to the model");
    const query = withAttributes(basic, reply.attributes ?? null);
    if (query !== basic && !parseStatQuery(query).ok) return fail("attributes: not a valid attr: path");
    if (reply.intent === "ANALYSIS") {
      if (!reply.analysis) return fail("analysis: required for an ANALYSIS intent");
      const scope: BasicStatQuery = { metric: "error_rate", bucket: "1m", timeRange: query.timeRange ?? { last: "3h" } };
      const { hasError: _, statusCode: __, ...filter } = query.filter ?? {};
      if (Object.keys(filter).length) scope.filter = filter;
      const analysis: AnalysisRequest = { kind: reply.analysis.kind, query: scope };
      if (reply.analysis.cohort === "slow") analysis.cohort = "slow";
      return { ok: true, plan: { intent: "ANALYSIS", analysis, ...extras } };
    }
    return {
      ok: true,
      plan: {
        intent: "STATISTICAL",
        query,
        ...(reply.ranking ? { ranking: reply.ranking } : {}),
        ...(reply.rate ? { rate: reply.rate } : {}),
        ...(reply.compare ? { compare: reply.compare } : {}),
        ...extras,
      },
    };
  }
  if (!reply.search) return fail("search: required for a SEARCH intent");
  const { timeRange, ...rest } = reply.search;
  const search = searchFiltersSchema.safeParse(compact({ ...rest, timeRange: timeRangeOf(timeRange) }));
  if (!search.success) return fail(`search.${issueText(search.error)}`);
  return { ok: true, plan: { intent: "SEARCH", search: search.data, ...extras } };
}

/** The basic query plus the reply's attribute groups and equality filters. */
function withAttributes(
  basic: BasicStatQuery,
  attributes: { groupBy: (string | null)[]; filter: { path: string | null; value: string }[] } | null,
): PlanStatQuery {
  const groups = (attributes?.groupBy ?? []).filter((p): p is string => p !== null);
  const conditions = (attributes?.filter ?? []).filter((c): c is { path: string; value: string } => c.path !== null);
  if (!groups.length && !conditions.length) return basic;
  const query: PlanStatQuery = { ...basic };
  if (groups.length) query.groupBy = [...(basic.groupBy ?? []), ...groups.map((p) => `attr:${p}` as const)].slice(0, 3);
  if (conditions.length) {
    const attr: AttrFilter = {};
    for (const c of conditions) attr[c.path] = c.value;
    query.filter = { ...basic.filter, attr };
  }
  return query;
}

const NULL_ENTITY = { service: null, route: null, statusCode: null, errorCode: null, method: null, hasError: null };

function timeRangeReply(range: TimeRange | undefined): ReplyTimeRange {
  if (!range) return null;
  return "last" in range ? { last: range.last, from: null, to: null } : { last: null, from: range.from, to: range.to ?? null };
}

function statQueryReply(q: PlanStatQuery): NonNullable<PlanReply["statQuery"]> {
  const { attr: _, ...filter } = q.filter ?? {};
  const groups = (q.groupBy ?? []).filter((g): g is (typeof GROUP_FIELDS)[number] => !g.startsWith("attr:"));
  return {
    metric: q.metric,
    field: q.field ?? null,
    filter: { ...NULL_ENTITY, ...filter },
    timeRange: timeRangeReply(q.timeRange),
    groupBy: groups.length ? groups : q.groupBy?.length ? [] : null,
    bucket: q.bucket ?? null,
    limit: q.limit ?? null,
  };
}

/** The reply that would produce `plan`: how the rules planner speaks through the LLM port. */
export function planToReply(plan: Plan): PlanReply {
  const base: PlanReply = {
    intent: plan.intent,
    conversation: null,
    statQuery: null,
    ranking: null,
    search: null,
    unresolved: plan.unresolved.slice(0, 5),
    rate: null,
    compare: null,
    analysis: null,
    resolved: (plan.resolved ?? []).slice(0, 8),
    clarify: plan.clarify ? { ...plan.clarify, candidates: plan.clarify.candidates.slice(0, 8) } : null,
    attributes: null,
  };
  if (plan.intent === "CONVERSATIONAL") return { ...base, conversation: plan.conversation };
  if (plan.intent === "SEARCH") {
    const { timeRange, text, limit, ...entity } = plan.search;
    return {
      ...base,
      search: { ...NULL_ENTITY, ...entity, text: text ?? null, timeRange: timeRangeReply(timeRange), limit: limit ?? null },
    };
  }
  if (plan.intent === "ANALYSIS") {
    return {
      ...base,
      statQuery: statQueryReply(plan.analysis.query),
      analysis: { kind: plan.analysis.kind, cohort: plan.analysis.cohort ?? null },
    };
  }
  return {
    ...base,
    ranking: plan.ranking ?? null,
    rate: plan.rate ?? null,
    compare: plan.compare ?? null,
    statQuery: statQueryReply(plan.query),
    attributes: attributesReply(plan.query),
  };
}

function attributesReply(q: PlanStatQuery): PlanReply["attributes"] {
  const groupBy = (q.groupBy ?? []).filter((g) => g.startsWith("attr:")).map((g) => g.slice(5));
  const filter = Object.entries(q.filter?.attr ?? {}).map(([path, value]) => ({ path, value: String(value) }));
  return groupBy.length || filter.length ? { groupBy, filter } : null;
}
