import { type Collection, type Document, MongoBulkWriteError, MongoServerError } from "mongodb";
import { murmur3_128hex } from "../../domain/hash/murmur3.ts";
import { DIMENSION_SETS, type DimSet, FULL_SET, projectDims } from "../../domain/rollup/dimension-sets.ts";
import {
  DAY_MS,
  dayOf,
  dimsKey,
  emptyCell,
  flattenBins,
  HOUR_MS,
  hourOf,
  mergeCell,
  mergeExemplars,
  minuteOf,
  type RollupCell,
  type RollupDelta,
  type RollupDims,
  type RollupRecord,
} from "../../domain/rollup/rollup.ts";
import { defaultLogger } from "../../log/logger.ts";
import type { RollupApplyResult, RollupRead } from "../../ports/event-store.ts";
import { ensureRetention, pruneExpired, type RetentionOptions, type RetentionTarget } from "./mongo-retention.ts";

/**
 * Rollups in MongoDB or FerretDB, built on the one write both servers make atomic: an insert with
 * a unique `_id`. FerretDB 1.24 (SQLite) runs every update as find-then-write-back with no lock, so
 * concurrent `$inc`s on one document lose updates (measured: 4 writers × 150 `$inc` left 183), and
 * a filtered `replaceOne` can overwrite a newer document. So nothing is ever updated in place:
 *
 * - the ledger (collection `<rollups>.ledger`): one document per (delta, minute, chunk of rows),
 *   `_id` derived from them. Inserting it is applying it; E11000 means already applied. Kept for
 *   the retention: it is what every row is summed from, and what makes a replay a duplicate. Its
 *   own collection, so that FerretDB's reads of rows (full scans) never decode it.
 * - minute rows (res "m"), one per (tenant, minute, dimension set `s`, dims) and version v = the
 *   number of ledger rows summed into it; hour rows (res "h"), v = the sum of its minutes' v. Each
 *   version is its own insert-only document (`_id` ends in v); readers take the greatest v per
 *   row, writers delete the versions they see superseded. Day reads sum hour rows.
 *
 * Why this is exact: ledger documents are only added, so a complete sum has the greatest v and no
 * incomplete one can reach it; a writer re-reads after its own insert, so the last writer to read
 * sees every ledger document and writes (or finds) the complete version, and likewise for hours.
 * A crash between steps heals on redelivery: rows are recomputed for everything a batch touches,
 * already-applied deltas included.
 */

export interface StoredRollup extends Document {
  _id: string;
}

interface LedgerRow extends RollupDims, RollupCell {
  k: string;
  exemplars: string[];
}

interface LedgerDoc extends StoredRollup {
  _id: string;
  tenant: string;
  /** Minute start; -1 for the marker of a delta without rows. */
  start: number;
  delta: string;
  at: Date;
  rows: LedgerRow[];
}

interface RowDoc extends StoredRollup, RollupDims, RollupCell {
  _id: string;
  tenant: string;
  res: "m" | "h";
  /** Dimension set; absent on rows written before sets existed, which are all FULL_SET. */
  s?: DimSet;
  start: number;
  k: string;
  v: number;
  at: Date;
  exemplars: string[];
}

/** Rows per ledger document: far below 16 MB even with every duration bin filled. */
const CHUNK_ROWS = 256;
const META_ID = "meta:since";

export const ROLLUP_RETENTION: RetentionTarget = { field: "at", ttlIndex: "ttl_at", index: "at", label: "event-store:mongo rollups" };

const ROW_INDEX = { key: { tenant: 1, res: 1, start: 1, k: 1 }, name: "tenant_res_start_k" };
const LEDGER_INDEX = { key: { tenant: 1, start: 1 }, name: "tenant_start" };

const hash = (parts: unknown[]): string => murmur3_128hex(JSON.stringify(parts));
const ledgerId = (tenant: string, start: number, delta: string, chunk: number): string => `d:${hash([tenant, start, delta, chunk])}`;
const rowId = (res: "m" | "h", tenant: string, start: number, k: string, v: number): string => `${res}:${hash([tenant, start, k])}:${v}`;

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === 11000;

