import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../../src/log/logger.ts";
import type { HealthStatus } from "../../../src/ports/health.ts";
import type { OutboundEvent, OutboundRecord, Publisher, RecordTexts } from "../../../src/ports/publisher.ts";

/** A publisher that is up or down at the test's command, and keeps what it acknowledged (with the texts it was given). */
export class SwitchPublisher implements Publisher {
  readonly name = "publisher:switch";
  readonly acknowledged: OutboundRecord[] = [];
  readonly texts: (string | undefined)[] = [];
  up = true;

  async publish(records: readonly OutboundRecord[], texts?: RecordTexts): Promise<void> {
    if (!this.up) throw new Error("down");
    this.acknowledged.push(...records);
    for (let i = 0; i < records.length; i++) this.texts.push(texts?.[i]);
  }

  async health(): Promise<HealthStatus> {
    return { ok: this.up };
  }

  async close(): Promise<void> {}
}

export function events(n: number, from = 0): OutboundEvent[] {
  return Array.from({ length: n }, (_, i) => ({ eventId: `e${from + i}`, requestId: `r${from + i}`, service: "svc", n: from + i }));
}

export const idsOf = (records: readonly OutboundRecord[]): string[] =>
  records.map((r) => ("eventId" in r ? String(r.eventId) : `delta:${String((r as { id: string }).id)}`));

export function tempDir(): string {
  return join(mkdtempSync(join(tmpdir(), "widegate-wal-")), "buffer");
}

export function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
}

export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
}
