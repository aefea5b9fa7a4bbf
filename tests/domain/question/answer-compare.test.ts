import { expect, test } from "bun:test";
import { compareSentence } from "../../../src/domain/question/answer-compare.ts";

test("a single value is compared as before → now, with its change", () => {
  const s = compareSentence({
    query: { metric: "count", filter: { service: "payment", hasError: true } },
    rows: [{ value: 250 }],
    before: [{ value: 120 }],
    period: "yesterday",
    language: "en",
  });
  expect(s).toBe("Compared with the same window yesterday: 120 → 250 (doubled).");
});

test("grouped answers list the groups that changed most first, each as before → now", () => {
  const s = compareSentence({
    query: { metric: "count", groupBy: ["service"] },
    rows: [
      { service: "payment", value: 250 },
      { service: "cart", value: 100 },
    ],
    before: [
      { service: "payment", value: 120 },
      { service: "cart", value: 95 },
      { service: "auth", value: 10 },
    ],
    period: "last_week",
    language: "en",
  });
  expect(s).toBe(
    "Compared with the same window last week, largest changes first: payment 120 → 250 (doubled), auth 10 → 0 (−100%), cart 95 → 100 (+5%).",
  );
});

test("the Korean sentence names the period and the same before → now pairs", () => {
  const s = compareSentence({
    query: { metric: "count", groupBy: ["service"] },
    rows: [{ service: "payment", value: 250 }],
    before: [{ service: "payment", value: 120 }],
    period: "yesterday",
    language: "ko",
  });
  expect(s).toBe("어제 같은 시간 대비 변화가 큰 순: payment 120건 → 250건 (두 배).");
});

test("a time series is left to data.compare", () => {
  const s = compareSentence({ query: { metric: "count", bucket: "1m" }, rows: [], before: [], period: "yesterday", language: "en" });
  expect(s).toBeUndefined();
});
