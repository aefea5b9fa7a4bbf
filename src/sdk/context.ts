import { isoTimestamp } from "./iso-time.ts";
import { type Clock, type StepRecord, systemClock, type WideEvent, type WideEventError } from "./types.ts";

export interface ContextOptions {
  /** The service the request belongs to; steps may run in others. */
  service: string;
  /** From the caller's `x-request-id`, else generated. */
  requestId?: string | undefined;
  clock?: Clock | undefined;
}

/** What the framework knows once the response exists. */
export interface Finish {
  route?: string | undefined;
  method?: string | undefined;
  statusCode?: number | undefined;
}

/** Fields a handler may not overwrite with `set()`: the contract fields the context owns. */
const OWNED = new Set([
  "requestId",
  "timestamp",
  "service",
  "route",
  "method",
  "statusCode",
  "durationMs",
  "error",
  "step",
  "steps",
  "_metadata",
]);

/**
 * One request's wide event in the making (the seed's LoggingContext): every layer adds fields,
 * moves the current step (and service), attaches `_metadata` and records an error; `finish()`
 * builds the one event, `_metadata` included.
 */
export class WideEventContext {
  readonly requestId: string;
  readonly clock: Clock;
  readonly startedAt: number;
  private readonly started: number;
  private service: string;
  private route: string | undefined;
  // Allocated on first use: most requests set few of these.
  private fields: Record<string, unknown> | undefined;
  private metadata: Record<string, unknown> | undefined;
  /** Whether `metadata` is our own copy (after a second attachMetadata) or still the caller's object. */
  private ownsMetadata = false;
  private failure: WideEventError | undefined;
  private failureStatus: number | undefined;
  private steps: StepRecord[] | undefined;
  // The open step, kept in three fields rather than an object per step.
  private stepName: string | undefined;
  private stepService = "";
  private stepStart = 0;

  constructor(options: ContextOptions) {
    this.clock = options.clock ?? systemClock;
    this.requestId = options.requestId || crypto.randomUUID();
    this.service = options.service;
    this.startedAt = this.clock.wall();
    this.started = this.clock.now();
  }

  /** Adds free-form fields (nested objects welcome). Contract fields are set through their own methods. */
  set(fields: Record<string, unknown>): this {
    this.fields ??= {};
    const own = this.fields;
    for (const key in fields) if (!OWNED.has(key)) own[key] = fields[key];
    return this;
  }

  /** Moves the whole event to another service (the step records keep where each ran). */
  setService(service: string): this {
    this.service = service;
    return this;
  }

  /** The route pattern, for frameworks that cannot tell the middleware (a plain fetch handler). */
  setRoute(route: string): this {
    this.route = route;
    return this;
  }

  /** Enters a step: closes the current one and records which service the new one runs in. */
  step(name: string, service: string = this.currentService()): this {
    const now = this.clock.now();
    this.closeStep(now);
    this.stepName = name;
    this.stepService = service;
    this.stepStart = now;
    return this;
  }

  /**
   * Merges into `_metadata`, which reaches the final event as given. Like `set()`, values are held
   * by reference (not copied) until the batch is serialized; a single call keeps the object itself.
   */
  attachMetadata(metadata: Record<string, unknown>): this {
    if (this.metadata === undefined) {
      this.metadata = metadata;
    } else if (this.ownsMetadata) {
      Object.assign(this.metadata, metadata);
    } else {
      // Never write into the caller's object.
      this.metadata = { ...this.metadata, ...metadata };
      this.ownsMetadata = true;
    }
    return this;
  }

  /** Records the request's error; the current step is noted on it. `statusCode` is used when the response has none of its own. */
  recordError(error: { code: string; message?: string; type?: string }, statusCode?: number): this {
    this.failure = { ...error };
    if (this.stepName !== undefined) this.failure.step = this.stepName;
    this.failureStatus = statusCode;
    return this;
  }

  /** Records a thrown value unless the handler already recorded a more precise error. */
  recordThrown(thrown: unknown, code = "UNHANDLED"): this {
    if (this.failure) return this;
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    return this.recordError({ code, message: error.message, type: error.name });
  }

  get hasError(): boolean {
    return this.failure !== undefined;
  }

  currentStep(): string | undefined {
    return this.stepName;
  }

  currentService(): string {
    return this.stepName !== undefined ? this.stepService : this.service;
  }

  /** Builds the event. Call once, when the response is known. */
  finish(finish: Finish = {}): WideEvent {
    const lastStep = this.stepName;
    const now = this.clock.now();
    this.closeStep(now);
    // Assigned field by field: conditional object spreads cost microseconds per request on JSC.
    const event: WideEvent = {
      requestId: this.requestId,
      timestamp: isoTimestamp(this.startedAt),
      service: this.service,
      durationMs: round(now - this.started),
    };
    const route = finish.route ?? this.route;
    if (route) event.route = route;
    if (finish.method) event.method = finish.method;
    const statusCode = finish.statusCode ?? this.failureStatus;
    if (statusCode !== undefined) event.statusCode = statusCode;
    if (this.failure) event.error = this.failure;
    if (lastStep) event.step = lastStep;
    if (this.steps) event.steps = this.steps;
    if (this.metadata) event._metadata = this.metadata;
    // set() never stores a contract field, so nothing above is overwritten.
    const fields = this.fields;
    if (fields) for (const key in fields) event[key] = fields[key];
    return event;
  }

  private closeStep(end: number): void {
    if (this.stepName === undefined) return;
    this.steps ??= [];
    this.steps.push({
      name: this.stepName,
      service: this.stepService,
      startMs: round(this.stepStart - this.started),
      durationMs: round(end - this.stepStart),
    });
    this.stepName = undefined;
  }
}

/** Durations to 0.1 ms: finer digits are clock noise and cost bytes. */
const round = (ms: number): number => Math.max(0, Math.round(ms * 10) / 10);
