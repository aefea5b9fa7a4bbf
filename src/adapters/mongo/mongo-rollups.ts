import { type Collection, type Document, MongoBulkWriteError, MongoServerError } from "mongodb";
import { DIMENSION_SETS, type DimSet, FULL_SET, projectDims } from "../../domain/rollup/dimension-sets.ts";
import { binCounts, encodeBins } from "../../domain/rollup/encoded-bins.ts";
import {
  addToSum,
  type BinsLike,
  dimsKey,
  emptySum,
  mergeExemplars,
  RESOLUTION_MS,
  type Resolution,
  type RollupCell,
  type RollupDelta,
  type RollupDims,
  type RollupRecord,
  type SumCell,
  startOf,
} from "../../domain/rollup/rollup.ts";
import { defaultLogger } from "../../log/logger.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";
import { ensureRetention, pruneExpired, type RetentionOptions, type RetentionTarget } from "./mongo-retention.ts";

/**
 * Rollups in MongoDB or FerretDB, built on the two things both servers do well: an insert with a
 * unique `_id` is atomic, and a find by `_id` is an index lookup. FerretDB 1.24 (SQLite) runs
 * every update as find-then-write-back with no lock (concurrent `$inc`s lose updates) and pushes
 * no filter but `_id` equality down (any other find decodes the whole collection), so every read
 * and write here is by `_id`:
 *
 * - a **bucket** is one tenant's minute, hour or UTC day. Its state (the rows of every dimension
 *   set, one JSON string per set, bins apart so only percentiles parse them) lives in immutable
 *   **versions** `v = 1, 2, 3, …`, each a complete state, `_id` = (resolution, start, v, tenant).
 *   A writer extends a bucket by inserting `v + 1` computed from `v`; E11000 means another writer
 *   got there first, so it re-reads and tries again on top of theirs (compare-and-swap).
 * - a minute version lists the delta ids summed into it: a delta already listed is a duplicate, so
 *   a redelivery, a replay or a second worker never counts twice.
 * - an hour (day) version is the sum of the newest versions of its minutes (hours), and records
 *   which version of each it summed (`parts`). A writer that extended a minute makes sure the
 *   newest hour version includes at least that minute version, re-summing on top of the newest
 *   hour version when not, and likewise for the day. Each version is summed from versions at least
 *   as new as its predecessor's, so no later version can drop what an earlier one held.
 * - a crash between the steps heals on redelivery: the minute says "already applied", and the
 *   hour and day are brought up to the minute's newest version all the same.
 * - an hour (day) version also keeps the totals and per-service rows of each of its minutes
 *   (hours), so a short bucket over a long range reads hour or day versions, not minutes.
 *
 * Readers find a bucket's newest version from a hint (`<rollups>.heads`, updated after each
 * insert, allowed to lag) by probing forward; partitioned (FerretDB), by one find over the
 * bucket's period collection, and a call's minutes of one period are read, written and emptied
 * together. A version is emptied once the next exists (its increment stays for the parents). A
 * state string over 4 MB is spread over chunk documents, so even a day with millions of groups
 * stays under the 16 MB document limit.
 *
 * Unpartitioned (MongoDB), a version's `_id` stays until retention, so it is never reused. Partitioned
 * (FerretDB, which decodes every document of a collection per scan), versions more than `keep`
 * behind one known to exist, and already summed into the parent, are deleted, so a collection holds
 * a few versions per bucket however many calls wrote it. A stale writer could then insert a deleted
 * number again: an insert of v counts only if no version above v + `keep` exists after it (any
 * deletion of v was justified by one, and such a version, or a newer justifying its deletion, is
 * always there); otherwise the writer re-reads the newest and tries again on top of it, as after a
 * duplicate key. A fold that finds a child's increment deleted re-reads the newest parent, which summed it.
 */

export interface StoredRollup extends Document {
  _id: string;
}

type Code = "m" | "h" | "d";
const CODE: Record<Resolution, Code> = { minute: "m", hour: "h", day: "d" };
const CHILD: Partial<Record<Resolution, Resolution>> = { hour: "minute", day: "hour" };
const SETS = DIMENSION_SETS.length;

/** One group of one dimension set in a bucket's state. */
interface Entry {
  set: DimSet;
  dims: RollupDims;
  cell: SumCell;
  exemplars: string[];
  /** A sub-row's minute (hour) in an hour (day) version. */
  sub?: number;
}
type State = Map<string, Entry>;

/** [service, route, method, statusCode, errorCode, error, count, durationCount, durationSum, durationMin, durationMax, exemplars] */
type EncodedRow = [
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  0 | 1,
  number,
  number,
  number,
  number | null,
  number | null,
  string[],
];

/** A sub-row: its minute (hour) start, then the row. */
type SubRow = [number, ...EncodedRow];

/** A state field: the JSON itself, or the ids of the chunk documents that hold it in order. */
type Payload = string | { chunks: string[] };

interface VersionDoc extends StoredRollup {
  tenant: string;
  res: Code;
  start: number;
  v: number;
  at: Date;
  /** Minutes: ids of the deltas summed in. */
  applied?: string[];
  /** Hours and days: the version of each minute (hour) summed in, by its start. */
  parts?: Record<string, number>;
  /** Emptied: two newer versions exist (the increment stays: a parent may still need it). */
  stub?: true;
  /** What this version added to the one before, full set only: what a parent sums in. */
  inc?: Payload;
  [field: `r${number}` | `b${number}` | `s${number}` | `sb${number}`]: Payload;
}

interface ChunkDoc extends StoredRollup {
  text: string;
  at: Date;
}

const META_ID = "meta:since:buckets";
/** Written by the earlier row-per-group layout: its rollups are not read, so they count as legacy. */
const OLD_META_ID = "meta:since";
const CHUNK_CHARS = 4_000_000;
/**
 * Hours of one 6-hour partition read by `_id` at most, when their versions are known. Each lookup
 * still has SQLite read the whole partition (about a third of a scan's time at 20M requests a
 * week, where FerretDB serialises them), so a partition whose hours are mostly wanted is scanned once.
 */
const BY_ID_MAX = 2;
/**
 * Versions kept behind the newest before deletion (partitioned only): a writer slower than this
 * many others' calls on one bucket retries, and its deltas may count as duplicates (the sums stay exact).
 */
const KEEP = 2;
/** Buckets worked on at once by one call. */
const PARALLEL = 16;

export const ROLLUP_RETENTION: RetentionTarget = { field: "at", ttlIndex: "ttl_at", index: "at", label: "event-store:mongo rollups" };

const versionId = (res: Code, tenant: string, start: number, v: number): string => `${res}:${start}:${v}:${tenant}`;
const headId = (res: Code, tenant: string, start: number): string => `${res}:${start}:${tenant}`;
const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === 11000;

