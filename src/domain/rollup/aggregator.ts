import { isErrorEvent } from "../event/error-flag.ts";
import { utf8Length } from "../event/utf8.ts";
import { binOf } from "../query/histogram.ts";
import type { ExemplarMemory } from "./exemplar-memory.ts";
import { OTHER, type RollupDelta, type RollupDims, type RollupRow } from "./rollup.ts";

/** The fields counting reads: a validated event (timestamp in `toISOString()` form). */
export interface CountableEvent {
  tenant: string;
  timestamp: string;
  service: string;
  route?: unknown;
  method?: unknown;
  statusCode?: unknown;
  durationMs?: unknown;
  error?: unknown;
}

export interface RollupAggregatorOptions {
  /** Groups per tenant and minute before new groups fold into `__other__` (ROLLUP_MAX_GROUPS). */
  maxGroups: number;
  /** Rows per published delta, so one delta stays far below a Kafka message limit. */
  maxRowsPerDelta?: number;
  /**
   * Serialised bytes per published delta (its rows' JSON), so a delta always fits the publisher's
   * message limit (KAFKA_MAX_MESSAGE_BYTES) and is never dead-lettered for its size: a lost delta
   * would be counts lost for good. A single row over it still travels alone.
   */
  maxDeltaBytes?: number;
  /** Group states remembered across flushes (for the cap and exemplars); the oldest minutes go first. */
  trackedGroups?: number;
  /** Unique id of a delta (a UUID by default). */
  newId?: () => string;
  /** Called once per event counted under `__other__`, with the dimension that was folded last. */
  onOverflow?: (dimension: CollapsibleDimension) => void;
  /**
   * An instance's memory of groups that already have a kept event, shared by short-lived
   * aggregators (one per keyed request): a group another owner kept starts as kept here.
   */
  exemplars?: { memory: ExemplarMemory; owner: string };
}

export type CollapsibleDimension = "route" | "errorCode" | "service";

/** What one flush window has counted for one group: becomes a RollupRow. */
interface Accumulator extends RollupRow {}

/**
 * One group of one tenant's minute, remembered across flushes: `kept` says whether any event of it
 * was kept here, which decides exemplars.
 */
export class GroupState {
  acc: Accumulator | null = null;
  generation = -1;
  kept = false;
  constructor(
    readonly dims: RollupDims,
    /** [minute key, group key] in the shared ExemplarMemory, when there is one. */
    readonly memo: readonly [string, string] | null = null,
  ) {}
}

class MinuteEntry {
  readonly groups = new Map<string, GroupState>();
  /**
   * The same groups (those counted under their own dimensions, never folded ones) by route: a
   * lookup that builds no key string. Routes come out of redaction's memo as the same strings,
   * whose hash is computed once; a route holds few groups, compared field by field.
   */
  readonly byRoute = new Map<string | null, GroupState[]>();
  /** Dimensions to fold into `__other__`, most distinct values first; computed when the cap is first hit. */
  foldOrder: CollapsibleDimension[] | null = null;
  /** Folded groups created beyond the cap. */
  overflowGroups = 0;
  constructor(
    readonly tenant: string,
    readonly minute: number,
  ) {}
}

/** Exemplar ids an accumulator collects per flush. */
const EXEMPLARS_PER_FLUSH = 3;

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/**
 * Counts every accepted event into per-(tenant, minute, group) sums, in memory, until `drain`
 * turns them into deltas. On Bun one aggregator lives for the process and is drained every
 * ROLLUP_FLUSH_MS; on Workers each request drains its own. The per-minute group index outlives a
 * flush, so the ROLLUP_MAX_GROUPS cap and "one exemplar per group and minute" hold across flushes
 * on one instance (a soft bound: several gateways each apply it).
 */
export class RollupAggregator {
  private readonly minutes = new Map<string, MinuteEntry>();
  private touched: Accumulator[] = [];
  private tenantsTouched = new Map<string, Accumulator[]>();
  private generation = 0;
  private tracked = 0;
  private lastTenant = "";
  private lastPrefix = "";
  private lastEntry: MinuteEntry | null = null;
  private readonly maxRowsPerDelta: number;
  private readonly maxDeltaBytes: number;
  private readonly trackedLimit: number;
  private readonly newId: () => string;
  private readonly overflowBudget: number;

  constructor(private readonly options: RollupAggregatorOptions) {
    this.maxRowsPerDelta = options.maxRowsPerDelta ?? 500;
    this.maxDeltaBytes = options.maxDeltaBytes ?? Number.POSITIVE_INFINITY;
    this.trackedLimit = options.trackedGroups ?? Math.max(100_000, options.maxGroups * 4);
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.overflowBudget = Math.max(16, Math.floor(options.maxGroups / 10));
  }

  get maxGroups(): number {
    return this.options.maxGroups;
  }

