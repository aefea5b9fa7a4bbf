import { describe, expect, test } from "bun:test";
import { createSampler } from "./sampler.ts";

// The keep fraction must be right not only overall but in every run of consecutive ids: real
// request ids share prefixes and differ in a counter, and a weak hash keeps them in clumps.

const N = 100_000;
const SLICE = 10_000;
const RATES = [0.05, 0.1, 0.5];

type Unit = (id: string) => number;

/** Every way `ids` fails: overall fraction off by > 1 point, or a slice off by > `sigmas` sd. */
function uniformityFailures(ids: readonly string[], rate: number, keeps: (id: string) => boolean, sigmas = 3): string[] {
  const failures: string[] = [];
  const sd = Math.sqrt(SLICE * rate * (1 - rate));
  let total = 0;
  for (let start = 0; start < ids.length; start += SLICE) {
    let kept = 0;
    for (let i = start; i < start + SLICE; i++) if (keeps(ids[i] as string)) kept++;
    total += kept;
    const z = (kept - SLICE * rate) / sd;
    if (Math.abs(z) > sigmas) failures.push(`rate ${rate} slice ${start / SLICE}: kept ${kept} (z ${z.toFixed(2)})`);
  }
  const fraction = total / ids.length;
  if (Math.abs(fraction - rate) > 0.01) failures.push(`rate ${rate} overall: ${fraction.toFixed(4)}`);
  return failures;
}

/** Failures of the real sampler (normal path) at every rate. */
function samplerFailures(ids: readonly string[], sigmas = 3): string[] {
  return RATES.flatMap((rate) => {
    const sampler = createSampler({ normalRate: rate, slowMs: 2000, criticalRoutes: [], rules: [] });
    return uniformityFailures(ids, rate, (requestId) => sampler.decide({ requestId, statusCode: 200 }).keep, sigmas);
  });
}

const ids = (make: (i: number) => string): string[] => Array.from({ length: N }, (_, i) => make(i));

/** mulberry32: a seeded PRNG, so the "random UUID" family is reproducible and can use the strict bound. */
function seededUuids(seed: number): string[] {
  let state = seed | 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex = (n: number): string => n.toString(16).padStart(8, "0");
  return ids(() => {
    const [a, b, c, d] = [hex(next()), hex(next()), hex(next()), hex(next())];
    const variant = "89ab"[next() & 3] as string;
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  });
}

describe("sampling hash uniformity (murmur3)", () => {
  test("dated counter ids req-2026-11-26-<i> are kept uniformly at 5%, 10% and 50%", () => {
    expect(samplerFailures(ids((i) => `req-2026-11-26-${i}`))).toEqual([]);
  });

  test("zero-padded counter ids req-<00000000> are kept uniformly at 5%, 10% and 50%", () => {
    expect(samplerFailures(ids((i) => `req-${String(i).padStart(8, "0")}`))).toEqual([]);
  });

  test("seeded v4-shaped UUIDs are kept uniformly at 5%, 10% and 50%", () => {
    const uuids = seededUuids(20261126);
    expect(uuids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(samplerFailures(uuids)).toEqual([]);
  });

  test("fresh crypto.randomUUID ids are kept uniformly at 5%, 10% and 50%", () => {
    // New ids every run: with 30 slices a perfect hash would breach 3 sd in ~8% of runs, so the
    // slice bound here is 4.5 sd (~2e-4 false alarms per run); the overall 1-point bound is unchanged.
    expect(
      samplerFailures(
        ids(() => crypto.randomUUID()),
        4.5,
      ),
    ).toEqual([]);
  });
});

describe("a weak hash fails the same check", () => {
  // FNV-1a 32 (test-only): its last multiply barely spreads a changing final digit into the high bits.
  const fnv1aUnit: Unit = (id) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return (h >>> 0) / 2 ** 32;
  };
  const fnvFailures = (family: readonly string[]): string[] =>
    RATES.flatMap((rate) => uniformityFailures(family, rate, (id) => fnv1aUnit(id) < rate));

  test("FNV-1a keeps dated counter ids in clumps", () => {
    expect(fnvFailures(ids((i) => `req-2026-11-26-${i}`)).length).toBeGreaterThan(0);
  });

  test("FNV-1a keeps zero-padded counter ids in clumps", () => {
    expect(fnvFailures(ids((i) => `req-${String(i).padStart(8, "0")}`)).length).toBeGreaterThan(0);
  });
});
