// Route globs for SAMPLING_CRITICAL_ROUTES, matched against the whole route:
// - `*` as a whole segment is exactly one non-empty segment: `/api/*/pay` matches `/api/v2/pay`,
//   not `/api/pay` nor `/api/a/b/pay`; inside a segment (`/v*/pay`) it is any run of non-`/` chars;
// - `**` as a whole segment is zero or more segments: `/api/**` matches `/api`, `/api/`, `/api/a/b`;
//   as a leading segment (`**/pay`) it is any prefix; inside a segment (`a**b`) it is the same as `*`;
// - every other character is literal (regex metacharacters are escaped).

export type RouteMatcher = (route: string) => boolean;

const escapeRegExp = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** Regex source for one segment that is not `**`. */
function segmentSource(segment: string): string {
  if (segment === "*") return "[^/]+";
  return segment.split(/\*+/).map(escapeRegExp).join("[^/]*");
}

/** Regex source (no anchors) for one glob pattern. */
export function globSource(pattern: string): string {
  const segments = pattern.split("/");
  let source = segments[0] === "**" ? ".*" : segmentSource(segments[0] ?? "");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    // `/**` absorbs its own slash so that it can also stand for zero segments.
    source += segment === "**" ? "(?:/[^/]*)*" : `/${segmentSource(segment)}`;
  }
  return source;
}

export const isGlob = (pattern: string): boolean => pattern.includes("*");

/**
 * Compiles the patterns once: exact routes go into a Set, globs into one anchored RegExp
 * with an alternative per pattern, so matching costs one hash lookup plus at most one regex test.
 */
export function compileRouteMatcher(patterns: readonly string[]): RouteMatcher {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (typeof pattern !== "string") throw new Error(`critical route ${JSON.stringify(pattern)} is not a string`);
    if (isGlob(pattern)) globs.push(globSource(pattern));
    else exact.add(pattern);
  }
  const combined = globs.length > 0 ? new RegExp(`^(?:${globs.join("|")})$`) : null;
  if (combined === null) return (route) => exact.has(route);
  if (exact.size === 0) return (route) => combined.test(route);
  return (route) => exact.has(route) || combined.test(route);
}
