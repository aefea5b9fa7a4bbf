/**
 * SHA-256 and HMAC-SHA-256 (FIPS 180-4, RFC 2104), synchronous. crypto.subtle is async, and
 * redaction and key checks run inside synchronous walks on both Bun and Workers; these inputs are
 * short (field values, API keys), so a plain implementation is cheap enough.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const encoder = new TextEncoder();
const W = new Int32Array(64);
const TAIL = new Uint8Array(128);
let scratch = new Uint8Array(256);

/** One 64-byte block of `bytes` at `offset` into the state `H`. */
function compress(H: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const o = offset + i * 4;
    W[i] = ((bytes[o] as number) << 24) | ((bytes[o + 1] as number) << 16) | ((bytes[o + 2] as number) << 8) | (bytes[o + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15] as number;
    const b = W[i - 2] as number;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = H[0] as number;
  let b = H[1] as number;
  let c = H[2] as number;
  let d = H[3] as number;
  let e = H[4] as number;
  let f = H[5] as number;
  let g = H[6] as number;
  let h = H[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0;
  H[1] = ((H[1] as number) + b) | 0;
  H[2] = ((H[2] as number) + c) | 0;
  H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0;
  H[5] = ((H[5] as number) + f) | 0;
  H[6] = ((H[6] as number) + g) | 0;
  H[7] = ((H[7] as number) + h) | 0;
}

/**
 * Hashes `data[0..length)` on from state `start`, which has already absorbed `before` bytes (0, or
 * one 64-byte block for HMAC's precomputed pads), and returns the digest.
 */
function finish(start: ArrayLike<number>, before: number, data: Uint8Array, length: number): Uint8Array {
  const H = Int32Array.from(start);
  let offset = 0;
  for (; offset + 64 <= length; offset += 64) compress(H, data, offset);
  const rest = length - offset;
  TAIL.fill(0);
  TAIL.set(data.subarray(offset, length));
  TAIL[rest] = 0x80;
  const tailLength = rest < 56 ? 64 : 128;
  const bits = (before + length) * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  for (let i = 0; i < 4; i++) {
    TAIL[tailLength - 8 + i] = (hi >>> (24 - i * 8)) & 0xff;
    TAIL[tailLength - 4 + i] = (lo >>> (24 - i * 8)) & 0xff;
  }
  compress(H, TAIL, 0);
  if (tailLength === 128) compress(H, TAIL, 64);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = H[i] as number;
    out[i * 4] = word >>> 24;
    out[i * 4 + 1] = (word >>> 16) & 0xff;
    out[i * 4 + 2] = (word >>> 8) & 0xff;
    out[i * 4 + 3] = word & 0xff;
  }
  return out;
}

/** UTF-8 of `text` in a reused buffer (valid until the next call): no allocation per hash. */
function utf8(text: string): { bytes: Uint8Array; length: number } {
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return { bytes: scratch, length: written };
}

/** The 32-byte digest of `input` (a string is hashed as UTF-8). */
export function sha256(input: string | Uint8Array): Uint8Array {
  if (typeof input !== "string") return finish(IV, 0, input, input.length);
  const { bytes, length } = utf8(input);
  return finish(IV, 0, bytes, length);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX[bytes[i] as number];
  return hex;
}

/**
 * HMAC-SHA-256 with a fixed key: the states after the key's inner and outer pad blocks are
 * computed once, so a short message costs two block compressions (one inner, one outer).
 */
export function hmacSha256(key: string | Uint8Array): (message: string) => Uint8Array {
  let keyBytes = typeof key === "string" ? encoder.encode(key) : key;
  if (keyBytes.length > 64) keyBytes = sha256(keyBytes);
  const pad = new Uint8Array(64);
  const innerState = Int32Array.from(IV);
  const outerState = Int32Array.from(IV);
  for (let i = 0; i < 64; i++) pad[i] = (keyBytes[i] ?? 0) ^ 0x36;
  compress(innerState, pad, 0);
  for (let i = 0; i < 64; i++) pad[i] = (keyBytes[i] ?? 0) ^ 0x5c;
  compress(outerState, pad, 0);
  return (message) => {
    const { bytes, length } = utf8(message);
    const inner = finish(innerState, 64, bytes, length);
    return finish(outerState, 64, inner, 32);
  };
}

/** Compares two byte strings in time that depends only on their lengths, never on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
