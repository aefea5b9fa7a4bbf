/**
 * MurmurHash3 (Austin Appleby's reference algorithm), x86_32 and x86_128, over the UTF-8
 * bytes of a JS string. 32-bit integer ops only (Math.imul, shifts): no BigInt, so it is
 * fast and gives identical results on Bun and workerd.
 */

const utf8 = new TextEncoder();

// Reused for the 128-bit ASCII path so hashing a short id allocates nothing.
let scratch = new Uint8Array(256);

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

const fmix32 = (h: number): number => {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
};

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The 32-bit round for one 4-byte block `k`. */
const mix32 = (h: number, k: number): number => {
  const m = Math.imul(rotl(Math.imul(k, C1), 15), C2);
  return (Math.imul(rotl(h ^ m, 13), 5) + 0xe6546b64) | 0;
};

/** Tail (0..3 bytes packed little-endian; mixing 0 is a no-op, so no length test) and finalisation. */
const finish32 = (h: number, tail: number, len: number): number => fmix32(h ^ Math.imul(rotl(Math.imul(tail, C1), 15), C2) ^ len) >>> 0;

/** Little-endian 32-bit word of `b` at `i`, reading only the `n` bytes that exist (n <= 4). */
const word = (b: Uint8Array, i: number, n: number): number => {
  let w = 0;
  for (let j = n - 1; j >= 0; j--) w = (w << 8) | (b[i + j] as number);
  return w;
};

function hash32Bytes(bytes: Uint8Array, seed: number): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h = seed | 0;
  for (let i = 0; i < blocks; i += 4) {
    h = mix32(h, word(bytes, i, 4));
  }
  return finish32(h, word(bytes, blocks, len - blocks), len);
}

/**
 * MurmurHash3 x86_32 of the UTF-8 bytes of `input`, as an unsigned 32-bit integer.
 * ASCII strings (the usual request id) are hashed straight from their code units in one
 * pass; the first code unit >= 0x80 switches to TextEncoder (lone surrogates become U+FFFD,
 * exactly as TextEncoder encodes them).
 * The rounds are written out rather than calling mix32/rotl: once this is inlined into a caller
 * (the sampler), JSC's inlining depth runs out and helper calls in the loop cost ~4x.
 */
export function murmur3_32(input: string, seed = 0): number {
  const len = input.length;
  const blocks = len & ~3;
  let h = seed | 0;
  let k = 0;
  for (let i = 0; i < blocks; i += 4) {
    const c0 = input.charCodeAt(i);
    const c1 = input.charCodeAt(i + 1);
    const c2 = input.charCodeAt(i + 2);
    const c3 = input.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return hash32Bytes(utf8.encode(input), seed);
    k = Math.imul(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  k = 0;
  for (let i = len - 1; i >= blocks; i--) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return hash32Bytes(utf8.encode(input), seed);
    k = (k << 8) | c;
  }
  k = Math.imul(k, C1);
  h ^= Math.imul((k << 15) | (k >>> 17), C2) ^ len;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Writes the UTF-8 bytes of `input` into the shared `scratch` buffer and returns their count
 * (valid until the next call): no allocation per hash, which matters once per event.
 */
function utf8Into(input: string): number {
  const len = input.length;
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (scratch.length < len * 3) scratch = new Uint8Array(Math.max(len * 3, scratch.length * 2));
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x80) return utf8.encodeInto(input, scratch).written;
    scratch[i] = c;
  }
  return len;
}

const D1 = 0x239b961b;
const D2 = 0xab0e9789;
const D3 = 0x38b34ae5;
const D4 = 0xa1e38b93;

// Byte → two hex digits, so formatting a word is four lookups instead of toString(16) + padStart.
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const hex8 = (x: number): string => (HEX[(x >>> 24) & 255] as string) + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];

/**
 * MurmurHash3 x86_128 of the UTF-8 bytes of `input`, as 32 lowercase hex characters.
 * Convention: h1, h2, h3, h4 each printed as 8 hex digits, most significant first (as npm
 * murmurhash3js(-revisited) x86.hash128 prints it). The reference C code stores h1..h4
 * little-endian, so these are not its raw output bytes in order: each 4-byte group is
 * reversed (e.g. mmh3.hash_bytes(b, seed, x64arch=False) read as four LE uint32s).
 */
export function murmur3_128hex(input: string, seed = 0): string {
  const len = utf8Into(input);
  const bytes = scratch;
  const blocks = len & ~15;
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  for (let i = 0; i < blocks; i += 16) {
    // Little-endian words read inline: this loop runs once per 16 bytes of every eventId input.
    const k1 = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    const k2 =
      (bytes[i + 4] as number) | ((bytes[i + 5] as number) << 8) | ((bytes[i + 6] as number) << 16) | ((bytes[i + 7] as number) << 24);
    const k3 =
      (bytes[i + 8] as number) | ((bytes[i + 9] as number) << 8) | ((bytes[i + 10] as number) << 16) | ((bytes[i + 11] as number) << 24);
    const k4 =
      (bytes[i + 12] as number) | ((bytes[i + 13] as number) << 8) | ((bytes[i + 14] as number) << 16) | ((bytes[i + 15] as number) << 24);
    h1 ^= Math.imul(rotl(Math.imul(k1, D1), 15), D2);
    h1 = (Math.imul((rotl(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(k2, D2), 16), D3);
    h2 = (Math.imul((rotl(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    h3 ^= Math.imul(rotl(Math.imul(k3, D3), 17), D4);
    h3 = (Math.imul((rotl(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    h4 ^= Math.imul(rotl(Math.imul(k4, D4), 18), D1);
    h4 = (Math.imul((rotl(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
  }
  // Tail: the reference's fall-through switch as one step per 4-byte lane (an empty lane mixes 0, a no-op).
  const rest = len - blocks;
  const lane = (off: number): number => word(bytes, blocks + off, Math.max(0, Math.min(rest - off, 4)));
  h4 ^= Math.imul(rotl(Math.imul(lane(12), D4), 18), D1);
  h3 ^= Math.imul(rotl(Math.imul(lane(8), D3), 17), D4);
  h2 ^= Math.imul(rotl(Math.imul(lane(4), D2), 16), D3);
  h1 ^= Math.imul(rotl(Math.imul(lane(0), D1), 15), D2);

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return hex8(h1) + hex8(h2) + hex8(h3) + hex8(h4);
}
