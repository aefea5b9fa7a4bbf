import type { Command } from "commander";
import { replayDeadLetters } from "../../adapters/kafka/dead-letter-replay.ts";
import { readTopicToEnd } from "../../adapters/kafka/read-topic.ts";
import { formatDeadLetter, viewDeadLetter } from "../../consumer/dead-letter-record.ts";
import { positiveInt } from "../args.ts";
import { ensureKafkaReachable, loadConfig } from "../backends.ts";
import { globals } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { note, printJson, printLine, progress } from "../output.ts";

/** `dlq list|replay`: reads KAFKA_BROKERS / KAFKA_DLQ_TOPIC / KAFKA_TOPIC / WORKER_GROUP_ID from the env, like the worker. */
export function registerDlq(program: Command): void {
  const dlq = program.command("dlq").description("the worker's dead-letter topic on Kafka (env: KAFKA_BROKERS, KAFKA_DLQ_TOPIC)");
  dlq
    .command("list")
    .description("print dead letters with their reasons; changes nothing")
    .option("--limit <n>", "at most this many", positiveInt)
    .action(async (flags: { limit?: number }, cmd: Command) => {
      const config = loadConfig();
      await ensureKafkaReachable(config.KAFKA_BROKERS);
      const { json } = globals(cmd);
      // A throwaway group that never commits: listing changes nothing.
      const count = await kafkaStep(config.KAFKA_DLQ_TOPIC, () =>
        readTopicToEnd({
          brokers: config.KAFKA_BROKERS,
          topic: config.KAFKA_DLQ_TOPIC,
          groupId: `wide-gate-dlq-list-${crypto.randomUUID()}`,
          fromCommitted: false,
          ...(flags.limit ? { limit: flags.limit } : {}),
          onRecords: async (records) => {
            for (const record of records) {
              const view = viewDeadLetter(record);
              if (json) printJson(view);
              else printLine(formatDeadLetter(view));
            }
          },
        }),
      );
      note(`${count} dead letter(s) in ${config.KAFKA_DLQ_TOPIC}`);
    });
  dlq
    .command("replay")
    .description("put dead letters' original bytes back on their source topic, each once across runs")
    .option("--limit <n>", "at most this many", positiveInt)
    .option("--dry-run", "print what would be replayed; changes nothing")
    .action(async (flags: { limit?: number; dryRun?: boolean }) => {
      const config = loadConfig();
      await ensureKafkaReachable(config.KAFKA_BROKERS);
      const bar = progress("replaying");
      let seen = 0;
      const count = await kafkaStep(config.KAFKA_DLQ_TOPIC, () =>
        replayDeadLetters({
          brokers: config.KAFKA_BROKERS,
          dlqTopic: config.KAFKA_DLQ_TOPIC,
          defaultTopic: config.KAFKA_TOPIC,
          groupId: `${config.WORKER_GROUP_ID}-dlq-replay`,
          dryRun: flags.dryRun === true,
          onDryRun: (line) => printLine(line),
          onReplayed: (n) => {
            seen += n;
            bar.update(seen, flags.limit);
          },
          ...(flags.limit ? { limit: flags.limit } : {}),
        }),
      );
      bar.done();
      note(`${flags.dryRun ? "would replay" : "replayed"} ${count} dead letter(s) from ${config.KAFKA_DLQ_TOPIC}`);
    });
}

/** A DLQ topic that does not exist yet holds no dead letters; any other Kafka failure is one line, exit 1. */
async function kafkaStep(topic: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (/unknown topic/i.test(message)) {
      note(`the dead-letter topic ${topic} does not exist yet`);
      return 0;
    }
    throw new CliError(`Kafka: ${message}`, EXIT.answer);
  }
}
