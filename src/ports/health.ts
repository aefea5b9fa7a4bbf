/** What `/readyz` reports for one backend. */
export interface HealthStatus {
  ok: boolean;
  /** Short human detail: latency, error message, queue depth. Never a secret. */
  detail?: string;
}

/** Every adapter can say whether its backend is reachable and release what it holds. */
export interface Lifecycle {
  readonly name: string;
  health(): Promise<HealthStatus>;
  close(): Promise<void>;
}
