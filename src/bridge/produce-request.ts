// The produce bodies of the Upstash Kafka REST API, parsed and checked before anything reaches Kafka.
import { utf8Length } from "../domain/event/utf8.ts";

export interface ProduceHeader {
  key: string;
  value: string;
}

export interface ProduceRecord {
  topic: string;
  value: string;
  key?: string;
  partition?: number;
  /** Epoch ms; the bridge's clock when absent. */
  timestamp?: number;
  headers?: ProduceHeader[];
}

/** What Upstash answers for each produced message. */
export interface ProduceMetadata {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

export type ParsedProduce = { ok: true; records: ProduceRecord[]; single: boolean } | { ok: false; error: string };

export const MAX_MESSAGES_PER_REQUEST = 10_000;
/** Under Kafka's default message.max.bytes (1 MiB + overhead): refused here, it cannot fail a merged produce request. */
export const MAX_MESSAGE_BYTES = 1_000_000;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export function isValidTopic(topic: string): boolean {
  return TOPIC.test(topic) && topic !== "." && topic !== "..";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One message object; `topic` comes from the path (variant 2) or from the message (variant 3). */
function parseMessage(raw: unknown, index: number, pathTopic: string | undefined): ProduceRecord | string {
  const at = `message ${index}`;
  if (!isObject(raw)) return `${at}: expected a JSON object`;
  const topic = pathTopic ?? raw.topic;
  if (typeof topic !== "string" || !isValidTopic(topic)) return `${at}: topic must be a Kafka topic name`;
  if (typeof raw.value !== "string") return `${at}: value must be a string`;
  const record: ProduceRecord = { topic, value: raw.value };
  if (raw.value.length > MAX_MESSAGE_BYTES / 3 && utf8Length(raw.value) > MAX_MESSAGE_BYTES) {
    return `${at}: value larger than ${MAX_MESSAGE_BYTES} bytes`;
  }
  if (raw.key !== undefined && raw.key !== null) {
    if (typeof raw.key !== "string") return `${at}: key must be a string`;
    record.key = raw.key;
  }
  if (raw.partition !== undefined && raw.partition !== null) {
    if (!Number.isInteger(raw.partition) || (raw.partition as number) < 0) return `${at}: partition must be a non-negative integer`;
    record.partition = raw.partition as number;
  }
  if (raw.timestamp !== undefined && raw.timestamp !== null) {
    if (!Number.isSafeInteger(raw.timestamp) || (raw.timestamp as number) < 0) return `${at}: timestamp must be epoch milliseconds`;
    record.timestamp = raw.timestamp as number;
  }
  if (raw.headers !== undefined && raw.headers !== null) {
    if (!Array.isArray(raw.headers)) return `${at}: headers must be an array of {key, value}`;
    const headers: ProduceHeader[] = [];
    for (const header of raw.headers) {
      if (!isObject(header) || typeof header.key !== "string" || typeof header.value !== "string") {
        return `${at}: each header must be {key: string, value: string}`;
      }
      headers.push({ key: header.key, value: header.value });
    }
    record.headers = headers;
  }
  return record;
}

/** A JSON body holding one message or an array of them. `pathTopic` is set for `/produce/:topic`. */
export function parseProduceBody(body: unknown, pathTopic?: string): ParsedProduce {
  if (pathTopic !== undefined && !isValidTopic(pathTopic)) return { ok: false, error: `invalid topic name "${pathTopic.slice(0, 64)}"` };
  const single = !Array.isArray(body);
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (items.length > MAX_MESSAGES_PER_REQUEST) return { ok: false, error: `more than ${MAX_MESSAGES_PER_REQUEST} messages in one request` };
  const records: ProduceRecord[] = [];
  for (let i = 0; i < items.length; i++) {
    const parsed = parseMessage(items[i], i, pathTopic);
    if (typeof parsed === "string") return { ok: false, error: parsed };
    records.push(parsed);
  }
  return { ok: true, records, single };
}
