import type { Collection, Document } from "mongodb";
import type { Capabilities } from "./mongo-aggregation.ts";
import type { StoredDocument } from "./mongo-document.ts";

/**
 * Asks the server, not its version: FerretDB 1.24 reports MongoDB 7.0.42 in buildInfo, answers
 * NotImplemented (238) for $min, $percentile and $dateTrunc, and returns 0 for every accumulator
 * of a $group after the first. The probes run on a one-document scratch collection (dropped after),
 * since a wrong sum only shows on data; any refusal means "not available".
 */
export async function detectCapabilities(collection: Collection<StoredDocument>): Promise<Capabilities> {
  const scratch = collection.db.collection<Document>(`${collection.collectionName}.probe.${Math.random().toString(36).slice(2, 8)}`);
  try {
    await scratch.insertOne({ _id: "probe", d: 5, ts: new Date(0) } as Document);
    const run = async (stage: Document): Promise<Document | null> => {
      try {
        return (await scratch.aggregate([stage]).toArray())[0] ?? null;
      } catch {
        return null;
      }
    };
    const [sums, minMax, percentile, dateTrunc] = await Promise.all([
      run({ $group: { _id: null, a: { $sum: 1 }, b: { $sum: "$d" } } }),
      run({ $group: { _id: null, mn: { $min: "$d" }, mx: { $max: "$d" } } }),
      run({ $group: { _id: null, p: { $percentile: { input: "$d", p: [0.5], method: "approximate" } } } }),
      run({ $project: { b: { $dateTrunc: { date: "$ts", unit: "minute", binSize: 5 } } } }),
    ]);
    return {
      multiSum: sums?.a === 1 && sums?.b === 5,
      minMax: minMax?.mn === 5 && minMax?.mx === 5,
      percentile: Array.isArray(percentile?.p) && percentile.p[0] === 5,
      dateTrunc: dateTrunc?.b instanceof Date,
    };
  } finally {
    await scratch.drop().catch(() => {});
  }
}
