/** Per-request randomness derived from the request id and a seed: the same request gets the same outcome, whatever the concurrency. */

/** FNV-1a, 32 bits: spreads request ids into seeds (not the gateway's sampling hash, so outcomes and sampling stay independent). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: small and fast, good enough for traffic shapes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const requestRandom = (requestId: string, seed: number): (() => number) => prng(fnv1a(`${seed}:${requestId}`));
