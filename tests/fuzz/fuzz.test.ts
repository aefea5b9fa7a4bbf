import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FUZZ_TARGETS } from "./targets.ts";

// A short fixed-seed run of every target: the same cases each time, so a failure here reproduces.
// `npm run fuzz` runs the same properties for 100,000 cases each with a fresh seed.
describe("fuzz targets (fixed seed)", () => {
  for (const target of FUZZ_TARGETS) {
    test(`${target.name} holds for 300 cases`, () => {
      const details = fc.check(target.property(), { numRuns: 300, seed: 42 });
      expect(details.failed ? fc.defaultReportMessage(details) : "ok").toBe("ok");
      // A ceiling, not a speed check: some targets run two full paths per case on a busy machine.
    }, 60_000);
  }
});