  get deltaBytes(): number {
    return this.maxDeltaBytes;
  }

  /** Groups remembered for the cap and exemplars (bounded by `trackedGroups`). */
  get trackedGroups(): number {
    return this.tracked;
  }

  /** Groups counted since the last drain. */
  get pending(): number {
    return this.touched.length;
  }

  /**
   * Counts one accepted event and returns its group, so the caller can mark it kept. `tenant`
   * defaults to the event's (ingest passes it: events it drops never get the field).
   */
  count(event: CountableEvent): GroupState;
  count(event: Omit<CountableEvent, "tenant">, tenant: string): GroupState;
  count(event: Omit<CountableEvent, "tenant"> & { tenant?: string }, tenant: string = event.tenant ?? ""): GroupState {
    const entry = this.minuteEntry(tenant, event.timestamp);
    const route = str(event.route);
    const method = str(event.method);
    const status = typeof event.statusCode === "number" ? event.statusCode : null;
    const error = event.error;
    const errorCode = typeof error === "object" && error !== null ? str((error as { code?: unknown }).code) : null;
    const err = isErrorEvent(event) ? 1 : 0;
    const service = event.service;
    const sameRoute = entry.byRoute.get(route);
    let state = sameRoute === undefined ? undefined : findGroup(sameRoute, service, method, status, errorCode, err);
    if (state === undefined) {
      const key = keyOf(service, route, method, status, errorCode, err);
      state = entry.groups.get(key);
      if (state === undefined) {
        const dims: RollupDims = { service, route, method, statusCode: status, errorCode, error: err };
        state = entry.groups.size < this.options.maxGroups ? this.addGroup(entry, key, dims) : this.overflowGroup(entry, dims);
      }
      const { dims } = state;
      // Folded groups stay out of the index: it holds at most maxGroups groups per minute, like `groups`.
      if (dims.route === route && dims.service === service && dims.errorCode === errorCode && dims.method === method) {
        if (sameRoute === undefined) entry.byRoute.set(route, [state]);
        else if (sameRoute.length < GROUPS_PER_ROUTE) sameRoute.push(state);
      }
    }
    let acc = state.acc;
    if (state.generation !== this.generation || acc === null) {
      acc = {
        ...state.dims,
        minute: entry.minute,
        count: 0,
        durationCount: 0,
        durationSum: 0,
        durationMin: null,
        durationMax: null,
        bins: {},
        exemplars: [],
      };
      state.acc = acc;
      state.generation = this.generation;
      this.touched.push(acc);
      let list = this.tenantsTouched.get(entry.tenant);
      if (list === undefined) {
        list = [];
        this.tenantsTouched.set(entry.tenant, list);
      }
      list.push(acc);
    }
    acc.count++;
    const d = event.durationMs;
    if (typeof d === "number" && Number.isFinite(d) && d >= 0) {
      acc.durationCount++;
      acc.durationSum += d;
      if (acc.durationMin === null || d < acc.durationMin) acc.durationMin = d;
      if (acc.durationMax === null || d > acc.durationMax) acc.durationMax = d;
      const bin = binOf(d);
      acc.bins[bin] = (acc.bins[bin] ?? 0) + 1;
    }
    return state;
  }

  /** Records that an event of `state`'s group was kept (stored), with its eventId as an exemplar. */
  kept(state: GroupState, eventId: string): void {
    const shared = this.options.exemplars;
    if (!state.kept && shared !== undefined && state.memo !== null) shared.memory.remember(state.memo[0], state.memo[1], shared.owner);
    state.kept = true;
    const acc = state.acc;
    if (acc !== null && state.generation === this.generation && acc.exemplars.length < EXEMPLARS_PER_FLUSH) acc.exemplars.push(eventId);
  }

  /**
   * Everything counted since the last drain: per tenant, deltas of at most maxRowsPerDelta rows and
   * maxDeltaBytes bytes, cut in counting order (so a re-posted keyed request cuts the same way).
   */
  drain(): RollupDelta[] {
    if (this.touched.length === 0) return [];
    const deltas: RollupDelta[] = [];
    const byBytes = Number.isFinite(this.maxDeltaBytes);
    for (const [tenant, rows] of this.tenantsTouched) {
      let start = 0;
      let bytes = 0;
      for (let i = 0; i < rows.length; i++) {
        // +1: the comma between rows.
        const size = byBytes ? utf8Length(JSON.stringify(rows[i])) + 1 : 0;
        if (i > start && (i - start >= this.maxRowsPerDelta || bytes + size > this.maxDeltaBytes)) {
          deltas.push({ kind: "rollup", id: this.newId(), tenant, rows: rows.slice(start, i) });
          start = i;
          bytes = 0;
        }
        bytes += size;
      }
      deltas.push({ kind: "rollup", id: this.newId(), tenant, rows: rows.slice(start) });
    }
    this.touched = [];
    this.tenantsTouched = new Map();
    this.generation++;
    this.evict();
    return deltas;
  }

