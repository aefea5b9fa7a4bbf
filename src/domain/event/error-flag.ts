/**
 * Whether an event is an error: an `error` object, a non-empty `error` text, or statusCode ≥ 500.
 * The one test behind the sampler's HAS_ERROR, the stores' `err` and the rollups' error flag, so
 * a "hasError" answer means the same on every path.
 */
export function isErrorEvent(event: { error?: unknown; statusCode?: unknown }): boolean {
  const error = event.error;
  if (typeof error === "object" && error !== null) return true;
  if (typeof error === "string" && error !== "") return true;
  return typeof event.statusCode === "number" && event.statusCode >= 500;
}