/** Runs `work` on every item, at most PARALLEL at a time. */
async function each<T>(items: Iterable<T>, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lanes = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(lanes);
}

function entryFor(state: State, set: DimSet, dims: RollupDims): Entry {
  const projected = projectDims(dims, set);
  const key = `${set}|${dimsKey(projected)}`;
  let entry = state.get(key);
  if (entry === undefined) {
    entry = { set, dims: projected, cell: emptySum(), exemplars: [] };
    state.set(key, entry);
  }
  return entry;
}

/**
 * Sets whose rows an hour (day) version also keeps per minute (hour), in fields `s<set>`/`sb<set>`:
 * a short-bucket question over a long range (count per 5 minutes over a day) reads the 24 hour
 * versions instead of 1,440 minute ones. Only the small sets: totals and per service.
 */
const SUB_SETS: readonly DimSet[] = [0, 1];

function subEntryFor(state: State, set: DimSet, dims: RollupDims, start: number): Entry {
  const projected = projectDims(dims, set);
  const key = `s${start}|${set}|${dimsKey(projected)}`;
  let entry = state.get(key);
  if (entry === undefined) {
    entry = { set, dims: projected, cell: emptySum(), exemplars: [], sub: start };
    state.set(key, entry);
  }
  return entry;
}

/** Adds one delta row to every dimension set of a state. */
function addRow(state: State, row: RollupDims & Omit<RollupCell, "bins"> & { bins: BinsLike; exemplars: readonly string[] }): void {
  for (let set = 0; set < SETS; set++) {
    const entry = entryFor(state, set, row);
    addToSum(entry.cell, row);
    mergeExemplars(entry.exemplars, row.exemplars);
  }
}

const encodedRow = ({ dims: d, cell: c, exemplars }: Entry): EncodedRow => [
  d.service,
  d.route,
  d.method,
  d.statusCode,
  d.errorCode,
  d.error,
  c.count,
  c.durationCount,
  c.durationSum,
  c.durationMin,
  c.durationMax,
  exemplars,
];

/** Full-set entries only, as `[rows, bins]` JSON: a version's increment. */
function encodeIncrement(increment: State): string {
  const entries = [...increment.values()];
  return JSON.stringify([entries.map(encodedRow), entries.map((e) => encodeBins(e.cell.bins))]);
}

/**
 * Adds a child's rows (as records) to a parent state's every set and sub-rows, and to `full` (the
 * full set only) when given.
 */
function addRecords(state: State, records: readonly RollupRecord[], full?: State): void {
  for (const { start, bins, exemplars, ...rest } of records) {
    const row = { ...rest, bins: binCounts(bins), exemplars };
    addRow(state, row);
    for (const set of SUB_SETS) {
      const entry = subEntryFor(state, set, row, start);
      addToSum(entry.cell, row);
      mergeExemplars(entry.exemplars, exemplars);
    }
    if (full !== undefined) {
      const entry = entryFor(full, FULL_SET, row);
      addToSum(entry.cell, row);
      mergeExemplars(entry.exemplars, exemplars);
    }
  }
}

function encode(state: State): Record<string, string> {
  const rows: EncodedRow[][] = Array.from({ length: SETS }, () => []);
  const bins: number[][][] = Array.from({ length: SETS }, () => []);
  const subRows: SubRow[][] = Array.from({ length: SETS }, () => []);
  const subBins: number[][][] = Array.from({ length: SETS }, () => []);
  for (const entry of state.values()) {
    if (entry.sub === undefined) {
      rows[entry.set]?.push(encodedRow(entry));
      bins[entry.set]?.push(encodeBins(entry.cell.bins));
    } else {
      subRows[entry.set]?.push([entry.sub, ...encodedRow(entry)]);
      subBins[entry.set]?.push(encodeBins(entry.cell.bins));
    }
  }
  const out: Record<string, string> = {};
  for (let set = 0; set < SETS; set++) {
    out[`r${set}`] = JSON.stringify(rows[set]);
    out[`b${set}`] = JSON.stringify(bins[set]);
    if (subRows[set]?.length) {
      out[`s${set}`] = JSON.stringify(subRows[set]);
      out[`sb${set}`] = JSON.stringify(subBins[set]);
    }
  }
  return out;
}

/** Fields of a version holding set `set`'s rows and bins: its own rows, or its sub-rows. */
const fieldsOf = (set: number, sub: boolean): [`r${number}` | `s${number}`, `b${number}` | `sb${number}`] =>
  sub ? [`s${set}`, `sb${set}`] : [`r${set}`, `b${set}`];

/** Every field that holds rows or bins. */
const ROW_FIELDS = Array.from({ length: SETS }, (_, set) => [...fieldsOf(set, false), ...fieldsOf(set, true)]).flat();

/** One set's rows of a version as records (`bins` empty when `binsJson` is absent). */
function decodeRecords(rowsJson: string, binsJson: string | undefined, start: number): RollupRecord[] {
  return recordsOf(JSON.parse(rowsJson) as EncodedRow[], binsJson === undefined ? undefined : (JSON.parse(binsJson) as number[][]), start);
}

/** One set's sub-rows of a version as records, each with its own minute (hour). */
function decodeSubRecords(rowsJson: string, binsJson: string | undefined): RollupRecord[] {
  const rows = JSON.parse(rowsJson) as SubRow[];
  const bins = binsJson === undefined ? undefined : (JSON.parse(binsJson) as number[][]);
  return rows.map(([start, ...row], i) => recordsOf([row], bins === undefined ? undefined : [bins[i] ?? []], start)[0] as RollupRecord);
}

function recordsOf(rows: readonly EncodedRow[], bins: readonly number[][] | undefined, start: number): RollupRecord[] {
  return rows.map((r, i) => ({
    service: r[0],
    route: r[1],
    method: r[2],
    statusCode: r[3],
    errorCode: r[4],
    error: r[5],
    start,
    count: r[6],
    durationCount: r[7],
    durationSum: r[8],
    durationMin: r[9],
    durationMax: r[10],
    bins: bins?.[i] ?? [],
    exemplars: r[11],
  }));
}

/** One delta's rows of one minute; `owner`: the delta's first minute. */
interface Part {
  delta: RollupDelta;
  rows: RollupDelta["rows"];
  owner: boolean;
}

interface MinuteBucket {
  tenant: string;
  start: number;
  parts: Part[];
}

/** A minute after a call: its newest version, and the parts this call added to it. */
interface Extended {
  v: number;
  added: Part[];
}

/**
 * The minute version that adds the parts not yet applied to `doc` (its state given, changed in
 * place), or null when every part is applied already.
 */
