/**
 * docs:config — writes docs/configuration.md from the zod schema in src/config/schema.ts.
 * src/config/config-docs.test.ts fails when the committed page differs from what this writes.
 *
 *   npm run docs:config
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { renderConfigDocs } from "../src/config/config-docs.ts";

const ROOT = resolve(import.meta.dir, "..");
const TARGET = join(ROOT, "docs/configuration.md");

mkdirSync(dirname(TARGET), { recursive: true });
writeFileSync(TARGET, renderConfigDocs());
console.log(`wrote ${relative(ROOT, TARGET)}`);
