import { gzip } from "./gzip.ts";
import { backoffMs, isRetryable, parseRetryAfter } from "./retry.ts";
import type { EventSink, WaitUntil, WideEvent } from "./types.ts";

export interface TransportOptions {
  /** The gateway's base URL (`https://gateway.example`); events go to `POST <url>/v1/events`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`; leave out for a gateway without ingest keys. */
  apiKey?: string;
  /** Events per request (default 100; the gateway takes up to 10,000). */
  batchSize?: number;
  /** Events held while the gateway is slow or down; past this, new events are dropped and counted (default 10,000). */
  maxBuffer?: number;
  /** Background flush period where there is no `waitUntil` (default 1000 ms; 0 = only on a full batch or `flush()`). */
  flushIntervalMs?: number;
  /** Bodies of at least this many bytes are gzipped (default 32 KiB; `false` never gzips). */
  gzipMinBytes?: number | false;
  /** Retries after the first attempt, on 429, 5xx or a network error (default 5). */
  maxRetries?: number;
  /** First backoff delay (default 200 ms), doubling up to `maxRetryDelayMs`. */
  retryBaseMs?: number;
  /** Cap on any one wait, `Retry-After` included (default 30 s). */
  maxRetryDelayMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Told about each failed or refused batch (the events are counted in `stats().dropped` too). */
  onError?: (error: TransportError) => void;
  /** Defaults to the global fetch; another fetch may route the requests (a service binding, an in-process app). */
  fetch?: (request: Request) => Promise<Response>;
  /** How to wait between retries (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export interface TransportError {
  /** `status` (the gateway answered), `network` (no answer) or `exhausted` (retries ran out). */
  kind: "status" | "network" | "exhausted";
  message: string;
  status?: number;
  events: number;
}

export interface TransportStats {
  /** Events handed to `send()`. */
  enqueued: number;
  /** Waiting in the buffer now. */
  buffered: number;
  /** In a request now. */
  inFlight: number;
  /** Events the gateway accepted (its 202's `accepted`). */
  delivered: number;
  /** Of those, events the gateway's sampler kept (its 202's `kept`). */
  keptByGateway: number;
  requests: number;
  retries: number;
  /** Batches re-sent uncompressed because the gateway refused the gzip body (400/415). */
  gzipFallbacks: number;
  dropped: {
    /** The buffer was full when the event arrived. */
    bufferFull: number;
    /** The gateway refused the events (4xx other than 429, or rejected by index in a 202). */
    refused: number;
    /** Retries ran out (gateway down or saturated). */
    failed: number;
    /** An event that alone is larger than the gateway takes (413 on a batch of one). */
    tooLarge: number;
    /** `send()` after `close()`. */
    closed: number;
    total: number;
  };
  lastError?: string;
}

type Outcome = { done: true } | { done: false; retryAfterMs?: number | undefined };
/** What the caller must do instead of retrying: resend uncompressed, or send the batch in halves. */
type Redo = "plain" | "split";

/**
 * Batches wide events to the gateway. `send()` only appends to a bounded buffer; requests happen in
 * the background (a timer, or the runtime's `waitUntil`), one at a time, so the app's response is
 * never delayed by the gateway and never fails because of it.
 */
export class HttpTransport implements EventSink {
  private readonly endpoint: string;
  private readonly options: Required<Omit<TransportOptions, "apiKey" | "onError" | "fetch" | "sleep">> & TransportOptions;
  private readonly doFetch: (request: Request) => Promise<Response>;
  private readonly sleep: (ms: number) => Promise<void>;
  private buffer: WideEvent[] = [];
  private draining: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private gzipRefused = false;
  private closed = false;
  private readonly counts = {
    enqueued: 0,
    inFlight: 0,
    delivered: 0,
    keptByGateway: 0,
    requests: 0,
    retries: 0,
    gzipFallbacks: 0,
    bufferFull: 0,
    refused: 0,
    failed: 0,
    tooLarge: 0,
    closed: 0,
  };
  private lastError: string | undefined;

