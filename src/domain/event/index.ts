// The parse → validate → redact half of POST /v1/events; src/sources/http reads bodies into it.
export { type BodyFormat, bodyFormat } from "./content-type.ts";
export { isErrorEvent } from "./error-flag.ts";
export type { BodyError, BodyErrorCode, Rejection, RejectionCode } from "./errors.ts";
export { DEFAULT_LIMITS, formatBytes, type IngestLimitConfig, type IngestLimits, limitsFromConfig } from "./limits.ts";
export {
  completeEvent,
  createNormalizeContext,
  type DraftEvent,
  deriveEventId,
  type NormalizeContext,
  type NormalizeContextOptions,
  type NormalizedBatch,
  type NormalizeResult,
  normalizeBody,
  normalizeEvent,
  stampEvent,
  type WideEvent,
} from "./normalize.ts";
export {
  type DepthCheck,
  type LineResult,
  type ParseBodyResult,
  type ParsedBody,
  type ParsedItem,
  parseBody,
  parseEventLine,
  parseJsonBody,
  parseNdjsonBody,
} from "./parse-body.ts";
export { ibanValid, redactValue, type ScannerSet, VALUE_SCANNERS, type ValueScanner } from "./pii.ts";
export {
  compileRedaction,
  DEFAULT_REDACTION,
  DEFAULT_SENSITIVE_KEYS,
  REDACTED,
  REDACTED_CARD,
  type Redaction,
  type RedactionOptions,
  type RedactionRule,
  redactCardNumbers,
} from "./redaction.ts";
export { type ScanOptions, type ScanResult, scanJson } from "./scan-json.ts";
export { nestsDeeper, type ScrubFailure, type ScrubLimits, scrubEvent } from "./scrub.ts";
export { parseTimestamp, type TimestampResult } from "./timestamp.ts";
export { utf8Length } from "./utf8.ts";
export { type EventError, isPlainObject, type KnownFields, validateEvent } from "./validate.ts";
