// Bun only: the pieces `dlq` and `replay` need from the server's own config (they talk to Kafka and
// DATA_DIR directly, not to the gateway's HTTP API).
import { type Config, ConfigError, parseConfig } from "../config/schema.ts";
import { CliError, EXIT } from "./errors.ts";

/** The same env the server reads; a bad variable is a usage error naming it. */
export function loadConfig(env: Record<string, unknown> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * A TCP connect to each broker with a deadline: the Kafka client retries an absent broker for a
 * long time, so without this a stopped Kafka looks like a hang rather than one line and exit 3.
 */
export async function ensureKafkaReachable(brokers: readonly string[], timeoutMs = 3000): Promise<void> {
  const attempts = brokers.map((broker) => canConnect(broker, timeoutMs));
  const results = await Promise.all(attempts);
  if (results.some(Boolean)) return;
  throw new CliError(`cannot reach Kafka at ${brokers.join(",")} (KAFKA_BROKERS): is it running?`, EXIT.connect);
}

async function canConnect(broker: string, timeoutMs: number): Promise<boolean> {
  const at = broker.lastIndexOf(":");
  const hostname = at > 0 ? broker.slice(0, at).replace(/^\[|\]$/g, "") : broker;
  const port = at > 0 ? Number(broker.slice(at + 1)) : 9092;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const connect = Bun.connect({ hostname, port, socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
  try {
    return await Promise.race([connect, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
