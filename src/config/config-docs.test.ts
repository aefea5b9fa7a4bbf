import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configFields, renderConfigDocs } from "./config-docs.ts";
import { configSchema } from "./schema.ts";

const PAGE = join(resolve(import.meta.dir, "../.."), "docs/configuration.md");

describe("docs/configuration.md", () => {
  test("is what `npm run docs:config` writes from the schema", () => {
    const page = readFileSync(PAGE, "utf8");
    const rendered = renderConfigDocs();
    if (page !== rendered) {
      const pageLines = page.split("\n");
      const renderedLines = rendered.split("\n");
      const at = renderedLines.findIndex((line, i) => line !== pageLines[i]);
      const line = at === -1 ? renderedLines.length : at + 1;
      throw new Error(`docs/configuration.md is stale: run npm run docs:config (first difference at line ${line})`);
    }
  });

  test("the rendering is deterministic", () => {
    expect(renderConfigDocs()).toBe(renderConfigDocs());
  });

  test("lists every variable of the schema exactly once", () => {
    const rendered = renderConfigDocs();
    for (const name of Object.keys(configSchema.shape)) {
      const rows = rendered.match(new RegExp(`^\\| \`${name}\` +\\|`, "gm"))?.length ?? 0;
      expect({ name, rows }).toEqual({ name, rows: 1 });
    }
  });

  test("every variable has a description and a group", () => {
    for (const [name, field] of Object.entries(configSchema.shape)) {
      expect({ name, description: (field.description ?? "").trim() !== "" }).toEqual({ name, description: true });
    }
    expect(configFields().map((f) => f.name)).toEqual(Object.keys(configSchema.shape));
  });

  test("quotes the parser's real error line", () => {
    expect(renderConfigDocs()).toContain(
      '`invalid configuration: EVENT_STORE=postgres: Invalid option: expected one of "embedded"|"mongo"|"memory"`',
    );
  });
});
