import type { Collection, Document, Filter } from "mongodb";
import { defaultLogger, type Logger } from "../../log/logger.ts";

export interface RetentionOptions {
  retentionMs: number;
  /** How often the fallback prune runs (default 10 min). */
  intervalMs?: number;
  /** Documents per delete, and deletes per run: a run never holds the server for long. */
  batchSize?: number;
  maxBatches?: number;
  log?: Logger;
}

/** Which Date field expires a collection's documents, the indexes on it, and who logs. */
export interface RetentionTarget {
  field: string;
  ttlIndex: string;
  /** The plain index on the field where the server refuses TTL (the prune's find). */
  index: string;
  label: string;
}

const EVENTS: RetentionTarget = { field: "_q.ts", ttlIndex: "ttl_q_ts", index: "q_ts", label: "event-store:mongo" };

/**
 * Retention: a TTL index where the server has them (MongoDB); where it refuses one (FerretDB 1.x
 * answers NotImplemented), a warning once and a periodic, bounded delete of expired documents.
 * Returns which of the two is in force. Without a target: the events' `_q.ts`.
 */
export async function ensureRetention<T extends Document>(
  collection: Collection<T>,
  options: RetentionOptions,
  target: RetentionTarget = EVENTS,
): Promise<"ttl" | "prune"> {
  const expireAfterSeconds = Math.round(options.retentionMs / 1000);
  try {
    await collection.createIndex({ [target.field]: 1 }, { name: target.ttlIndex, expireAfterSeconds });
    return "ttl";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 85 || code === 86) {
      // IndexOptionsConflict: the retention changed since the index was made; update it in place.
      await collection.db.command({ collMod: collection.collectionName, index: { name: target.ttlIndex, expireAfterSeconds } });
      return "ttl";
    }
    (options.log ?? defaultLogger).warn(
      `${target.label}: the server refused a TTL index (${(error as Error).message}); ` +
        `enforcing retention with a periodic bounded delete instead`,
    );
    await collection.createIndex({ [target.field]: 1 }, { name: target.index });
    return "prune";
  }
}

/** Deletes documents older than the retention, in bounded batches; returns how many went. */
export async function pruneExpired<T extends Document>(
  collection: Collection<T>,
  options: RetentionOptions,
  now = Date.now(),
  target: RetentionTarget = EVENTS,
): Promise<number> {
  const cutoff = new Date(now - options.retentionMs);
  const batchSize = options.batchSize ?? 5000;
  let deleted = 0;
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const ids = await collection
      .find({ [target.field]: { $lt: cutoff } } as Filter<T>, { projection: { _id: 1 } })
      .limit(batchSize)
      .map((doc) => doc._id)
      .toArray();
    if (ids.length === 0) break;
    deleted += (await collection.deleteMany({ _id: { $in: ids } } as Filter<T>)).deletedCount;
    if (ids.length < batchSize) break;
  }
  return deleted;
}
