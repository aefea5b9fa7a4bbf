import { expect, test } from "bun:test";
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { describeWithServices, serviceEnv, uniqueName } from "../support/services.ts";

await describeWithServices(["kafka"], "kafka produce/consume round trip (native protocol)", () => {
  test("messages produced to a new topic are consumed in order with their keys", async () => {
    const bootstrapBrokers = serviceEnv.KAFKA_BROKERS.split(",");
    const topic = uniqueName("smoke");
    const admin = new Admin({ clientId: "smoke-admin", bootstrapBrokers });
    const producer = new Producer({ clientId: "smoke-producer", bootstrapBrokers, serializers: stringSerializers });
    const consumer = new Consumer({
      clientId: "smoke-consumer",
      groupId: uniqueName("smoke-group"),
      bootstrapBrokers,
      deserializers: stringDeserializers,
    });
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const sent = Array.from({ length: 5 }, (_, i) => ({ topic, key: `req-${i}`, value: JSON.stringify({ i }) }));
      await producer.send({ messages: sent });

      const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 500 });
      const received: { key: string; value: string }[] = [];
      for await (const message of stream) {
        received.push({ key: message.key, value: message.value });
        if (received.length === sent.length) break;
      }
      await stream.close();
      expect(received).toEqual(sent.map(({ key, value }) => ({ key, value })));
    } finally {
      await consumer.close(true);
      await producer.close().catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.close().catch(() => {});
    }
  });
});
