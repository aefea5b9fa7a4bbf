import { describe, expect, test } from "bun:test";
import { CoalescingSends, SerialSends } from "./serial-sends.ts";

describe("SerialSends", () => {
  test("runs one send at a time, in call order, and a failure does not block the next", async () => {
    const serial = new SerialSends();
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const task =
      (n: number, fail = false) =>
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await Bun.sleep(5);
        order.push(n);
        inFlight--;
        if (fail) throw new Error(`send ${n} failed`);
        return n;
      };
    const results = await Promise.allSettled([serial.run(task(1)), serial.run(task(2, true)), serial.run(task(3))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(order).toEqual([1, 2, 3]);
    expect(most).toBe(1);
  });
});

describe("CoalescingSends", () => {
  test("callers waiting behind a send are merged into one, each getting its own results", async () => {
    const calls: number[][] = [];
    const sends = new CoalescingSends<number, number>(async (items) => {
      calls.push(items);
      await Bun.sleep(5);
      return items.map((n) => n * 10);
    }, 5);
    const results = await Promise.all([sends.send([1]), sends.send([2, 3]), sends.send([4]), sends.send([5, 6, 7])]);
    expect(results).toEqual([[10], [20, 30], [40], [50, 60, 70]]);
    // The first goes alone; the next two merge; the last would pass maxItems and goes on its own.
    expect(calls).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
  });

  test("a failed merged send rejects every caller in it, and later callers still go through", async () => {
    let fail = true;
    const sends = new CoalescingSends<number, number>(async (items) => {
      await Bun.sleep(1);
      if (fail) {
        fail = false;
        throw new Error("broker down");
      }
      return items;
    });
    const first = sends.send([1]);
    await expect(first).rejects.toThrow("broker down");
    expect(await sends.send([2])).toEqual([2]);
  });
});
