// Bun-only (@platformatic/kafka): shared by the native publisher and the bridge.
import type { Producer } from "@platformatic/kafka";
import type { HealthStatus } from "../../ports/health.ts";

/** A metadata round trip: proves the broker answers, without touching any topic. */
export async function producerHealth(producer: Producer<string, string, string, string>): Promise<HealthStatus> {
  const started = Date.now();
  try {
    const metadata = await producer.metadata({ topics: [] });
    return { ok: true, detail: `${metadata.brokers.size} broker(s), ${Date.now() - started} ms` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  }
}