function extension(
  state: State,
  doc: VersionDoc | undefined,
  parts: readonly Part[],
): { v: number; state: State; increment: State; applied: string[]; added: Part[] } | null {
  const applied = new Set(doc?.applied ?? []);
  const added = parts.filter((p) => !applied.has(p.delta.id));
  if (added.length === 0) return null;
  const increment: State = new Map();
  for (const part of added) {
    for (const row of part.rows) {
      addRow(state, row);
      const entry = entryFor(increment, FULL_SET, row);
      addToSum(entry.cell, row);
      mergeExemplars(entry.exemplars, row.exemplars);
    }
  }
  return { v: (doc?.v ?? 0) + 1, state, increment, applied: [...applied, ...new Set(added.map((p) => p.delta.id))], added };
}

/** A version ready to insert, with the chunk documents its large fields went to. */
interface PreparedVersion {
  doc: VersionDoc;
  chunks: ChunkDoc[];
}

/** A version was emptied while being read (its chunks went): read a newer one. */
class StaleVersion extends Error {}

const MS: Record<Code, number> = { m: RESOLUTION_MS.minute, h: RESOLUTION_MS.hour, d: RESOLUTION_MS.day };

/** Retention's `at` for a bucket: its end, so a day outlives its hours (a rowless delta's marker bucket, start -1: now). */
const atOf = (res: Code, start: number): Date => new Date(start < 0 ? Date.now() : start + MS[res]);

export interface MongoRollupOptions {
  /**
   * Versions in one collection per period (a minute's in its 10 minutes', an hour's in its 6 hours',
   * a day's in its 30 days'), with their hints: for servers whose `_id` lookups scan the collection
   * (FerretDB 1.x). Default: probed at init from the plan of a find by `_id`.
   */
  partition?: boolean;
}

/** Which period's collection holds a bucket's versions when partitioned. */
const PERIOD: Record<Code, number> = { m: 10 * RESOLUTION_MS.minute, h: 6 * RESOLUTION_MS.hour, d: 30 * RESOLUTION_MS.day };

export class MongoRollups {
  private since: Promise<number> | undefined;
  /** Set by init (or the option). */
  partitioned = false;
  /** Versions kept behind a newer one before they are deleted, when partitioned (lower in tests). */
  keep = KEEP;
  /** Set by init: whether hour and day versions carry sub-rows (every version, since the store began). */
  private subRows = false;
  private readonly partitions = new Map<string, Collection<StoredRollup>>();

  constructor(
    /** Versions (in one collection, unless partitioned), chunks and the "since" record. */
    readonly collection: Collection<StoredRollup>,
    /** Each bucket's newest version number, as a hint (in the partitions when partitioned). */
    readonly heads: Collection<StoredRollup>,
    private readonly events: Collection<Document>,
    private readonly retention: RetentionOptions,
    private readonly options: MongoRollupOptions = {},
  ) {}

  /** Newest version this process has seen per bucket: where its probes start, instead of the hint. */
  private readonly known = new Map<string, number>();

  private remember(res: Code, tenant: string, start: number, v: number): void {
    if (this.known.size >= 100_000) this.known.clear();
    const key = headId(res, tenant, start);
    if ((this.known.get(key) ?? 0) < v) this.known.set(key, v);
  }

  /** The collection holding a bucket's versions: `<collection>.<m|h|d><period start>` when partitioned. */
  private partition(res: Code, start: number): Collection<StoredRollup> {
    if (!this.partitioned) return this.collection;
    const name = `${this.collection.collectionName}.${res}${start < 0 ? "x" : Math.floor(start / PERIOD[res]) * PERIOD[res]}`;
    let collection = this.partitions.get(name);
    if (collection === undefined) {
      collection = this.collection.db.collection<StoredRollup>(name);
      this.partitions.set(name, collection);
    }
    return collection;
  }

  /** Partitions whose whole period ended before `before`, dropped as a whole (retention). */
  private async dropExpiredPartitions(before: number): Promise<number> {
    const prefix = `${this.collection.collectionName}.`;
    let dropped = 0;
    for (const { name } of await this.collection.db.listCollections({}, { nameOnly: true }).toArray()) {
      const match = /^([mhd])(\d+)$/.exec(name.slice(prefix.length));
      if (!name.startsWith(prefix) || match === null) continue;
      const res = match[1] as Code;
      // A bucket's retention runs from its end; the period's last bucket ends with the period.
      if (Number(match[2]) + PERIOD[res] > before) continue;
      await this.collection.db.collection(name).drop();
      this.partitions.delete(name);
      dropped++;
    }
    return dropped;
  }

  /** Retention (returned: TTL or prune), the layout (recorded by the first init), and when rollups began. */
  async init(): Promise<"ttl" | "prune"> {
    // The events' retention already warned about a server without TTL: the same news at info.
    const log = this.retention.log ?? defaultLogger;
    const options = { ...this.retention, log: { ...log, warn: (line: string) => log.info(line) } };
    const mode = await ensureRetention(this.collection, options, ROLLUP_RETENTION);
    await ensureRetention(this.heads, options, { ...ROLLUP_RETENTION, label: "event-store:mongo rollup heads" });
    const legacy =
      (await this.events.findOne({}, { projection: { _id: 1 } })) !== null ||
      (await this.collection.findOne({ _id: OLD_META_ID })) !== null;
    try {
      await this.collection.insertOne({
        _id: META_ID,
        since: Date.now(),
        legacy,
        partitioned: this.options.partition ?? (await this.scansById()),
        subRows: true,
      });
    } catch (error) {
      // Another instance, or an earlier start, began the rollups: its answers (and layout) stand.
      if (!isDuplicateKey(error)) throw error;
    }
    const meta = await this.collection.findOne({ _id: META_ID });
    this.partitioned = meta?.partitioned === true;
    // A store begun before hours and days carried sub-rows has versions without them: read its minutes.
    this.subRows = meta?.subRows === true;
    return mode;
  }

  /** FerretDB 1.x (SQLite) answers a find by `_id` with a table scan ("detail=SCAN …"); MongoDB uses its index. */
  private async scansById(): Promise<boolean> {
    const plan = await this.collection.db.command({ explain: { find: this.collection.collectionName, filter: { _id: META_ID } } });
    return JSON.stringify(plan).includes("detail=SCAN");
  }

  rollupsSince(): Promise<number> {
    if (this.since) return this.since;
    const since = this.collection.findOne({ _id: META_ID }).then((meta) => {
      if (meta === null) throw new Error("rollups: init() was not called");
      return meta.legacy === true ? Number(meta.since) : 0;
    });
    // A failed read is not cached.
    since.catch(() => {
      if (this.since === since) this.since = undefined;
    });
    this.since = since;
    return since;
  }

