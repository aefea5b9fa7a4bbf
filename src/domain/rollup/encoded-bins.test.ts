import { expect, test } from "bun:test";
import { ZERO_BIN } from "../query/histogram.ts";
import { BinAccumulator, decodeBins, encodeBins } from "./encoded-bins.ts";

test("bins encode as [zero, first, last, counts…] with short gaps as zeros and long ones as skips", () => {
  expect(encodeBins({ "10": 1, "11": 2, "13": 1, "40": 5 })).toEqual([0, 10, 40, 1, 2, 0, 1, -26, 5]);
  expect(encodeBins({ [String(ZERO_BIN)]: 3, "-2": 1 })).toEqual([3, -2, -2, 1]);
  expect(encodeBins({ [String(ZERO_BIN)]: 3 })).toEqual([3, 0, -1]);
  expect(encodeBins({})).toEqual([]);
});

test("decoding gives back the bins, whatever their spread", () => {
  const cases: Record<string, number>[] = [
    { "10": 1, "11": 2, "13": 1, "40": 5 },
    { [String(ZERO_BIN)]: 3 },
    { "-700": 1, "35000": 2 },
    {},
  ];
  for (const bins of cases) expect(decodeBins(encodeBins(bins))).toEqual(bins);
});

test("the accumulator sums rows of any ranges into one histogram", () => {
  const rows: Record<string, number>[] = [{ "10": 1, "12": 2 }, { "5": 1, "12": 1 }, { [String(ZERO_BIN)]: 2, "300": 4 }, {}];
  const acc = new BinAccumulator();
  for (const row of rows) acc.add(encodeBins(row));
  acc.add(new Float64Array(encodeBins({ "10": 1 })));
  expect(Object.fromEntries(acc.toHistogram())).toEqual({ [ZERO_BIN]: 2, 5: 1, 10: 2, 12: 3, 300: 4 });
});
