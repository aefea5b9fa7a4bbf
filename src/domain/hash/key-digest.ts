import { sha256, toHex } from "./sha256.ts";

/** How a key given as its hash is written in `INGEST_API_KEYS`, `QUERY_API_KEYS` and `METRICS_API_KEY`. */
export const HASHED_KEY_PREFIX = "sha256:";
const HASHED_KEY = /^sha256:[0-9a-fA-F]{64}$/;

/** True for an entry that names a key by its SHA-256 (`sha256:<64 hex>`) rather than the key itself. */
export const isHashedKey = (entry: string): boolean => entry.startsWith(HASHED_KEY_PREFIX);

/** True when a `sha256:` entry is well formed (64 hex digits, any case). */
export const isValidHashedKey = (entry: string): boolean => HASHED_KEY.test(entry);

/** The 32-byte SHA-256 a configured entry stands for: hashed entries are decoded, plain keys hashed. */
export function keyDigest(entry: string): Uint8Array {
  if (!isHashedKey(entry)) return sha256(entry);
  const hex = entry.slice(HASHED_KEY_PREFIX.length);
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** What an operator puts in the env instead of `key`: `sha256:` and the key's SHA-256 in lowercase hex. */
export const hashedKeyEntry = (key: string): string => `${HASHED_KEY_PREFIX}${toHex(sha256(key))}`;
