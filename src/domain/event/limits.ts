/** Per-request ingest limits; each maps to an INGEST_* env variable (see src/config/schema.ts). */
export interface IngestLimits {
  /** Whole request body, in bytes (INGEST_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Events in one request (INGEST_MAX_EVENTS). */
  maxEvents: number;
  /** One event as sent, in UTF-8 bytes (INGEST_MAX_EVENT_BYTES). */
  maxEventBytes: number;
  /** Container nesting of one event; the event object itself is depth 1 (INGEST_MAX_DEPTH). */
  maxDepth: number;
  /** Object keys at all depths of one event (INGEST_MAX_FIELDS). */
  maxFields: number;
  /**
   * What one request may expand to once mapped (INGEST_MAX_EXPANDED_BYTES): OTLP copies resource
   * attributes into every record's event, so a small body can otherwise become gigabytes of events.
   */
  maxExpandedBytes: number;
}

export const DEFAULT_LIMITS: Readonly<IngestLimits> = Object.freeze({
  maxBodyBytes: 10 * 1024 * 1024,
  maxEvents: 10_000,
  maxEventBytes: 1024 * 1024,
  maxDepth: 32,
  maxFields: 1000,
  maxExpandedBytes: 32 * 1024 * 1024,
});

/** The config keys this module reads; structural so src/domain needs no import of the zod schema. */
export interface IngestLimitConfig {
  INGEST_MAX_BODY_BYTES: number;
  INGEST_MAX_EVENTS: number;
  INGEST_MAX_EVENT_BYTES: number;
  INGEST_MAX_DEPTH: number;
  INGEST_MAX_FIELDS: number;
  INGEST_MAX_EXPANDED_BYTES: number;
}

export function limitsFromConfig(config: IngestLimitConfig): IngestLimits {
  return {
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    maxEvents: config.INGEST_MAX_EVENTS,
    maxEventBytes: config.INGEST_MAX_EVENT_BYTES,
    maxDepth: config.INGEST_MAX_DEPTH,
    maxFields: config.INGEST_MAX_FIELDS,
    maxExpandedBytes: config.INGEST_MAX_EXPANDED_BYTES,
  };
}

/** "10 MiB (10485760 bytes)": humans read the first part, operators grep the second. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value} ${units[unit]} (${bytes} bytes)`;
}
