/** The wide event the SDK builds: the gateway's contract fields, then whatever handlers added. */
export interface WideEvent {
  requestId: string;
  /** ISO-8601, when the request started. */
  timestamp: string;
  service: string;
  /** The route pattern (`/api/payments/:id`), never the raw path, so groups stay few. */
  route?: string;
  method?: string;
  statusCode?: number;
  durationMs: number;
  error?: WideEventError;
  /** The step the request was in when it finished (or failed). */
  step?: string;
  steps?: StepRecord[];
  _metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface WideEventError {
  code?: string;
  message?: string;
  type?: string;
  /** The step that was current when the error was recorded. */
  step?: string;
  [field: string]: unknown;
}

/** One step of a request: which service it ran in, when it began (ms after the start) and how long it took. */
export interface StepRecord {
  name: string;
  service: string;
  startMs: number;
  durationMs: number;
}

/** The two clocks a context reads: epoch ms for the timestamp, a monotonic ms clock for durations. */
export interface Clock {
  wall(): number;
  now(): number;
}

export const systemClock: Clock = {
  wall: () => Date.now(),
  now: () => performance.now(),
};

/** How a runtime lets work outlive the response (Workers' `ExecutionContext.waitUntil`). */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** Where finished events go. `send` must never throw and never block the caller. */
export interface EventSink {
  send(event: WideEvent, options?: { waitUntil?: WaitUntil }): void;
}
