import type { RuleCondition, RuleOperator, RuleValue, SamplingRule } from "./types.ts";

/** A predicate over a wide event, built once from the rules so that matching allocates nothing. */
export type EventPredicate = (event: Record<string, unknown>) => boolean;

export interface CompiledRule {
  readonly name: string;
  readonly rate: number;
  readonly matches: EventPredicate;
}

/** Longest regex source accepted: rules come from config, but keep the backtracking surface small. */
export const MAX_REGEX_LENGTH = 256;

const OPERATORS: ReadonlySet<string> = new Set<RuleOperator>(["eq", "neq", "in", "exists", "gt", "lt", "prefix", "regex"]);

/**
 * Follows a pre-split dotted path through own properties only (Object.hasOwn), so `__proto__`,
 * `constructor` or `toString` never reach Object.prototype. Missing → undefined.
 */
export function lookupPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (typeof current !== "object" || current === null) return undefined;
    const key = path[i] as string;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const isRuleValue = (v: unknown): v is RuleValue =>
  v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

/** Builds the predicate for one condition, throwing `fail(...)` on an operand of the wrong type. */
function compileCondition(condition: RuleCondition, fail: (message: string) => Error): EventPredicate {
  const { op } = condition;
  const value: unknown = condition.value;
  const path = condition.field.split(".");
  switch (op) {
    case "eq":
    case "neq": {
      if (!isRuleValue(value)) throw fail("value must be a string, finite number, boolean or null");
      // neq is the exact negation of eq: an absent field is "not equal".
      return op === "eq" ? (e) => lookupPath(e, path) === value : (e) => lookupPath(e, path) !== value;
    }
    case "in": {
      if (!Array.isArray(value) || !value.every(isRuleValue)) {
        throw fail("value must be an array of strings, finite numbers, booleans or null");
      }
      const members = new Set<unknown>(value);
      return (e) => members.has(lookupPath(e, path));
    }
    case "exists": {
      if (value !== undefined && typeof value !== "boolean") throw fail("value must be true, false or omitted");
      if (value === false) return (e) => lookupPath(e, path) == null;
      return (e) => lookupPath(e, path) != null;
    }
    case "gt":
    case "lt": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw fail("value must be a finite number");
      if (op === "gt") {
        return (e) => {
          const x = lookupPath(e, path);
          return typeof x === "number" && x > value;
        };
      }
      return (e) => {
        const x = lookupPath(e, path);
        return typeof x === "number" && x < value;
      };
    }
    case "prefix": {
      if (typeof value !== "string") throw fail("value must be a string");
      return (e) => {
        const x = lookupPath(e, path);
        return typeof x === "string" && x.startsWith(value);
      };
    }
    case "regex": {
      if (typeof value !== "string") throw fail("value must be a string");
      if (value.length > MAX_REGEX_LENGTH) throw fail(`regex is ${value.length} chars; the limit is ${MAX_REGEX_LENGTH}`);
      let re: RegExp;
      try {
        re = new RegExp(value);
      } catch (error) {
        throw fail(`invalid regex: ${error instanceof Error ? error.message : String(error)}`);
      }
      return (e) => {
        const x = lookupPath(e, path);
        return typeof x === "string" && re.test(x);
      };
    }
    default:
      throw fail(`unknown op ${JSON.stringify(op)}`);
  }
}

/** Validates and compiles one rule; every error message names the rule and the condition index. */
export function compileRule(rule: SamplingRule): CompiledRule {
  const { name, rate, when } = rule;
  if (typeof name !== "string" || name.length === 0) throw new Error("sampling rule: name must be a non-empty string");
  const label = `sampling rule ${JSON.stringify(name)}`;
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new Error(`${label}: rate must be a number in [0, 1]`);
  if (!Array.isArray(when)) throw new Error(`${label}: when must be an array of conditions`);

  const predicates = when.map((condition: RuleCondition, index): EventPredicate => {
    const where = `${label} when[${index}]`;
    if (typeof condition !== "object" || condition === null) throw new Error(`${where}: must be an object`);
    const { field, op } = condition;
    if (typeof field !== "string" || field.split(".").some((part) => part.length === 0)) {
      throw new Error(`${where}: field must be a dotted path such as "error.code", got ${JSON.stringify(field)}`);
    }
    if (!OPERATORS.has(op)) throw new Error(`${where} (${field}): unknown op ${JSON.stringify(op)}`);
    return compileCondition(condition, (message) => new Error(`${where} (${field} ${op}): ${message}`));
  });

  // An empty `when` matches every event (a catch-all rate); one condition needs no loop.
  const [only] = predicates;
  let matches: EventPredicate;
  if (predicates.length === 0) matches = () => true;
  else if (predicates.length === 1 && only !== undefined) matches = only;
  else {
    matches = (event) => {
      for (let i = 0; i < predicates.length; i++) if (!(predicates[i] as EventPredicate)(event)) return false;
      return true;
    };
  }
  return Object.freeze({ name, rate, matches });
}

/** Compiles rules in order; names must be unique because each becomes the reason `RULE:<name>`. */
export function compileRules(rules: readonly SamplingRule[]): CompiledRule[] {
  if (!Array.isArray(rules)) throw new Error("sampling rules must be an array");
  const seen = new Set<string>();
  return rules.map((rule, index) => {
    if (typeof rule !== "object" || rule === null) throw new Error(`sampling rule #${index} must be an object`);
    const compiled = compileRule(rule);
    if (seen.has(compiled.name)) throw new Error(`sampling rule ${JSON.stringify(compiled.name)} is defined twice`);
    seen.add(compiled.name);
    return compiled;
  });
}
