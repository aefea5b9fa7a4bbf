import type { Collection } from "mongodb";
import { defaultLogger, type Logger } from "../../log/logger.ts";
import type { StoredDocument } from "./mongo-document.ts";

export interface RetentionOptions {
  retentionMs: number;
  /** How often the fallback prune runs (default 10 min). */
  intervalMs?: number;
  /** Documents per delete, and deletes per run: a run never holds the server for long. */
  batchSize?: number;
  maxBatches?: number;
  log?: Logger;
}

const TTL_INDEX = "ttl_q_ts";

/**
 * Retention: a TTL index where the server has them (MongoDB); where it refuses one (FerretDB 1.x
 * answers NotImplemented), a warning once and a periodic, bounded delete of expired events.
 * Returns which of the two is in force.
 */
export async function ensureRetention(collection: Collection<StoredDocument>, options: RetentionOptions): Promise<"ttl" | "prune"> {
  const expireAfterSeconds = Math.round(options.retentionMs / 1000);
  try {
    await collection.createIndex({ "_q.ts": 1 }, { name: TTL_INDEX, expireAfterSeconds });
    return "ttl";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 85 || code === 86) {
      // IndexOptionsConflict: RETENTION_DAYS changed since the index was made; update it in place.
      await collection.db.command({ collMod: collection.collectionName, index: { name: TTL_INDEX, expireAfterSeconds } });
      return "ttl";
    }
    (options.log ?? defaultLogger).warn(
      `event-store:mongo: the server refused a TTL index (${(error as Error).message}); ` +
        `enforcing retention with a periodic bounded delete instead`,
    );
    await collection.createIndex({ "_q.ts": 1 }, { name: "q_ts" });
    return "prune";
  }
}

/** Deletes events older than the retention, in bounded batches; returns how many went. */
export async function pruneExpired(collection: Collection<StoredDocument>, options: RetentionOptions, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - options.retentionMs);
  const batchSize = options.batchSize ?? 5000;
  let deleted = 0;
  for (let i = 0; i < (options.maxBatches ?? 20); i++) {
    const ids = await collection
      .find({ "_q.ts": { $lt: cutoff } }, { projection: { _id: 1 } })
      .limit(batchSize)
      .map((doc) => doc._id)
      .toArray();
    if (ids.length === 0) break;
    deleted += (await collection.deleteMany({ _id: { $in: ids } })).deletedCount;
    if (ids.length < batchSize) break;
  }
  return deleted;
}
