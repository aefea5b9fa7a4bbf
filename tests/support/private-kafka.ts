// A single-node Kafka of the test's own (temp dir, free ports), to stop and start at will; the shared broker is never touched.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { waitForPort } from "./services.ts";
import { freePort } from "./workerd.ts";

const ROOT = resolve(import.meta.dir, "../..");
export const KAFKA_LIBS = join(ROOT, ".cache/kafka/libs");

export interface PrivateKafka {
  brokers: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  dispose: () => Promise<void>;
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  if (!existsSync(join(KAFKA_LIBS, ".complete"))) throw new Error(`Kafka jars missing in ${KAFKA_LIBS}; run: npm run services:up -- kafka`);
  const dir = mkdtempSync(join(tmpdir(), "widegate-kafka-"));
  const [port, controller] = [await freePort(), await freePort()];
  const config = join(dir, "server.properties");
  writeFileSync(
    config,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      `log.dirs=${dir}/data`,
      "num.partitions=3",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=3",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
    ].join("\n"),
  );
  const java = [
    "java",
    "-Xms128m",
    "-Xmx384m",
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${dir}`,
    "-cp",
    `${KAFKA_LIBS}/*`,
  ];
  const format = Bun.spawnSync([
    ...java,
    "kafka.tools.StorageTool",
    "format",
    "--standalone",
    "-t",
    "wgTestCluster0000000000",
    "-c",
    config,
  ]);
  if (format.exitCode !== 0) throw new Error(`kafka storage format failed: ${format.stderr.toString()}`);
  const address = `127.0.0.1:${port}`;
  let proc: Subprocess | undefined;
  const start = async () => {
    proc = Bun.spawn([...java, "kafka.Kafka", config], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    await waitForPort(address, 90_000, "private Kafka", 200);
  };
  const stop = async () => {
    proc?.kill("SIGTERM");
    await proc?.exited;
  };
  await start();
  return {
    brokers: address,
    stop,
    start,
    dispose: async () => {
      proc?.kill("SIGKILL");
      await proc?.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
