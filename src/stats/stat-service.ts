import { planQuery, type QueryScope } from "../domain/query/plan.ts";
import type { StatQuery, StatResult } from "../domain/query/stat-query.ts";
import type { RollupRecord } from "../domain/rollup/rollup.ts";
import { answerableFromRollups, evaluateRollups, planRollupSpans } from "../domain/rollup/rollup-query.ts";
import type { EventStore } from "../ports/event-store.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The rollup-first planner behind POST /v1/query and the search API: a query over the rollup
 * dimensions is answered exactly from rollups; anything else (attr: fields, duration filters, a
 * range from before rollups began) from the kept events, weighted. Every answer says which.
 */
export async function answerStatQuery(store: EventStore, query: StatQuery, scope: QueryScope): Promise<StatResult> {
  const now = scope.now ?? Date.now();
  const plan = planQuery(query, { ...scope, now });
  if (answerableFromRollups(plan)) {
    const range = planRollupSpans(plan);
    const since = await store.rollupsSince();
    if (range.from >= since) {
      const { set, bins, service, error } = range;
      const narrowing = { set, bins, ...(service === undefined ? {} : { service }), ...(error === undefined ? {} : { error }) };
      const parts = await Promise.all(range.spans.map((span) => store.readRollups({ tenant: scope.tenant, ...span, ...narrowing })));
      const records: RollupRecord[] = parts.flat();
      const result = evaluateRollups(plan, range, records);
      return { ...result, source: "rollups", range: { from: iso(range.from), to: iso(range.to) } };
    }
  }
  const result = await store.query(query, { ...scope, now });
  return { ...result, source: "events", range: { from: iso(plan.from), to: iso(plan.to) } };
}