/** Inserts what is not there yet; returns the indexes already there (E11000). Any other failure throws. */
async function insertNew(collection: Collection<StoredRollup>, docs: readonly StoredRollup[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await collection.insertMany(docs.slice(), { ordered: false });
    return new Set();
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    if (writeErrors.some((w) => w.code !== 11000)) throw error;
    // An unreachable server raises a bulk error too, with nothing inserted and no write errors.
    if (error.result.insertedCount + writeErrors.length !== docs.length) throw error;
    return new Set(writeErrors.map((w) => w.index));
  }
}

/** The row key of a group in a set: the full set keeps the plain dimsKey (as before sets existed). */
const setKey = (set: DimSet, dims: RollupDims): string => (set === FULL_SET ? dimsKey(dims) : `${set}|${dimsKey(projectDims(dims, set))}`);

function rowRecord(doc: RowDoc, withBins: boolean, start = doc.start): RollupRecord {
  return {
    start,
    service: doc.service,
    route: doc.route,
    method: doc.method,
    statusCode: doc.statusCode,
    errorCode: doc.errorCode,
    error: doc.error,
    count: doc.count,
    durationCount: doc.durationCount,
    durationSum: doc.durationSum,
    durationMin: doc.durationMin,
    durationMax: doc.durationMax,
    bins: withBins ? flattenBins(doc.bins ?? {}) : [],
    exemplars: (doc.exemplars ?? []).slice(),
  };
}

function newRow(res: "m" | "h", tenant: string, start: number, set: DimSet, dims: RollupDims, k: string): RowDoc {
  const { service, route, method, statusCode, errorCode, error } = projectDims(dims, set);
  return {
    _id: "",
    tenant,
    res,
    s: set,
    start,
    k,
    v: 0,
    at: new Date(start),
    service,
    route,
    method,
    statusCode,
    errorCode,
    error,
    ...emptyCell(),
    exemplars: [],
  };
}

/** Per row key (start|k), the document with the greatest v; the others into `superseded`. */
function newestVersions(docs: readonly RowDoc[], superseded?: string[]): Map<string, RowDoc> {
  const newest = new Map<string, RowDoc>();
  for (const doc of docs) {
    const key = `${doc.start}|${doc.k}`;
    const seen = newest.get(key);
    if (seen === undefined || doc.v > seen.v) {
      if (seen) superseded?.push(seen._id);
      newest.set(key, doc);
    } else {
      superseded?.push(doc._id);
    }
  }
  return newest;
}

/** tenant → minute → dims keys a batch touched. */
export type Touched = Map<string, Map<number, Set<string>>>;

export class MongoRollups {
  private since: Promise<number> | undefined;

  constructor(
    readonly collection: Collection<StoredRollup>,
    readonly ledger: Collection<StoredRollup>,
    private readonly events: Collection<Document>,
    private readonly retention: RetentionOptions,
  ) {}

