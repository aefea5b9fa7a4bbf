import { describe, expect, test } from "bun:test";
import { ExemplarMemory } from "./exemplar-memory.ts";

describe("ExemplarMemory", () => {
  test("a group one owner kept counts as kept for other owners, not for itself", () => {
    const memory = new ExemplarMemory();
    memory.remember("t\u00000", "g", "a");
    expect(memory.keptByOther("t\u00000", "g", "b")).toBe(true);
    expect(memory.keptByOther("t\u00000", "g", "a")).toBe(false);
    expect(memory.keptByOther("t\u00000", "other", "b")).toBe(false);
    expect(memory.keptByOther("t\u000060000", "g", "b")).toBe(false);
  });

  test("the first owner stays when a second one remembers the same group", () => {
    const memory = new ExemplarMemory();
    memory.remember("m", "g", "a");
    memory.remember("m", "g", "b");
    expect(memory.keptByOther("m", "g", "a")).toBe(false);
    expect(memory.groups).toBe(1);
  });

  test("past its limit it forgets the minutes remembered first, down to three quarters", () => {
    const memory = new ExemplarMemory(8);
    for (let minute = 0; minute < 3; minute++) for (let g = 0; g < 3; g++) memory.remember(`m${minute}`, `g${g}`, "a");
    expect(memory.groups).toBe(6);
    expect(memory.keptByOther("m0", "g0", "b")).toBe(false);
    expect(memory.keptByOther("m2", "g2", "b")).toBe(true);
  });
});
