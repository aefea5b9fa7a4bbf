import { expect, test } from "bun:test";
import { MongoClient, MongoServerError } from "mongodb";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

await describeWithServices(["ferretdb"], "mongodb driver against FerretDB", () => {
  test("documents round-trip and a duplicate _id is error 11000", async () => {
    const client = new MongoClient(serviceEnv.MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    const db = client.db("smoke");
    const collection = db.collection<{ _id: string; service: string; n: number }>(uniqueName("events"));
    try {
      await collection.insertMany([
        { _id: "a", service: "payment", n: 1 },
        { _id: "b", service: "search", n: 2 },
      ]);
      expect(await collection.countDocuments({ service: "payment" })).toBe(1);
      const error = await collection.insertOne({ _id: "a", service: "payment", n: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(11000);
      const grouped = await collection.aggregate([{ $group: { _id: "$service", total: { $sum: "$n" } } }, { $sort: { _id: 1 } }]).toArray();
      expect(grouped).toEqual([
        { _id: "payment", total: 1 },
        { _id: "search", total: 2 },
      ]);
    } finally {
      await collection.drop().catch(() => {});
      await client.close();
    }
  });
});
