/** Edit distance and closeness between a word the person typed and the values the store holds. */

/** Levenshtein distance, with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length] ?? max + 1;
}

/** Edits a typo of a word this long may have and still be read as that word. */
export const typoBudget = (length: number): number => (length < 4 ? 0 : length < 7 ? 1 : 2);

/** The comparable core of a value: lower case, no separators, no `/api/` prefix. */
export const normal = (value: string): string =>
  value
    .toLowerCase()
    .replace(/^\/api\//, "")
    .replace(/[^a-z0-9가-힣]/g, "");

/** Values ordered by closeness to `term` (substring first, then edit distance), at most `n`. */
export function closest(term: string, values: readonly string[], n = 3): string[] {
  const t = normal(term);
  if (!t) return values.slice(0, n);
  const scored = values.map((value) => {
    const v = normal(value);
    const contains = v.includes(t) || (v.length >= 3 && t.includes(v));
    return { value, score: contains ? 0 : editDistance(t, v, 12) + 1 };
  });
  return scored
    .sort((a, b) => a.score - b.score || a.value.length - b.value.length)
    .slice(0, n)
    .map((s) => s.value);
}
