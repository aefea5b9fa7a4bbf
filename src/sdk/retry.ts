/** Retry timing for the transport: the server's `Retry-After` when given, else capped exponential backoff with jitter. */

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** attempt 0 → about `baseMs`, doubling up to `maxMs`; a random half of each delay spreads clients apart. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** 429 (backpressure) and 5xx are worth retrying; any other answer will not change. */
export const isRetryable = (status: number): boolean => status === 429 || status >= 500;