  /** Indexes, retention (returned: TTL or prune), and the moment rollups began. */
  async init(): Promise<"ttl" | "prune"> {
    await this.collection.createIndex(ROW_INDEX.key, { name: ROW_INDEX.name });
    await this.ledger.createIndex(LEDGER_INDEX.key, { name: LEDGER_INDEX.name });
    // The events' retention already warned about a server without TTL: the same news at info.
    const log = this.retention.log ?? defaultLogger;
    const options = { ...this.retention, log: { ...log, warn: (line: string) => log.info(line) } };
    const mode = await ensureRetention(this.collection, options, ROLLUP_RETENTION);
    await ensureRetention(this.ledger, options, { ...ROLLUP_RETENTION, label: "event-store:mongo rollup ledger" });
    const legacy = (await this.events.findOne({}, { projection: { _id: 1 } })) !== null;
    try {
      await this.collection.insertOne({ _id: META_ID, since: Date.now(), legacy });
    } catch (error) {
      // Another instance, or an earlier start, began the rollups: its answer stands.
      if (!isDuplicateKey(error)) throw error;
    }
    return mode;
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

  async pruneExpired(now = Date.now()): Promise<number> {
    const rows = await pruneExpired(this.collection, this.retention, now, ROLLUP_RETENTION);
    return rows + (await pruneExpired(this.ledger, this.retention, now, ROLLUP_RETENTION));
  }

  async applyRollups(deltas: readonly RollupDelta[]): Promise<RollupApplyResult> {
    if (deltas.length === 0) return { applied: 0, duplicates: 0 };
    const { result, touched } = await this.insertLedger(deltas);
    await this.refresh(touched);
    return result;
  }

  /** Step 1: the ledger. A delta is applied once any of its documents is new. */
  async insertLedger(deltas: readonly RollupDelta[]): Promise<{ result: RollupApplyResult; touched: Touched }> {
    const docs: LedgerDoc[] = [];
    const owner: number[] = [];
    const touched: Touched = new Map();
    deltas.forEach((delta, d) => {
      const minutes = new Map<number, Map<string, LedgerRow>>();
      for (const row of delta.rows) {
        const start = minuteOf(row.minute);
        const k = dimsKey(row);
        const into = entry(
          entry(minutes, start, () => new Map<string, LedgerRow>()),
          k,
          () => {
            const { service, route, method, statusCode, errorCode, error } = row;
            return { k, service, route, method, statusCode, errorCode, error, ...emptyCell(), exemplars: [] };
          },
        );
        mergeCell(into, row);
        mergeExemplars(into.exemplars, row.exemplars);
      }
      const now = new Date();
      if (minutes.size === 0) {
        const _id = ledgerId(delta.tenant, -1, delta.id, 0);
        docs.push({ _id, tenant: delta.tenant, start: -1, delta: delta.id, at: now, rows: [] });
        owner.push(d);
      }
      const byMinute = entry(touched, delta.tenant, () => new Map<number, Set<string>>());
      for (const [start, rows] of minutes) {
        // Sorted, so a redelivery cuts the same chunks under the same ids.
        const sorted = [...rows.values()].sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
        for (let i = 0; i < sorted.length; i += CHUNK_ROWS) {
          const _id = ledgerId(delta.tenant, start, delta.id, i / CHUNK_ROWS);
          const at = new Date(start);
          docs.push({ _id, tenant: delta.tenant, start, delta: delta.id, at, rows: sorted.slice(i, i + CHUNK_ROWS) });
          owner.push(d);
        }
        const keys = entry(byMinute, start, () => new Set<string>());
        for (const row of rows.values()) for (let set = 0; set < DIMENSION_SETS.length; set++) keys.add(setKey(set, row));
      }
    });
    const present = await insertNew(this.ledger, docs);
    const fresh = new Set<number>();
    owner.forEach((d, i) => {
      if (!present.has(i)) fresh.add(d);
    });
    return { result: { applied: fresh.size, duplicates: deltas.length - fresh.size }, touched };
  }

  /** Steps 2 and 3: the minute rows, then the hour rows, of everything touched. */
  async refresh(touched: Touched): Promise<void> {
    const minuteRows = (await Promise.all([...touched].map(([tenant, minutes]) => this.sumMinutes(tenant, minutes)))).flat();
    await insertNew(this.collection, minuteRows);
    const hours: Array<{ tenant: string; hour: number; keys: Set<string> }> = [];
    for (const [tenant, minutes] of touched) {
      const byHour = new Map<number, Set<string>>();
      for (const [minute, keys] of minutes) {
        const into = entry(byHour, hourOf(minute), () => new Set<string>());
        for (const k of keys) into.add(k);
      }
      for (const [hour, keys] of byHour) hours.push({ tenant, hour, keys });
    }
    const superseded: string[] = [];
    const hourRows = (await Promise.all(hours.map(({ tenant, hour, keys }) => this.sumHour(tenant, hour, keys, superseded)))).flat();
    // New versions go in before old ones go: a reader always finds one.
    await insertNew(this.collection, hourRows);
    if (superseded.length > 0) await this.collection.deleteMany({ _id: { $in: superseded } });
  }

  /** The touched minute rows of one tenant, summed from every ledger document of those minutes. */
  private async sumMinutes(tenant: string, minutes: Map<number, Set<string>>): Promise<RowDoc[]> {
    const starts = [...minutes.keys()];
    if (starts.length === 0) return [];
    const ledger = (await this.ledger
      .find({ tenant, start: { $in: starts } }, { projection: { delta: 1, start: 1, rows: 1 } })
      .toArray()) as LedgerDoc[];
    // In delta order, so every writer merges exemplars alike.
    ledger.sort((a, b) => (a.delta < b.delta ? -1 : a.delta > b.delta ? 1 : a._id < b._id ? -1 : 1));
    const sums = new Map<string, RowDoc>();
    for (const doc of ledger) {
      const keys = minutes.get(doc.start);
      for (const row of doc.rows) {
        for (let set = 0; set < DIMENSION_SETS.length; set++) {
          const k = setKey(set, row);
          if (!keys?.has(k)) continue;
          const sum = entry(sums, `${doc.start}|${k}`, () => newRow("m", tenant, doc.start, set, row, k));
          mergeCell(sum, row);
          mergeExemplars(sum.exemplars, row.exemplars);
          sum.v++;
        }
      }
    }
    for (const sum of sums.values()) sum._id = rowId("m", tenant, sum.start, sum.k, sum.v);
    return [...sums.values()];
  }

  /** One tenant's hour rows for the touched keys, from the newest minute rows; stale versions into `superseded`. */
  private async sumHour(tenant: string, hour: number, keys: Set<string>, superseded: string[]): Promise<RowDoc[]> {
    const docs = (await this.collection
      .find({ tenant, res: { $in: ["m", "h"] }, start: { $gte: hour, $lt: hour + HOUR_MS }, k: { $in: [...keys] } })
      .toArray()) as RowDoc[];
    const minutes = newestVersions(
      docs.filter((d) => d.res === "m"),
      superseded,
    );
    const stored = newestVersions(
      docs.filter((d) => d.res === "h"),
      superseded,
    );
    const sums = new Map<string, RowDoc>();
    for (const minute of [...minutes.values()].sort((a, b) => a.start - b.start)) {
      const sum = entry(sums, minute.k, () => newRow("h", tenant, hour, minute.s ?? FULL_SET, minute, minute.k));
      mergeCell(sum, minute);
      mergeExemplars(sum.exemplars, minute.exemplars);
      sum.v += minute.v;
    }
    const out: RowDoc[] = [];
    for (const sum of sums.values()) {
      const current = stored.get(`${hour}|${sum.k}`);
      // Equal v: the same minutes, already stored; smaller: another writer saw more.
      if (current !== undefined && current.v >= sum.v) continue;
      if (current) superseded.push(current._id);
      sum._id = rowId("h", tenant, hour, sum.k, sum.v);
      out.push(sum);
    }
    return out;
  }

  async readRollups(read: RollupRead): Promise<RollupRecord[]> {
    const set = read.set ?? FULL_SET;
    const withBins = read.bins ?? true;
    const day = read.resolution === "day";
    // A day row is the sum of its hour rows: read whole days.
    const from = day ? Math.ceil(read.from / DAY_MS) * DAY_MS : read.from;
    const to = day ? Math.ceil(read.to / DAY_MS) * DAY_MS : read.to;
    if (read.to <= from) return [];
    const docs = (await this.collection
      .find(
        {
          tenant: read.tenant,
          res: read.resolution === "minute" ? "m" : "h",
          s: set === FULL_SET ? { $in: [FULL_SET, null] } : set,
          start: { $gte: from, $lt: to },
        },
        { projection: { tenant: 0, res: 0, at: 0, ...(withBins ? {} : { bins: 0 }) } },
      )
      .toArray()) as RowDoc[];
    const rows = [...newestVersions(docs).values()];
    if (!day) return rows.map((doc) => rowRecord(doc, withBins));
    const days = new Map<string, RowDoc>();
    for (const doc of rows.sort((a, b) => a.start - b.start)) {
      const start = dayOf(doc.start);
      const sum = entry(days, `${start}|${doc.k}`, () => newRow("h", read.tenant, start, set, doc, doc.k));
      mergeCell(sum, { ...doc, bins: doc.bins ?? {} });
      mergeExemplars(sum.exemplars, doc.exemplars);
    }
    return [...days.values()].map((doc) => rowRecord(doc, withBins));
  }
}
