/** A filter condition in normal form: every bare value of a StatQuery filter becomes `{ eq }`. */
export type Scalar = string | number | boolean;

export interface Condition {
  eq?: Scalar;
  neq?: Scalar;
  in?: readonly Scalar[];
  nin?: readonly Scalar[];
  gte?: number;
  gt?: number;
  lte?: number;
  lt?: number;
  exists?: boolean;
}

const OPERATORS = new Set(["eq", "neq", "in", "nin", "gte", "gt", "lte", "lt", "exists"]);

export function toCondition(input: unknown): Condition {
  if (typeof input === "object" && input !== null && !Array.isArray(input) && Object.keys(input).every((k) => OPERATORS.has(k))) {
    return input as Condition;
  }
  return { eq: input as Scalar };
}

/**
 * The reference semantics every store mirrors (MongoDB's): a missing value (null) fails eq, in,
 * the range ops and `exists: true`, and passes neq, nin and `exists: false`. Range ops compare
 * numbers only.
 */
export function matchesCondition(c: Condition, value: Scalar | null): boolean {
  if (c.exists !== undefined && c.exists !== (value !== null)) return false;
  if (c.eq !== undefined && value !== c.eq) return false;
  if (c.neq !== undefined && value === c.neq) return false;
  if (c.in !== undefined && (value === null || !c.in.includes(value))) return false;
  if (c.nin !== undefined && value !== null && c.nin.includes(value)) return false;
  if (c.gte !== undefined || c.gt !== undefined || c.lte !== undefined || c.lt !== undefined) {
    if (typeof value !== "number") return false;
    if (c.gte !== undefined && !(value >= c.gte)) return false;
    if (c.gt !== undefined && !(value > c.gt)) return false;
    if (c.lte !== undefined && !(value <= c.lte)) return false;
    if (c.lt !== undefined && !(value < c.lt)) return false;
  }
  return true;
}

/** The value at a dotted path of an event, as a scalar; objects, arrays and absence are null. */
export function valueAtPath(event: Record<string, unknown>, path: string): Scalar | null {
  let node: unknown = event;
  for (const segment of path.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) return null;
    node = (node as Record<string, unknown>)[segment];
  }
  return typeof node === "string" || typeof node === "number" || typeof node === "boolean" ? node : null;
}
