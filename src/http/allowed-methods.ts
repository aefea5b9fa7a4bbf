/**
 * Every path the app serves and its methods, for `405 Method Not Allowed` with an `Allow` header
 * (RFC 9110 §15.5.6). Keep in step with the routes mounted in create-app.ts; a test walks this table.
 */
export const ROUTE_METHODS: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/^\/v1\/events$/, ["GET", "HEAD", "POST"]],
  [/^\/v1\/logs$/, ["POST"]],
  [/^\/v1\/query$/, ["POST"]],
  [/^\/v1\/search$/, ["POST"]],
  [/^\/v1\/search\/sessions$/, ["GET", "HEAD"]],
  [/^\/v1\/search\/sessions\/[^/]+$/, ["GET", "HEAD"]],
  [/^\/(healthz|readyz|metrics|dashboard|dashboard\/uplot\.js|dashboard\/uplot\.css|dashboard\/worker-metrics)$/, ["GET", "HEAD"]],
];

/** The methods `path` answers, or null when no route has this path (a 404). */
export function allowedMethods(path: string): readonly string[] | null {
  for (const [pattern, methods] of ROUTE_METHODS) if (pattern.test(path)) return methods;
  return null;
}
