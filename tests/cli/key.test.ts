import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
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
});
