import { expect, test } from "bun:test";
import { ALPHA, binOf, binValue, exactWeightedQuantile, histogramQuantile, ZERO_BIN } from "./histogram.ts";

test("every value's bin answers within ALPHA of it", () => {
  for (const value of [0.001, 0.0123, 1, 7.5, 99.99, 100, 2350.4, 65_000, 3.6e6]) {
    const answer = binValue(binOf(value));
    expect(Math.abs(answer - value) / value).toBeLessThanOrEqual(ALPHA + 1e-3 / value);
  }
  expect(binOf(0)).toBe(ZERO_BIN);
  expect(binValue(ZERO_BIN)).toBe(0);
});

test("histogram quantiles are weighted and stay within ALPHA of the exact weighted quantile", () => {
  const values = Array.from({ length: 2000 }, (_, i) => ({ value: 1 + ((i * 7919) % 1000), weight: i % 3 === 0 ? 20 : 1 }));
  const hist = new Map<number, number>();
  for (const { value, weight } of values) hist.set(binOf(value), (hist.get(binOf(value)) ?? 0) + weight);
  for (const q of [0.5, 0.95, 0.99]) {
    const exact = exactWeightedQuantile(values, q) as number;
    const estimate = histogramQuantile(hist, q) as number;
    expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(ALPHA);
  }
  expect(histogramQuantile(new Map(), 0.5)).toBeNull();
});

test("a heavy weight moves the quantile: one event at rate 0.05 counts as 20", () => {
  const values = [
    { value: 10, weight: 20 },
    { value: 1000, weight: 1 },
    { value: 1000, weight: 1 },
  ];
  expect(exactWeightedQuantile(values, 0.5)).toBe(10);
  expect(exactWeightedQuantile(values, 0.95)).toBe(1000);
});
