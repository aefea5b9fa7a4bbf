import { type Clock, type StepRecord, systemClock, type WideEvent, type WideEventError } from "./types.ts";

export interface ContextOptions {
  /** The service the request belongs to; steps may run in others. */
  service: string;
  /** From the caller's `x-request-id`, else generated. */
  requestId?: string;
  clock?: Clock;
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
  private readonly fields: Record<string, unknown> = {};
  private metadata: Record<string, unknown> | undefined;
  private failure: WideEventError | undefined;
  private failureStatus: number | undefined;
  private readonly steps: StepRecord[] = [];
  private current: { name: string; service: string; start: number } | undefined;

  constructor(options: ContextOptions) {
    this.clock = options.clock ?? systemClock;
    this.requestId = options.requestId || crypto.randomUUID();
    this.service = options.service;
    this.startedAt = this.clock.wall();
    this.started = this.clock.now();
  }

  /** Adds free-form fields (nested objects welcome). Contract fields are set through their own methods. */
  set(fields: Record<string, unknown>): this {
    for (const key in fields) if (!OWNED.has(key)) this.fields[key] = fields[key];
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
    this.closeStep();
    this.current = { name, service, start: this.clock.now() };
    return this;
  }

  /** Merges into `_metadata`, which reaches the final event as given. */
  attachMetadata(metadata: Record<string, unknown>): this {
    this.metadata ??= {};
    Object.assign(this.metadata, metadata);
    return this;
  }

  /** Records the request's error; the current step is noted on it. `statusCode` is used when the response has none of its own. */
  recordError(error: { code: string; message?: string; type?: string }, statusCode?: number): this {
    this.failure = { ...error };
    if (this.current) this.failure.step = this.current.name;
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
    return this.current?.name;
  }

  currentService(): string {
    return this.current?.service ?? this.service;
  }

  /** Builds the event. Call once, when the response is known. */
  finish(finish: Finish = {}): WideEvent {
    const lastStep = this.current?.name;
    this.closeStep();
    // Assigned field by field: conditional object spreads cost microseconds per request on JSC.
    const event: WideEvent = {
      requestId: this.requestId,
      timestamp: new Date(this.startedAt).toISOString(),
      service: this.service,
      durationMs: round(this.clock.now() - this.started),
    };
    const route = finish.route ?? this.route;
    if (route) event.route = route;
    if (finish.method) event.method = finish.method;
    const statusCode = finish.statusCode ?? this.failureStatus;
    if (statusCode !== undefined) event.statusCode = statusCode;
    if (this.failure) event.error = this.failure;
    if (lastStep) event.step = lastStep;
    if (this.steps.length > 0) event.steps = this.steps;
    if (this.metadata) event._metadata = this.metadata;
    // set() never stores a contract field, so nothing above is overwritten.
    for (const key in this.fields) event[key] = this.fields[key];
    return event;
  }

  private closeStep(): void {
    if (!this.current) return;
    const end = this.clock.now();
    this.steps.push({
      name: this.current.name,
      service: this.current.service,
      startMs: round(this.current.start - this.started),
      durationMs: round(end - this.current.start),
    });
    this.current = undefined;
  }
}

/** Durations to 0.1 ms: finer digits are clock noise and cost bytes. */
const round = (ms: number): number => Math.max(0, Math.round(ms * 10) / 10);
