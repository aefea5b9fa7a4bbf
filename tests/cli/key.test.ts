import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { parseConfig } from "../../src/config/schema.ts";
import { keyMatcher } from "../../src/http/middleware/api-key.ts";
import { cli } from "./run-cli.ts";

const expected = (key: string) => `sha256:${createHash("sha256").update(key).digest("hex")}\n`;

describe("wide-gate key hash", () => {
  test("prints sha256:<hex> of a key given as the argument", async () => {
    const run = await cli(["key", "hash", "k-live-0123456789"]);
    expect(run).toEqual({ code: 0, stdout: expected("k-live-0123456789"), stderr: "" });
  });

  test("reads the key from stdin's first line when no argument is given", async () => {
    const run = await cli(["key", "hash"], {}, "k-from-stdin-42\n");
    expect(run).toEqual({ code: 0, stdout: expected("k-from-stdin-42"), stderr: "" });
  });

  test("an empty key is a usage error (exit 2)", async () => {
    const run = await cli(["key", "hash"], {}, "\n");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("wide-gate: the key is empty\n");
  });

  test("the printed entry, put in INGEST_API_KEYS as entry:tenant, lets the plain key in for that tenant", async () => {
    const run = await cli(["key", "hash", "k-rotated-77"]);
    const keys = parseConfig({ INGEST_API_KEYS: `${run.stdout.trim()}:acme` }).INGEST_API_KEYS;
    expect(keys && keyMatcher(keys)("k-rotated-77")?.tenant).toBe("acme");
  });
});