  /** Deletes what ended before the retention: documents one by one, or whole expired partitions. */
  async pruneExpired(now = Date.now()): Promise<number> {
    if (this.partitioned) return this.dropExpiredPartitions(now - this.retention.retentionMs);
    const versions = await pruneExpired(this.collection, this.retention, now, ROLLUP_RETENTION);
    return versions + (await pruneExpired(this.heads, this.retention, now, ROLLUP_RETENTION));
  }

  async applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    if (deltas.length === 0) return { applied: 0, duplicates: 0 };
    const { fresh, minutes } = await this.applyMinutes(deltas);
    await this.foldUp(minutes);
    return { applied: fresh.size, duplicates: deltas.length - fresh.size };
  }

  /**
   * Step 1: each delta's rows into its minutes. Returns the deltas new to at least one minute, and
   * per tenant the newest version of every minute touched (duplicates included, so a redelivery
   * after a crash still brings the hours and days up to date).
   */
  async applyMinutes(deltas: readonly RollupDelta[]): Promise<{ fresh: Set<RollupDelta>; minutes: Map<string, Map<number, number>> }> {
    const buckets = new Map<string, { tenant: string; start: number; parts: Part[] }>();
    const seen = new Set<string>();
    for (const delta of deltas) {
      // The same delta twice in one call is one delta.
      if (seen.has(`${delta.tenant}\u0000${delta.id}`)) continue;
      seen.add(`${delta.tenant}\u0000${delta.id}`);
      const byMinute = new Map<number, RollupDelta["rows"]>();
      for (const row of delta.rows) {
        const start = startOf("minute", row.minute);
        const rows = byMinute.get(start) ?? [];
        rows.push(row);
        byMinute.set(start, rows);
      }
      // A delta without rows still counts once: it is recorded in a marker bucket of its own.
      if (byMinute.size === 0) byMinute.set(-1, []);
      // Whoever adds it to its first minute is the one that applied it (the count, not the sums).
      const owner = Math.min(...byMinute.keys());
      for (const [start, rows] of byMinute) {
        const tenant = start < 0 ? `${delta.tenant}\u0000${delta.id}` : delta.tenant;
        const key = `${tenant}\u0000${start}`;
        const bucket = buckets.get(key) ?? { tenant, start, parts: [] };
        bucket.parts.push({ delta, rows, owner: start === owner });
        buckets.set(key, bucket);
      }
    }
    const fresh = new Set<RollupDelta>();
    const minutes = new Map<string, Map<number, number>>();
    const done = ({ tenant, start }: MinuteBucket, { v, added }: Extended) => {
      for (const part of added) if (part.owner) fresh.add(part.delta);
      if (start < 0) return;
      const versions = minutes.get(tenant) ?? new Map<number, number>();
      versions.set(start, v);
      minutes.set(tenant, versions);
    };
    if (this.partitioned) {
      // Where every lookup scans its collection, a partition's buckets are read, written and
      // emptied together: three scans per partition, not five per minute.
      const byPartition = new Map<number, MinuteBucket[]>();
      for (const bucket of buckets.values()) {
        const period = bucket.start < 0 ? -1 : Math.floor(bucket.start / PERIOD.m) * PERIOD.m;
        byPartition.set(period, [...(byPartition.get(period) ?? []), bucket]);
      }
      await each(byPartition.values(), async (list) => {
        for (const [bucket, extended] of await this.extendPartition(list)) done(bucket, extended);
      });
    } else {
      await each(buckets.values(), async (bucket) => done(bucket, await this.extendMinute(bucket.tenant, bucket.start, bucket.parts)));
    }
    return { fresh, minutes };
  }

  /**
   * The minutes of one partition in one pass: one find for their newest versions, one insertMany of
   * the next versions, one update emptying the ones they replace. A minute another writer extended
   * meanwhile (duplicate key) goes the one-by-one way, which re-reads and builds on theirs.
   */
  private async extendPartition(buckets: readonly MinuteBucket[]): Promise<Array<[MinuteBucket, Extended]>> {
    const first = buckets[0];
    if (first === undefined) return [];
    const where = this.partition("m", first.start);
    const docs = (await where
      .find(
        {
          res: "m",
          start: { $in: [...new Set(buckets.map((b) => b.start))] },
          tenant: { $in: [...new Set(buckets.map((b) => b.tenant))] },
        },
        { projection: { inc: 0 } },
      )
      .toArray()) as VersionDoc[];
    const newest = new Map<string, VersionDoc>();
    for (const doc of docs) {
      const key = headId("m", doc.tenant, doc.start);
      if ((newest.get(key)?.v ?? 0) < doc.v) newest.set(key, doc);
    }
    const out: Array<[MinuteBucket, Extended]> = [];
    const slow: MinuteBucket[] = [];
    const writes: Array<{ bucket: MinuteBucket; version: PreparedVersion; previous: VersionDoc | undefined; added: Part[] }> = [];
    for (const bucket of buckets) {
      const doc = newest.get(headId("m", bucket.tenant, bucket.start));
      // Emptied under the scan: a newer version exists that the scan missed.
      if (doc?.stub) {
        slow.push(bucket);
        continue;
      }
      let state: State = new Map();
      if (doc !== undefined) {
        try {
          state = await this.state(doc);
        } catch (error) {
          if (!(error instanceof StaleVersion)) throw error;
          slow.push(bucket);
          continue;
        }
      }
      const next = extension(state, doc, bucket.parts);
      if (next === null) {
        out.push([bucket, { v: doc?.v ?? 0, added: [] }]);
        continue;
      }
      const version = this.prepareVersion("m", bucket.tenant, bucket.start, next.v, next.state, { applied: next.applied }, next.increment);
      writes.push({ bucket, version, previous: doc, added: next.added });
    }
    const chunks = writes.flatMap((w) => w.version.chunks);
    if (chunks.length > 0) await where.insertMany(chunks, { ordered: true });
    const lost = new Set<number>();
    if (writes.length > 0) {
      try {
        await where.insertMany(
          writes.map((w) => w.version.doc),
          { ordered: false },
        );
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const failures = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        for (const failure of failures) {
          if (failure.code !== 11000) throw error;
          lost.add(failure.index);
        }
      }
    }
    const lostChunks = [...lost].flatMap((i) => writes[i]?.version.chunks.map((c) => c._id) ?? []);
    if (lostChunks.length > 0) await where.deleteMany({ _id: { $in: lostChunks } });
    // Inserted into a deleted number (a stale read): lost, as on a duplicate key; the version stays until deleted.
    const overtaken = await this.overtaken(
      where,
      "m",
      writes.filter((_, i) => !lost.has(i)).map((w) => w.version.doc),
    );
    writes.forEach((w, i) => {
      if (overtaken.has(w.version.doc._id)) lost.add(i);
    });
    const won = writes.filter((_, i) => !lost.has(i));
    for (const w of won) {
      this.remember("m", w.bucket.tenant, w.bucket.start, w.version.doc.v);
      out.push([w.bucket, { v: w.version.doc.v, added: w.added }]);
    }
    for (const i of lost) slow.push((writes[i] as (typeof writes)[number]).bucket);
    await this.empty(
      where,
      won.flatMap((w) => (w.previous === undefined || w.previous.stub ? [] : [w.previous])),
    );
    for (const bucket of slow) out.push([bucket, await this.extendMinute(bucket.tenant, bucket.start, bucket.parts)]);
    return out;
  }

  /** Steps 2 and 3: the hours of the minutes touched, then the days of those hours. */
  async foldUp(minutes: Map<string, Map<number, number>>): Promise<void> {
    for (const parent of ["hour", "day"] as const) {
      const work: Array<{ tenant: string; start: number; children: Map<number, number> }> = [];
      for (const [tenant, versions] of minutes) {
        const byParent = new Map<number, Map<number, number>>();
        for (const [child, v] of versions) {
          const start = startOf(parent, child);
          const children = byParent.get(start) ?? new Map<number, number>();
          children.set(child, v);
          byParent.set(start, children);
        }
        for (const [start, children] of byParent) work.push({ tenant, start, children });
      }
      const next = new Map<string, Map<number, number>>();
      await each(work, async ({ tenant, start, children }) => {
        const v = await this.fold(parent, tenant, start, children);
        const versions = next.get(tenant) ?? new Map<number, number>();
        versions.set(start, v);
        next.set(tenant, versions);
      });
      // The parents now hold these child versions: older ones are garbage once `keep` behind.
      await this.dropBehind(CODE[CHILD[parent] ?? "minute"], minutes);
      minutes = next;
    }
    // Days have no parent.
    await this.dropBehind("d", minutes);
  }

  /**
   * Partitioned: deletes each bucket's versions more than `keep` behind the given one, which
   * exists (or existed) and is held by the bucket's parent, so no fold needs what they added.
   */
  private async dropBehind(res: Code, versions: Map<string, Map<number, number>>): Promise<void> {
    if (!this.partitioned) return;
    const byPartition = new Map<Collection<StoredRollup>, Document[]>();
    for (const [tenant, starts] of versions) {
      for (const [start, v] of starts) {
        if (v - this.keep <= 1) continue;
        const where = this.partition(res, start);
        byPartition.set(where, [...(byPartition.get(where) ?? []), { tenant, start, v: { $lt: v - this.keep } }]);
      }
    }
    await each(byPartition, async ([where, buckets]) => {
      await where.deleteMany({ res, $or: buckets });
    });
  }

  /**
   * Partitioned: the ids of the just-inserted versions above which the bucket already has one more
   * than `keep` newer. Such a number had been deleted and was read stale: the insert does not count.
   */
  private async overtaken(where: Collection<StoredRollup>, res: Code, inserted: readonly VersionDoc[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (!this.partitioned || inserted.length === 0) return out;
    const mine = new Map(inserted.map((doc) => [headId(res, doc.tenant, doc.start), doc]));
    const newer = (await where
      .find(
        {
          res,
          start: { $in: [...new Set(inserted.map((d) => d.start))] },
          tenant: { $in: [...new Set(inserted.map((d) => d.tenant))] },
          v: { $gt: Math.min(...inserted.map((d) => d.v)) + this.keep },
        },
        { projection: { tenant: 1, start: 1, v: 1 } },
      )
      .toArray()) as VersionDoc[];
    for (const doc of newer) {
      const own = mine.get(headId(res, doc.tenant, doc.start));
      if (own !== undefined && doc.v > own.v + this.keep) out.add(own._id);
    }
    return out;
  }

  private async extendMinute(tenant: string, start: number, parts: readonly Part[]): Promise<Extended> {
    let current = await this.newestState("m", tenant, start, 0);
    for (;;) {
      const next = extension(current?.state ?? new Map(), current?.doc, parts);
      if (next === null) return { v: current?.doc.v ?? 0, added: [] };
      const { v, state, increment, applied, added } = next;
      if (await this.insertVersion("m", tenant, start, v, state, { applied }, increment, current?.doc)) return { v, added };
      current = await this.newestState("m", tenant, start, v);
    }
  }

  /**
   * Makes the newest hour (day) version include at least the given minute (hour) versions; returns
   * its version. A version adds to its predecessor the increments of the child versions not yet
   * summed, so a fold reads the few versions that changed, not every minute of the hour.
   */
  private async fold(resolution: "hour" | "day", tenant: string, start: number, children: Map<number, number>): Promise<number> {
    const code = CODE[resolution];
    const childCode = CODE[CHILD[resolution] ?? "minute"];
    let current = await this.newestState(code, tenant, start, 0);
    for (;;) {
      const had = current?.doc.parts ?? {};
      const behind = [...children].filter(([child, v]) => (had[String(child)] ?? 0) < v).sort((a, b) => a[0] - b[0]);
      if (behind.length === 0) return current?.doc.v ?? 0;
      const increments = await this.increments(
        childCode,
        tenant,
        behind.map(([child, v]) => [child, had[String(child)] ?? 0, v]),
      );
      if (increments === null) {
        // A child version was deleted: only once a newer parent version summed it. Build on that one.
        const newer = await this.newestState(code, tenant, start, 0);
        if ((newer?.doc.v ?? 0) <= (current?.doc.v ?? 0))
          throw new Error(`rollups: an increment of ${childCode} for ${code}:${start} of tenant ${tenant} is missing`);
        current = newer;
        continue;
      }
      const state = current?.state ?? new Map();
      const increment: State = new Map();
      const parts = { ...had };
      behind.forEach(([child, v], i) => {
        for (const records of increments[i] ?? []) addRecords(state, records, increment);
        parts[String(child)] = v;
      });
      const v = (current?.doc.v ?? 0) + 1;
      if (await this.insertVersion(code, tenant, start, v, state, { parts }, resolution === "hour" ? increment : undefined, current?.doc))
        return v;
      current = await this.newestState(code, tenant, start, v);
    }
  }

  /**
   * What versions (after, upTo] of each bucket added, per bucket in order, read with one find per
   * partition; null when one of them was deleted (a newer parent version summed it).
   */
  private async increments(
    res: Code,
    tenant: string,
    ranges: ReadonlyArray<readonly [start: number, after: number, upTo: number]>,
  ): Promise<RollupRecord[][][] | null> {
    const byPartition = new Map<Collection<StoredRollup>, string[]>();
    for (const [start, after, upTo] of ranges) {
      const where = this.partition(res, start);
      const ids = byPartition.get(where) ?? [];
      for (let j = after + 1; j <= upTo; j++) ids.push(versionId(res, tenant, start, j));
      byPartition.set(where, ids);
    }
    const found = new Map<string, { where: Collection<StoredRollup>; doc: VersionDoc }>();
    await each(byPartition, async ([where, ids]) => {
      const docs = (await where.find({ _id: { $in: ids } }, { projection: { inc: 1 } }).toArray()) as VersionDoc[];
      for (const doc of docs) found.set(doc._id, { where, doc });
    });
    const out: RollupRecord[][][] = [];
    for (const [start, after, upTo] of ranges) {
      const versions: RollupRecord[][] = [];
      for (let j = after + 1; j <= upTo; j++) {
        const hit = found.get(versionId(res, tenant, start, j));
        if (hit === undefined || hit.doc.inc === undefined) return null;
        const [rows, bins] = JSON.parse(await this.text(hit.where, hit.doc.inc)) as [EncodedRow[], number[][]];
        versions.push(recordsOf(rows, bins, start));
      }
      out.push(versions);
    }
    return out;
  }

  /** Inserts version v; false when it exists already (another writer's). */
  private async insertVersion(
    res: Code,
    tenant: string,
    start: number,
    v: number,
    state: State,
    extra: Partial<VersionDoc>,
    increment: State | undefined,
    previous: VersionDoc | undefined,
  ): Promise<boolean> {
    const { doc, chunks } = this.prepareVersion(res, tenant, start, v, state, extra, increment);
    const where = this.partition(res, start);
    if (chunks.length > 0) await where.insertMany(chunks, { ordered: true });
    try {
      await where.insertOne(doc);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (chunks.length > 0) await where.deleteMany({ _id: { $in: chunks.map((c) => c._id) } });
      return false;
    }
    // Into a deleted number (a stale read): lost, as on a duplicate key; the version stays until deleted.
    if ((await this.overtaken(where, res, [doc])).size > 0) return false;
    await this.afterInsert(res, tenant, start, v, previous);
    return true;
  }

  /** Version v as a document, its state encoded (fields over CHUNK_CHARS in chunk documents). */
  private prepareVersion(
    res: Code,
    tenant: string,
    start: number,
    v: number,
    state: State,
    extra: Partial<VersionDoc>,
    increment: State | undefined,
  ): PreparedVersion {
    const fields: Record<string, Payload> = {};
    const chunks: ChunkDoc[] = [];
    const at = atOf(res, start);
    const texts = encode(state);
    if (increment !== undefined) texts.inc = encodeIncrement(increment);
    for (const [field, text] of Object.entries(texts)) {
      if (text.length <= CHUNK_CHARS) {
        fields[field] = text;
        continue;
      }
      // Chunk ids are unique to this attempt: a losing writer's chunks can never pass for the winner's.
      const nonce = crypto.randomUUID();
      const ids: string[] = [];
      for (let i = 0; i < text.length; i += CHUNK_CHARS) {
        ids.push(`c:${nonce}:${ids.length}`);
        chunks.push({ _id: ids.at(-1) as string, text: text.slice(i, i + CHUNK_CHARS), at });
      }
      fields[field] = { chunks: ids };
    }
    const doc = { _id: versionId(res, tenant, start, v), tenant, res, start, v, at, ...extra, ...fields } as VersionDoc;
    return { doc, chunks };
  }

  /** Best effort: the hint moves on, and the version two behind is emptied. */
  private async afterInsert(res: Code, tenant: string, start: number, v: number, previous: VersionDoc | undefined): Promise<void> {
    this.remember(res, tenant, start, v);
    // Partitioned, a bucket's newest version is found by one find over its partition: no hint.
    if (!this.partitioned) {
      try {
        await this.heads.updateOne({ _id: headId(res, tenant, start) }, { $max: { v }, $set: { at: atOf(res, start) } }, { upsert: true });
      } catch (error) {
        // Two first writers upserting at once: the other's hint stands.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    if (previous === undefined || previous.stub) return;
    await this.empty(this.partition(res, start), [previous]);
  }

  /** Empties versions that a newer one replaced: a reader holding one re-reads the newest when it finds it emptied. */
  private async empty(where: Collection<StoredRollup>, stale: readonly VersionDoc[]): Promise<void> {
    if (stale.length === 0) return;
    const unset: Record<string, ""> = { applied: "", parts: "" };
    const chunkIds: string[] = [];
    for (const field of ROW_FIELDS) {
      unset[field] = "";
      for (const doc of stale) {
        const payload = doc[field];
        if (typeof payload === "object" && payload !== null) chunkIds.push(...payload.chunks);
      }
    }
    const ids = stale.map((doc) => doc._id);
    if (ids.length === 1) await where.updateOne({ _id: ids[0] }, { $set: { stub: true }, $unset: unset });
    else await where.updateMany({ _id: { $in: ids } }, { $set: { stub: true }, $unset: unset });
    if (chunkIds.length > 0) await where.deleteMany({ _id: { $in: chunkIds } });
  }

  /**
   * The bucket's newest version (or null: none yet), probing forward from `atLeast` (a version
   * known to exist) or from the hint. Versions are numbered without gaps and never deleted while
   * their bucket is kept, so the newest is the one before the first missing number.
   */
  private async newest(res: Code, tenant: string, start: number, atLeast: number, projection?: Document): Promise<VersionDoc | null> {
    if (this.partitioned) return this.newestInPartition(res, tenant, start, atLeast, projection);
    let from = atLeast;
    if (from <= 0) from = this.known.get(headId(res, tenant, start)) ?? 0;
    if (from <= 0) {
      const head = await this.heads.findOne({ _id: headId(res, tenant, start) });
      from = typeof head?.v === "number" ? head.v : 1;
    }
    const where = this.partition(res, start);
    let last: VersionDoc | null = null;
    let restarted = from <= 1;
    for (;;) {
      const window = (await Promise.all(
        [0, 1].map((i) => where.findOne({ _id: versionId(res, tenant, start, from + i) }, projection ? { projection } : {})),
      )) as Array<VersionDoc | null>;
      const missing = window.indexOf(null);
      if (missing === -1) {
        last = window[window.length - 1] ?? null;
        from += window.length;
        continue;
      }
      const newest = missing > 0 ? (window[missing - 1] ?? null) : last;
      if (newest === null) {
        // Nothing at the hint: the bucket is empty (a hint never runs ahead of the versions).
        if (!restarted && last === null) {
          restarted = true;
          from = 1;
          continue;
        }
        return null;
      }
      // Emptied between our reads of it and of the next: two newer ones exist now.
      if (newest.stub) {
        from = newest.v + 1;
        last = null;
        restarted = true;
        continue;
      }
      this.remember(res, tenant, start, newest.v);
      return newest;
    }
  }

  /**
   * The newest version by one find over the bucket's partition (where a lookup by `_id` scans it
   * anyway). A version emptied under the scan, or older than one known to exist, means the scan
   * missed a newer insert: look again.
   */
  private async newestInPartition(
    res: Code,
    tenant: string,
    start: number,
    atLeast: number,
    projection?: Document,
  ): Promise<VersionDoc | null> {
    const where = this.partition(res, start);
    for (;;) {
      const docs = (await where
        .find({ tenant, res, start }, projection === undefined ? {} : { projection: { ...projection, v: 1, stub: 1 } })
        .toArray()) as VersionDoc[];
      let newest: VersionDoc | null = null;
      for (const doc of docs) if (newest === null || doc.v > newest.v) newest = doc;
      if (newest === null ? atLeast > 0 : newest.stub || newest.v < atLeast) continue;
      if (newest !== null) this.remember(res, tenant, start, newest.v);
      return newest;
    }
  }

  /**
   * The version a parent summed (`folded`, 0: unknown, then the newest), so a read's minutes, hours
   * and days agree; a newer one only when that one was emptied meanwhile.
   */
  private async summed(res: Code, tenant: string, start: number, folded: number, projection: Document): Promise<VersionDoc | null> {
    if (folded <= 0) return this.newest(res, tenant, start, 0, projection);
    const doc = (await this.partition(res, start).findOne(
      { _id: versionId(res, tenant, start, folded) },
      { projection },
    )) as VersionDoc | null;
    return doc !== null && !doc.stub ? doc : this.newest(res, tenant, start, folded + 1, projection);
  }

  /** A version's complete state (every set, bins included). */
  private async state(doc: VersionDoc): Promise<State> {
    const state: State = new Map();
    const where = this.partition(doc.res, doc.start);
    for (let set = 0; set < SETS; set++) {
      const rows = await this.text(where, doc[`r${set}`]);
      const bins = await this.text(where, doc[`b${set}`]);
      for (const record of decodeRecords(rows, bins, doc.start)) {
        const { start: _, bins: flat, exemplars, ...rest } = record;
        const dims: RollupDims = {
          service: rest.service,
          route: rest.route,
          method: rest.method,
          statusCode: rest.statusCode,
          errorCode: rest.errorCode,
          error: rest.error,
        };
        const entry = entryFor(state, set, dims);
        addToSum(entry.cell, { ...rest, bins: binCounts(flat) });
        mergeExemplars(entry.exemplars, exemplars);
      }
      if (doc[`s${set}`] === undefined) continue;
      const subRows = await this.text(where, doc[`s${set}`]);
      const subBins = await this.text(where, doc[`sb${set}`]);
      for (const { start, bins: flat, exemplars, ...rest } of decodeSubRecords(subRows, subBins)) {
        const entry = subEntryFor(state, set, rest, start);
        addToSum(entry.cell, { ...rest, bins: binCounts(flat) });
        mergeExemplars(entry.exemplars, exemplars);
      }
    }
    return state;
  }

  private async text(where: Collection<StoredRollup>, payload: Payload | undefined): Promise<string> {
    if (payload === undefined) return "[]";
    if (typeof payload === "string") return payload;
    const docs = (await where.find({ _id: { $in: payload.chunks } }).toArray()) as ChunkDoc[];
    if (docs.length !== payload.chunks.length) throw new StaleVersion();
    const byId = new Map(docs.map((d) => [d._id, d.text]));
    return payload.chunks.map((id) => byId.get(id) ?? "").join("");
  }

  /** The newest version from `atLeast` on with its complete state, or null. */
  private async newestState(res: Code, tenant: string, start: number, atLeast: number): Promise<{ doc: VersionDoc; state: State } | null> {
    let from = atLeast;
    for (;;) {
      const doc = await this.newest(res, tenant, start, from);
      if (doc === null) return null;
      try {
        return { doc, state: await this.state(doc) };
      } catch (error) {
        if (!(error instanceof StaleVersion)) throw error;
        from = doc.v + 1;
      }
    }
  }

  /**
   * The buckets of a resolution in [from, to) that hold data, each with a version known to exist:
   * days are probed, hours and minutes are listed by the `parts` of their day and hour, so a read
   * never probes the empty minutes of a range.
   */
  private async bucketsWithData(resolution: Resolution, tenant: string, from: number, to: number): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    if (resolution === "day") {
      for (let start = startOf("day", from); start < to; start += RESOLUTION_MS.day) if (start >= from) found.set(start, 0);
      return found;
    }
    const parent: Resolution = resolution === "minute" ? "hour" : "day";
    const parents = await this.bucketsWithData(parent, tenant, startOf(parent, from), to);
    await each(parents, async ([start, folded]) => {
      const doc = await this.summed(CODE[parent], tenant, start, folded, { v: 1, stub: 1, parts: 1 });
      for (const [child, v] of Object.entries(doc?.parts ?? {})) {
        const at = Number(child);
        if (at >= from && at < to) found.set(at, v);
      }
    });
    return found;
  }

  async readRollups(read: RollupRead): Promise<RollupRecord[]> {
    const set = read.set ?? FULL_SET;
    const withBins = read.bins ?? true;
    if (read.to <= read.from) return [];
    // Minutes (hours) of a small set come from the sub-rows of their hours (days): 60 (24) times fewer versions.
    const parent = read.resolution === "minute" ? "hour" : read.resolution === "hour" ? "day" : undefined;
    const sub = this.subRows && parent !== undefined && SUB_SETS.includes(set);
    const scan: RollupRead = sub && parent !== undefined ? { ...read, resolution: parent, from: startOf(parent, read.from) } : read;
    const res = CODE[scan.resolution];
    const [rowsField, binsField] = fieldsOf(set, sub);
    const projection = { v: 1, stub: 1, start: 1, res: 1, [rowsField]: 1, ...(withBins ? { [binsField]: 1 } : {}) };
    const out: RollupRecord[][] = [];
    const record = async (start: number, first: VersionDoc | null) => {
      let doc = first;
      for (;;) {
        if (doc === null) return;
        try {
          out.push(await this.recordsOf(read, set, withBins, sub, doc));
          return;
        } catch (error) {
          if (!(error instanceof StaleVersion)) throw error;
          doc = await this.newest(res, read.tenant, start, doc.v + 1, projection);
        }
      }
    };
    if (this.partitioned) {
      const hours = res === "h" ? await this.hoursFromDays(scan) : null;
      await each(this.periodsOf(res, scan.from, scan.to), async (period) => {
        const wanted = hours === null ? undefined : [...hours].filter(([start]) => start >= period && start < period + PERIOD[res]);
        if (wanted !== undefined && wanted.length <= BY_ID_MAX) {
          // By `_id`, the one filter FerretDB runs in SQLite: the partition's other versions, and
          // the increments its emptied ones keep, are not decoded.
          await each(wanted, async ([start, v]) => record(start, await this.summed(res, read.tenant, start, v, projection)));
          return;
        }
        for (const [start, doc] of await this.scanPartition(scan, period, projection)) {
          // Emptied after the scan read the newer one's absence: two newer ones exist now.
          await record(start, doc.stub ? await this.newest(res, read.tenant, start, doc.v + 1, projection) : doc);
        }
      });
      return out.flat();
    }
    const buckets = await this.bucketsWithData(scan.resolution, read.tenant, scan.from, scan.to);
    await each(buckets, async ([start, folded]) => {
      await record(start, await this.summed(res, read.tenant, start, folded, projection));
    });
    return out.flat();
  }

  /** One version's rows (or sub-rows) of a set, filtered by the read's range and hints. */
  private async recordsOf(read: RollupRead, set: number, withBins: boolean, sub: boolean, doc: VersionDoc): Promise<RollupRecord[]> {
    const where = this.partition(doc.res, doc.start);
    const [rowsField, binsField] = fieldsOf(set, sub);
    const rows = await this.text(where, doc[rowsField]);
    const bins = withBins ? await this.text(where, doc[binsField]) : undefined;
    const records = sub
      ? decodeSubRecords(rows, bins).filter((r) => r.start >= read.from && r.start < read.to)
      : decodeRecords(rows, bins, doc.start);
    const { service, error } = read;
    return service === undefined && error === undefined
      ? records
      : records.filter((r) => (service === undefined || r.service === service) && (error === undefined || r.error === error));
  }

  /** Starts of the partitions of a resolution that overlap [from, to). */
  private periodsOf(res: Code, from: number, to: number): number[] {
    const periods: number[] = [];
    for (let p = Math.floor(from / PERIOD[res]) * PERIOD[res]; p < to; p += PERIOD[res]) periods.push(p);
    return periods;
  }

  /**
   * The newest version of every bucket of a partition in the read's range, in one find: where a
   * lookup by `_id` scans the collection anyway (FerretDB 1.x), one scan per partition replaces the
   * probes of every bucket (a day of minutes: 144 finds instead of ~3,000).
   */
  private async scanPartition(read: RollupRead, period: number, projection: Document): Promise<Map<number, VersionDoc>> {
    const res = CODE[read.resolution];
    const from = Math.max(period, read.from);
    const to = Math.min(period + PERIOD[res], read.to);
    const docs = await this.sharedScan(res, read.tenant, period, from, to, projection);
    const newest = new Map<number, VersionDoc>();
    for (const doc of docs) {
      if (doc.start < from || doc.start >= to) continue;
      const seen = newest.get(doc.start);
      if (seen === undefined || doc.v > seen.v) newest.set(doc.start, doc);
    }
    return newest;
  }

  /**
   * The hours of a read with data, each with the version its day summed, from the `parts` of the
   * days' newest versions, when a scan of those days is asked for or under way anyway (a question
   * over whole days and ragged hours); null otherwise, or when a day changed under the scan.
   */
  private async hoursFromDays(read: RollupRead): Promise<Map<number, number> | null> {
    // Every read of this tick has asked for its scans by now.
    await Promise.resolve();
    const first = startOf("day", read.from);
    const scans: Array<Promise<VersionDoc[]>> = [];
    for (const period of this.periodsOf("d", first, read.to)) {
      const docs = this.joinScan("d", read.tenant, period, Math.max(period, first), Math.min(period + PERIOD.d, read.to));
      if (docs === null) return null;
      scans.push(docs);
    }
    const days = new Map<number, VersionDoc>();
    for (const doc of (await Promise.all(scans)).flat()) {
      if (doc.start < first || doc.start >= read.to) continue;
      const seen = days.get(doc.start);
      if (seen === undefined || doc.v > seen.v) days.set(doc.start, doc);
    }
    const hours = new Map<number, number>();
    for (const day of days.values()) {
      if (day.stub || day.parts === undefined) return null;
      for (const [child, v] of Object.entries(day.parts)) {
        const at = Number(child);
        if (at >= read.from && at < read.to) hours.set(at, v);
      }
    }
    return hours;
  }

  /** Scans asked for in the current tick, by partition and tenant, not yet sent. */
  private readonly scans = new Map<string, PendingScan>();
  /** Scans sent and not yet answered, by partition and tenant. */
  private readonly sent = new Map<string, PendingScan>();

  /**
   * One find for every scan of the same partition and tenant asked for in the same tick, over the
   * union of their ranges and fields: a question's spans are read at once, and a 7-day question
   * reads day rows and per-hour sub-rows from the same day versions, which the server would
   * otherwise decode twice (it decodes the whole partition per find).
   */
  private sharedScan(res: Code, tenant: string, period: number, from: number, to: number, projection: Document): Promise<VersionDoc[]> {
    const key = `${res}${period}\u0000${tenant}`;
    const pending = this.scans.get(key);
    if (pending !== undefined) {
      pending.from = Math.min(pending.from, from);
      pending.to = Math.max(pending.to, to);
      Object.assign(pending.projection, projection);
      return pending.docs;
    }
    // Days bring their `parts` (a few dozen numbers): what hoursFromDays reads.
    const scan: PendingScan = { from, to, projection: { ...projection, ...(res === "d" ? { parts: 1 } : {}) }, docs: Promise.resolve([]) };
    scan.docs = new Promise<void>((go) => queueMicrotask(go)).then(async () => {
      this.scans.delete(key);
      this.sent.set(key, scan);
      try {
        return (await this.partition(res, period)
          .find({ tenant, res, start: { $gte: scan.from, $lt: scan.to } }, { projection: scan.projection })
          .toArray()) as VersionDoc[];
      } finally {
        if (this.sent.get(key) === scan) this.sent.delete(key);
      }
    });
    this.scans.set(key, scan);
    return scan.docs;
  }

  /** A scan of [from, to) with the days' `parts`, asked for or under way: joined; null when there is none. */
  private joinScan(res: Code, tenant: string, period: number, from: number, to: number): Promise<VersionDoc[]> | null {
    const key = `${res}${period}\u0000${tenant}`;
    if (this.scans.has(key)) return this.sharedScan(res, tenant, period, from, to, { v: 1, stub: 1, start: 1, res: 1, parts: 1 });
    const sent = this.sent.get(key);
    return sent !== undefined && sent.from <= from && sent.to >= to && sent.projection.parts === 1 ? sent.docs : null;
  }
}

interface PendingScan {
  from: number;
  to: number;
  projection: Document;
  docs: Promise<VersionDoc[]>;
}
