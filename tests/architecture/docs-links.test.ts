import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** A clone is all a reader has: every relative link in the docs must land on a file inside the repository. */
const ROOT = resolve(import.meta.dir, "../..");
const DOCS = ["README.md", "CONTRIBUTING.md", "BENCHMARKS.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);

test("every relative link in the docs resolves to a file inside the repository", () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
      if (!target || /^[a-z]+:/i.test(target)) continue;
      const path = resolve(ROOT, doc, "..", target);
      const inside = !relative(ROOT, path).startsWith("..");
      if (!inside || !existsSync(path)) broken.push(`${doc} → ${target}`);
    }
  }
  expect(broken).toEqual([]);
});

test("no document points outside the repository by path", () => {
  const outside = DOCS.filter((doc) => /\.\.\/shared|ARCHITECTURE\.md/.test(readFileSync(join(ROOT, doc), "utf8")));
  expect(outside).toEqual([]);
});
