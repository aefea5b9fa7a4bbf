import type { HealthStatus } from "../ports/health.ts";

export interface HealthProbeOptions {
  /** A check that has not answered by then counts as down (default 1500 ms). */
  timeoutMs?: number;
  /** How long an answer is reused, so busy produce traffic does not probe per request (default 1000 ms). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * A bounded, shared health check. The Kafka client retries an unreachable broker for many seconds,
 * so an unbounded probe made `/readyz` hang and produce requests wait until killed; here one probe
 * runs at a time, gives up after `timeoutMs`, and its answer is reused for `cacheMs`.
 */
export class HealthProbe {
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private last: { at: number; status: HealthStatus } | undefined;
  private inFlight: Promise<HealthStatus> | undefined;

  constructor(
    private readonly check: () => Promise<HealthStatus>,
    options: HealthProbeOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.cacheMs = options.cacheMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  status(): Promise<HealthStatus> {
    if (this.last && this.now() - this.last.at < this.cacheMs) return Promise.resolve(this.last.status);
    this.inFlight ??= this.probe().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async probe(): Promise<HealthStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<HealthStatus>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    const answer = this.check().catch(
      (error: unknown): HealthStatus => ({ ok: false, detail: (error as Error)?.message ?? String(error) }),
    );
    try {
      const status = await Promise.race([answer, timeout]);
      this.last = { at: this.now(), status };
      return status;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Rejects with `onTimeout()` when `work` has not settled within `ms`; the work itself is not cancelled. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