  private minuteEntry(tenant: string, timestamp: string): MinuteEntry {
    // Timestamps are normalised to toISOString() form, so the first 16 characters name the minute.
    if (this.lastEntry !== null && tenant === this.lastTenant && timestamp.startsWith(this.lastPrefix)) return this.lastEntry;
    const prefix = timestamp.slice(0, 16);
    const key = `${tenant}\u0000${prefix}`;
    let entry = this.minutes.get(key);
    if (entry === undefined) {
      entry = new MinuteEntry(tenant, Date.parse(`${prefix}:00.000Z`));
      this.minutes.set(key, entry);
    }
    this.lastTenant = tenant;
    this.lastPrefix = prefix;
    this.lastEntry = entry;
    return entry;
  }

  private addGroup(entry: MinuteEntry, key: string, dims: RollupDims): GroupState {
    const shared = this.options.exemplars;
    let state: GroupState;
    if (shared === undefined) state = new GroupState(dims);
    else {
      const minuteKey = `${entry.tenant}\u0000${entry.minute}`;
      state = new GroupState(dims, [minuteKey, key]);
      state.kept = shared.memory.keptByOther(minuteKey, key, shared.owner);
    }
    entry.groups.set(key, state);
    this.tracked++;
    return state;
  }

  /**
   * The cap is reached: fold the dimension with the most distinct values into `__other__` (then
   * the next, and the next). A folded group is created while the minute has a small overflow budget
   * left; after that only fully folded groups are (one per method, status and error flag), so
   * memory stays bounded and totals stay exact.
   */
  private overflowGroup(entry: MinuteEntry, dims: RollupDims): GroupState {
    entry.foldOrder ??= foldOrder(entry);
    const folded: RollupDims = { ...dims };
    const order = entry.foldOrder;
    let state: GroupState | undefined;
    let last: CollapsibleDimension = order[0] ?? "route";
    for (let i = 0; i < order.length && state === undefined; i++) {
      const dimension = order[i] as CollapsibleDimension;
      if (folded[dimension] === null || folded[dimension] === OTHER) continue;
      folded[dimension] = OTHER;
      last = dimension;
      const key = groupKey(folded);
      state = entry.groups.get(key);
      if (state === undefined && entry.overflowGroups < this.overflowBudget) {
        entry.overflowGroups++;
        state = this.addGroup(entry, key, { ...folded });
      }
    }
    if (state === undefined) {
      const key = groupKey(folded);
      state = entry.groups.get(key) ?? this.addGroup(entry, key, folded);
    }
    this.options.onOverflow?.(last);
    return state;
  }

  /** Forgets the oldest minutes once too many groups are remembered; their counts were already drained. */
  private evict(): void {
    if (this.tracked <= this.trackedLimit) return;
    const target = Math.floor(this.trackedLimit * 0.75);
    for (const [key, entry] of this.minutes) {
      if (this.tracked <= target) break;
      this.minutes.delete(key);
      this.tracked -= entry.groups.size;
    }
    this.lastEntry = null;
  }
}

/** Groups of one route the index holds; more of them are found by their key. */
const GROUPS_PER_ROUTE = 32;

function findGroup(
  states: readonly GroupState[],
  service: string,
  method: string | null,
  status: number | null,
  errorCode: string | null,
  err: 0 | 1,
): GroupState | undefined {
  for (let i = 0; i < states.length; i++) {
    const state = states[i] as GroupState;
    const d = state.dims;
    if (d.statusCode === status && d.error === err && d.method === method && d.service === service && d.errorCode === errorCode)
      return state;
  }
  return undefined;
}

/** The in-memory key of a group (null and "" are one value: neither is a usable dimension). */
function keyOf(
  service: string,
  route: string | null,
  method: string | null,
  status: number | null,
  errorCode: string | null,
  err: 0 | 1,
): string {
  return `${service}\u0001${route ?? ""}\u0001${method ?? ""}\u0001${status ?? ""}\u0001${errorCode ?? ""}\u0001${err}`;
}

const groupKey = (d: RollupDims): string => keyOf(d.service, d.route, d.method, d.statusCode, d.errorCode, d.error);

function foldOrder(entry: MinuteEntry): CollapsibleDimension[] {
  const distinct: Record<CollapsibleDimension, Set<string | null>> = { route: new Set(), errorCode: new Set(), service: new Set() };
  for (const { dims } of entry.groups.values()) {
    distinct.route.add(dims.route);
    distinct.errorCode.add(dims.errorCode);
    distinct.service.add(dims.service);
  }
  return (["route", "errorCode", "service"] as const).slice().sort((a, b) => distinct[b].size - distinct[a].size);
}