  constructor(options: TransportOptions) {
    this.options = {
      batchSize: 100,
      maxBuffer: 10_000,
      flushIntervalMs: 1000,
      gzipMinBytes: 32 * 1024,
      maxRetries: 5,
      retryBaseMs: 200,
      maxRetryDelayMs: 30_000,
      timeoutMs: 10_000,
      ...options,
    };
    this.endpoint = `${options.url.replace(/\/+$/, "")}/v1/events`;
    this.doFetch = options.fetch ?? ((request) => fetch(request));
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  send(event: WideEvent, options: { waitUntil?: WaitUntil } = {}): void {
    this.counts.enqueued++;
    if (this.closed) {
      this.counts.closed++;
      return;
    }
    if (this.buffer.length >= this.options.maxBuffer) {
      this.counts.bufferFull++;
      return;
    }
    this.buffer.push(event);
    if (options.waitUntil) {
      // Workers: no timer outlives the request, so the request itself carries the flush.
      options.waitUntil(this.flush());
      return;
    }
    this.startTimer();
    if (this.buffer.length >= this.options.batchSize) void this.flush();
  }

  /** Resolves once everything buffered before the call has been sent (or given up on). Never rejects. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.draining) {
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }

  /** Stops the timer, sends what is buffered and refuses further events (counted as `dropped.closed`). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  stats(): TransportStats {
    const c = this.counts;
    const total = c.bufferFull + c.refused + c.failed + c.tooLarge + c.closed;
    return {
      enqueued: c.enqueued,
      buffered: this.buffer.length,
      inFlight: c.inFlight,
      delivered: c.delivered,
      keptByGateway: c.keptByGateway,
      requests: c.requests,
      retries: c.retries,
      gzipFallbacks: c.gzipFallbacks,
      dropped: { bufferFull: c.bufferFull, refused: c.refused, failed: c.failed, tooLarge: c.tooLarge, closed: c.closed, total },
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private startTimer(): void {
    if (this.timer !== undefined || this.options.flushIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      if (this.buffer.length > 0) void this.flush();
    }, this.options.flushIntervalMs);
    // Node and Bun: the timer must not keep a finished process alive (close() sends the rest).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.batchSize);
      this.counts.inFlight = batch.length;
      try {
        await this.deliver(batch);
      } catch (error) {
        this.fail({ kind: "network", message: `unexpected: ${String(error)}`, events: batch.length }, "failed");
      } finally {
        this.counts.inFlight = 0;
      }
    }
  }

  private async deliver(batch: WideEvent[]): Promise<void> {
    const json = JSON.stringify(batch);
    const gzipMin = this.options.gzipMinBytes;
    let compressed = gzipMin !== false && !this.gzipRefused && json.length >= gzipMin ? await gzip(json) : undefined;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(json, compressed, batch.length);
      if (outcome === "plain") {
        // The gateway does not take gzip bodies: send plain from now on, at once and without using a retry.
        this.gzipRefused = true;
        this.counts.gzipFallbacks++;
        compressed = undefined;
        attempt--;
        continue;
      }
      if (outcome === "split") {
        // 413: the body is over the gateway's limit (bytes or events). Halves until each fits; one event that still does not is dropped.
        if (batch.length === 1) {
          this.fail(
            { kind: "status", status: 413, message: `event too large for the gateway: ${this.lastError ?? ""}`, events: 1 },
            "tooLarge",
          );
          return;
        }
        const half = Math.ceil(batch.length / 2);
        await this.deliver(batch.slice(0, half));
        await this.deliver(batch.slice(half));
        return;
      }
      if (outcome.done) return;
      if (attempt >= this.options.maxRetries) {
        this.fail(
          { kind: "exhausted", message: `gave up after ${attempt + 1} attempts: ${this.lastError ?? ""}`, events: batch.length },
          "failed",
        );
        return;
      }
      this.counts.retries++;
      const wait = outcome.retryAfterMs ?? backoffMs(attempt, this.options.retryBaseMs, this.options.maxRetryDelayMs);
      await this.sleep(Math.min(wait, this.options.maxRetryDelayMs));
    }
  }

  /** One request; "plain" asks the caller to resend without gzip, "split" to resend in halves. */
  private async attempt(json: string, compressed: Uint8Array<ArrayBuffer> | undefined, events: number): Promise<Outcome | Redo> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (compressed) headers["content-encoding"] = "gzip";
    this.counts.requests++;
    let response: Response;
    try {
      response = await this.doFetch(
        new Request(this.endpoint, {
          method: "POST",
          headers,
          body: compressed ?? json,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        }),
      );
    } catch (error) {
      this.lastError = `network: ${error instanceof Error ? error.message : String(error)}`;
      this.options.onError?.({ kind: "network", message: this.lastError, events });
      return { done: false };
    }
    if (response.status >= 200 && response.status < 300) {
      const body = (await response.json().catch(() => ({}))) as { accepted?: number; kept?: number; rejected?: unknown[] };
      const rejected = Array.isArray(body.rejected) ? body.rejected.length : 0;
      this.counts.delivered += body.accepted ?? events - rejected;
      this.counts.keptByGateway += body.kept ?? 0;
      if (rejected > 0)
        this.fail({ kind: "status", status: response.status, message: `gateway rejected ${rejected} events`, events: rejected }, "refused");
      return { done: true };
    }
    const text = await response.text().catch(() => "");
    // A gateway without gzip support answers 415, or 400 when it tried to read the bytes as JSON.
    if (compressed && (response.status === 415 || response.status === 400)) return "plain";
    this.lastError = `HTTP ${response.status}: ${text.slice(0, 200)}`;
    if (response.status === 413) return "split";
    if (isRetryable(response.status)) {
      this.options.onError?.({ kind: "status", status: response.status, message: this.lastError, events });
      return { done: false, retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), Date.now()) };
    }
    this.fail({ kind: "status", status: response.status, message: this.lastError, events }, "refused");
    return { done: true };
  }

  private fail(error: TransportError, counter: "failed" | "refused" | "tooLarge"): void {
    this.counts[counter] += error.events;
    this.lastError = error.message;
    this.options.onError?.(error);
  }
}
