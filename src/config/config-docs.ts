import { z } from "zod";
import { CONFIG_GROUPS, ConfigError, CROSS_FIELD_RULES, configSchema, isSecret, parseConfig, SECRET_NAME } from "./schema.ts";

/**
 * docs/configuration.md, rendered from `configSchema` alone: each variable's `.meta()` gives its
 * group and description, the schema its default and allowed values, `CROSS_FIELD_RULES` the rules
 * between variables. Pure and deterministic, so a test can hold the committed page to it.
 */

export interface ConfigField {
  name: string;
  group: (typeof CONFIG_GROUPS)[number];
  description: string;
  default: string;
  values: string;
  secret: boolean;
}

/** The subset of JSON Schema that `z.toJSONSchema` gives for one variable's input. */
interface JsonField {
  type?: string;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
}

const code = (text: string) => `\`${text}\``;

/** Peels `.default()` and `.optional()` off, keeping the default value if there is one. */
function unwrap(field: z.ZodType): { inner: z.ZodType; defaultValue: unknown } {
  let inner = field;
  let defaultValue: unknown;
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      defaultValue = inner.def.defaultValue;
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodOptional) {
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, defaultValue };
    }
  }
}

function formatDefault(name: string, value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return "—";
  if (Array.isArray(value)) return code(value.join(","));
  if (typeof value === "number" && name.endsWith("_BYTES") && value % 1024 === 0) {
    const mib = value / (1024 * 1024);
    return `${code(String(value))} (${Number.isInteger(mib) ? `${mib} MiB` : `${value / 1024} KiB`})`;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return code(String(value));
  throw new Error(`config docs: cannot render the default of ${name}`);
}

const range = (min: number | undefined, max: number | undefined): string => {
  const top = max === undefined || max >= Number.MAX_SAFE_INTEGER ? undefined : max;
  if (min !== undefined && top !== undefined) return min < 0 ? `${min} to ${top}` : `${min}–${top}`;
  if (min !== undefined) return `≥ ${min}`;
  if (top !== undefined) return `≤ ${top}`;
  return "";
};

/** Allowed values: the meta's own words where given, else what the schema says (enum, range, list of enum, URL). */
function formatValues(inner: z.ZodType, json: JsonField, override: unknown): string {
  if (typeof override === "string" && override !== "") return override;
  if (json.enum) return json.enum.map((v) => code(String(v))).join(" | ");
  if (json.type === "integer" || json.type === "number") {
    return `${json.type === "integer" ? "integer" : "number"} ${range(json.minimum, json.maximum)}`.trim();
  }
  if (inner instanceof z.ZodPipe && inner.out instanceof z.ZodArray && inner.out.element instanceof z.ZodEnum) {
    return `comma list of ${(inner.out.element.options as unknown[]).map((v) => code(String(v))).join(", ")}`;
  }
  if (json.format === "uri") return "URL";
  return "text";
}

/** Every variable of `configSchema`, in schema order; throws when one lacks a description or a valid group. */
export function configFields(): ConfigField[] {
  const jsonSchema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonField> };
  return Object.entries(configSchema.shape).map(([name, field]: [string, z.ZodType]) => {
    const meta = field.meta() ?? {};
    const description = typeof meta.description === "string" ? meta.description.trim() : "";
    if (description === "") throw new Error(`config docs: ${name} has no description (add .meta({ description }) in src/config/schema.ts)`);
    const group = CONFIG_GROUPS.find((g) => g === meta.group);
    if (!group) throw new Error(`config docs: ${name} has no group, or one not in CONFIG_GROUPS (got ${JSON.stringify(meta.group)})`);
    const { inner, defaultValue } = unwrap(field);
    return {
      name,
      group,
      description,
      default: formatDefault(name, defaultValue),
      values: formatValues(inner, jsonSchema.properties?.[name] ?? {}, meta.values),
      secret: isSecret(name),
    };
  });
}

/** The one line a bad env gives, computed by the real parser so the page quotes it exactly. */
function errorLine(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`config docs: expected ${JSON.stringify(env)} to be refused`);
}

const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");

/** A Markdown table, unpadded: the page is generated, so nobody lines its columns up by hand. */
function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)];
}

const list = (items: readonly string[], conjunction = "and"): string =>
  items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1]}`;

function requiredWhen(name: string): string[] {
  const notes: string[] = [];
  for (const rule of CROSS_FIELD_RULES) {
    if (rule.kind === "requires" && (rule.requires as readonly string[]).includes(name)) notes.push(`Required when ${rule.docWhen}.`);
  }
  return notes;
}

export function renderConfigDocs(): string {
  const fields = configFields();
  const secretWords = list(SECRET_NAME.source.split("|").map(code), "or");
  const out: string[] = [
    "# Configuration",
    "",
    "This page is generated by `npm run docs:config` from `src/config/schema.ts` and must not be edited by hand;",
    "a test fails when it is stale.",
    "",
    "Every setting is an environment variable, parsed once at start-up by one zod schema. A bad value",
    "stops start-up with exit code 78 and one line naming the variable, e.g.",
    code(errorLine({ EVENT_STORE: "postgres" })),
    "",
    `Empty values count as unset. Values of variables whose name contains ${secretWords} are never`,
    "echoed in errors. Bun-only adapters selected on Workers are refused the same way, naming the variable.",
    "",
    "On Cloudflare Workers the same names are Worker vars (`[vars]` in `wrangler.toml`) and secrets",
    "(`wrangler secret put NAME`), parsed once per isolate; a bad var makes every request answer a JSON",
    "`500` naming it.",
  ];
  for (const group of CONFIG_GROUPS) {
    const rows = fields.filter((f) => f.group === group);
    if (rows.length === 0) continue;
    const cells = rows.map((f) => {
      const meaning = [f.description, ...requiredWhen(f.name), ...(f.secret ? ["Never echoed in errors."] : [])].join(" ");
      return [code(f.name), cell(f.default), cell(f.values), cell(meaning)];
    });
    out.push("", `## ${group}`, "", ...table(["variable", "default", "values", "meaning"], cells));
  }
  const example = CROSS_FIELD_RULES.find((r) => r.kind === "requires" && r.requires.length === 1);
  out.push("", "## Required together", "", "Checked after each variable is parsed:", "");
  for (const rule of CROSS_FIELD_RULES) {
    if (rule.kind === "requires") {
      const names = list(rule.requires.map(code));
      out.push(`- ${names} ${rule.requires.length > 1 ? "are" : "is"} required when ${rule.docWhen}.`);
    } else {
      out.push(`- ${code(rule.variable)} ${rule.doc}.`);
    }
  }
  if (example?.kind === "requires") {
    const [variable, value] = example.when.split("=") as [string, string];
    out.push("", `A missing one stops start-up like a bad value: ${code(errorLine({ [variable]: value }))}`);
  }
  return `${out.join("\n")}\n`;
}
