import { DLQ_HEADER } from "./messages.ts";

/** A record read back from the DLQ topic. */
export interface DeadLetterRecord {
  partition: number;
  offset: bigint;
  key: string | undefined;
  value: Uint8Array | undefined;
  headers: Map<string, string>;
}

export interface DeadLetterView {
  dlq: string;
  failedAt: string;
  stage: string;
  reason: string;
  source: string;
  key: string | null;
  bytes: number;
  /** The original value as text (invalid UTF-8 replaced), cut to `previewChars`. */
  preview: string;
  /** The original value exactly, for --json. */
  base64: string;
}

export function viewDeadLetter(record: DeadLetterRecord, previewChars = 160): DeadLetterView {
  const h = (name: string) => record.headers.get(name) ?? "?";
  const value = record.value ?? new Uint8Array(0);
  const text = new TextDecoder().decode(value);
  return {
    dlq: `${record.partition}/${record.offset}`,
    failedAt: h(DLQ_HEADER.failedAt),
    stage: h(DLQ_HEADER.stage),
    reason: h(DLQ_HEADER.reason),
    source: `${h(DLQ_HEADER.topic)}/${h(DLQ_HEADER.partition)}/${h(DLQ_HEADER.offset)}`,
    key: record.key ?? null,
    bytes: value.length,
    preview: text.length > previewChars ? `${text.slice(0, previewChars)}…` : text,
    base64: Buffer.from(value).toString("base64"),
  };
}

/** One line per dead letter for a terminal. */
export function formatDeadLetter(view: DeadLetterView): string {
  return `${view.dlq}  ${view.failedAt}  ${view.stage}  from ${view.source}  key=${view.key ?? "-"}  ${view.reason}\n    ${JSON.stringify(view.preview)} (${view.bytes} bytes)`;
}
