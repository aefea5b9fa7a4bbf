// Bun only (TCP): creates the events and DLQ topics at worker start when they are missing.
import { createAdmin } from "./kafka-clients.ts";

/** Creates missing topics with the broker's default partition count and replication; existing ones are left alone. */
export async function ensureTopics(brokers: string[], topics: string[]): Promise<string[]> {
  const admin = createAdmin(brokers, "wide-gate-worker-admin");
  try {
    const existing = new Set(await admin.listTopics({ includeInternals: false }));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    try {
      await admin.createTopics({ topics: missing, partitions: -1, replicas: -1 });
    } catch (error) {
      // Another worker may have created them meanwhile: only fail if they are still missing.
      const now = new Set(await admin.listTopics({ includeInternals: false }));
      if (missing.some((t) => !now.has(t))) throw error;
    }
    return missing;
  } finally {
    await admin.close().catch(() => {});
  }
}
