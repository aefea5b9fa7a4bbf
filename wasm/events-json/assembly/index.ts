// The events skimmer: a JSON array of wide events → proof that JSON.parse of the UTF-8-decoded body
// succeeds and is an array of objects, each element's byte range, and a "light" JSON array holding,
// per element, only the listed top-level keys with their raw value bytes. JS then parses the light
// text to sample, and JSON.parse only the ranges it keeps. Anything it is not sure of answers -1
// and the caller runs JSON.parse over the body, so every error message stays the JS path's.
//
// Memory: [static: key table][input, 0 sentinel, 16 bytes SIMD room][light output: n + 64]
// [bounds: i32 pairs, grown on demand]. The light text is never longer than the body (each pair it
// writes is at most as long as its source), so only the bounds can need more memory mid-body.
// No allocator: every cursor is reset per body.

/** Containers deeper than this inside an element (the element is 1) are not handled. */
const MAX_DEPTH: i32 = 64;
const MAX_KEYS: i32 = 32;
const MAX_KEY_BYTES: i32 = 64;

// ---- the key table: JS writes [length byte, bytes] per key at keyTable(), then calls useKeys ----

const KEY_TABLE = memory.data(MAX_KEYS * (MAX_KEY_BYTES + 1) + 16);
const KEY_AT = memory.data(MAX_KEYS * 4);
const KEY_LEN = memory.data(MAX_KEYS * 4);
let keyCount: i32 = 0;
/** Bit n-1 set: some listed key is n bytes long (most keys are rejected on length alone). */
let keyLengths: u64 = 0;

// Keys the JS walk refuses (prototype pollution).
const PROTO = memory.data<u8>([95, 95, 112, 114, 111, 116, 111, 95, 95, 0, 0, 0, 0, 0, 0, 0]);
const PROTOTYPE = memory.data<u8>([112, 114, 111, 116, 111, 116, 121, 112, 101, 0, 0, 0, 0, 0, 0, 0]);
const CONSTRUCTOR = memory.data<u8>([99, 111, 110, 115, 116, 114, 117, 99, 116, 111, 114, 0, 0, 0, 0, 0]);

/** 1 for the 22 hex digit bytes. */
const HEX = memory.data(256);
for (let c = 48; c <= 57; c++) store<u8>(HEX + <usize>c, 1);
for (let c = 65; c <= 70; c++) store<u8>(HEX + <usize>c, 1);
for (let c = 97; c <= 102; c++) store<u8>(HEX + <usize>c, 1);

// ---- state ----

let pos: usize = 0;
let inEnd: usize = 0;
let outStart: usize = 0;
let o: usize = 0;
let boundsStart: usize = 0;
let b: usize = 0;
let memEnd: usize = 0;
let count: i32 = 0;
// The string just read: content span, and whether it held an escape.
let sPtr: usize = 0;
let sLen: usize = 0;
let sEsc = false;
// The element being read: keys at all depths and its deepest container level.
let fields: i32 = 0;
let deepest: i32 = 0;
let certFields: i32 = 0;
let certDepth: i32 = 0;

// ---- reading ----

@inline function at(p: usize): u32 {
  return <u32>load<u8>(p);
}

@inline function ws(): void {
  let c = at(pos);
  // Bodies are mostly written without whitespace: one compare in the common case.
  if (c > 32) return;
  while (c == 32 || c == 10 || c == 13 || c == 9) c = at(++pos);
}

@inline function isDigit(c: u32): bool {
  return c - 48 < 10;
}

const QUOTE = i8x16.splat(34);
const BACKSLASH = i8x16.splat(92);
const SPACE = i8x16.splat(32);

/** The 16 bytes at p that are '"', '\\' or below 0x20, as a bit mask. */
@inline function special16(p: usize): i32 {
  const x = v128.load(p);
  return i8x16.bitmask(v128.or(v128.or(i8x16.eq(x, QUOTE), i8x16.eq(x, BACKSLASH)), i8x16.lt_u(x, SPACE)));
}

@inline function hex4(p: usize): bool {
  return (load<u8>(HEX + at(p)) & load<u8>(HEX + at(p + 1)) & load<u8>(HEX + at(p + 2)) & load<u8>(HEX + at(p + 3))) != 0;
}

/** The string whose opening quote is at pos: content into sPtr/sLen/sEsc. Bytes >= 0x80 pass as they are. */
function str(): bool {
  let p = pos + 1;
  let esc = false;
  while (true) {
    let m = special16(p);
    while (m == 0) {
      p += 16;
      m = special16(p);
    }
    p += <usize>ctz(m);
    const c = at(p);
    if (c == 34) break;
    // A raw control byte, or the sentinel: the string does not end in the body.
    if (c != 92) return false;
    esc = true;
    const e = at(p + 1);
    if (e == 117) {
      if (!hex4(p + 2)) return false;
      p += 6;
    } else if (e == 34 || e == 92 || e == 47 || e == 98 || e == 102 || e == 110 || e == 114 || e == 116) {
      p += 2;
    } else return false;
  }
  sPtr = pos + 1;
  sLen = p - pos - 1;
  sEsc = esc;
  pos = p + 1;
  return true;
}

/** n bytes at p equal those at l (8 at a time; memory past either is readable). */
@inline function same(p: usize, l: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(p + i) != load<u64>(l + i)) return false;
  if (i == n) return true;
  if (n >= 8) return load<u64>(p + n - 8) == load<u64>(l + n - 8);
  for (; i < n; i++) if (load<u8>(p + i) != load<u8>(l + i)) return false;
  return true;
}

/** The key just read is one JS refuses; checked on length first, as nearly every key is another length. */
@inline function hostile(): bool {
  if (sLen == 9) return same(sPtr, PROTO, 9) || same(sPtr, PROTOTYPE, 9);
  if (sLen == 11) return same(sPtr, CONSTRUCTOR, 11);
  return false;
}

/** The key just read is a listed one. */
@inline function listed(): bool {
  const n = sLen;
  if (n - 1 >= <usize>MAX_KEY_BYTES || ((keyLengths >> <u64>(n - 1)) & 1) == 0) return false;
  for (let i = 0; i < keyCount; i++) {
    const k = <usize>i << 2;
    if (<usize>load<u32>(KEY_LEN + k) == n && same(sPtr, <usize>load<u32>(KEY_AT + k), n)) return true;
  }
  return false;
}

/** An object key with its colon and the whitespace after: false for escaped and hostile keys. */
@inline function key(): bool {
  if (at(pos) != 34 || !str() || sEsc || hostile()) return false;
  fields++;
  ws();
  if (at(pos) != 58) return false;
  pos++;
  ws();
  return true;
}

/** `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at pos. */
function num(): bool {
  let p = pos;
  if (at(p) == 45) p++;
  const first = at(p);
  if (first == 48) p++;
  else if (first - 49 < 9) {
    p++;
    while (isDigit(at(p))) p++;
  } else return false;
  if (at(p) == 46) {
    p++;
    if (!isDigit(at(p))) return false;
    p++;
    while (isDigit(at(p))) p++;
  }
  const e = at(p);
  if (e == 101 || e == 69) {
    p++;
    const sign = at(p);
    if (sign == 43 || sign == 45) p++;
    if (!isDigit(at(p))) return false;
    p++;
    while (isDigit(at(p))) p++;
  }
  pos = p;
  return true;
}

/** Any value at pos (no whitespace before it), inside a container at `depth`. */
function value(depth: i32): bool {
  const c = at(pos);
  if (c == 34) return str();
  if (c == 123) return obj(depth + 1);
  if (c == 91) return arr(depth + 1);
  // "true", "null", "fals" read as one little-endian u32 (memory past the input is readable).
  const w = load<u32>(pos);
  if (w == 0x65757274 || w == 0x6c6c756e) {
    pos += 4;
    return true;
  }
  if (w == 0x736c6166 && at(pos + 4) == 101) {
    pos += 5;
    return true;
  }
  return num();
}

/** The object whose `{` is at pos, at nesting level `depth`. */
function obj(depth: i32): bool {
  if (depth > MAX_DEPTH) return false;
  if (depth > deepest) deepest = depth;
  pos++;
  ws();
  if (at(pos) == 125) {
    pos++;
    return true;
  }
  while (true) {
    if (!key() || !value(depth)) return false;
    ws();
    const c = at(pos);
    pos++;
    if (c == 44) {
      ws();
      continue;
    }
    return c == 125;
  }
}

/** The array whose `[` is at pos, at nesting level `depth`. */
function arr(depth: i32): bool {
  if (depth > MAX_DEPTH) return false;
  if (depth > deepest) deepest = depth;
  pos++;
  ws();
  if (at(pos) == 93) {
    pos++;
    return true;
  }
  while (true) {
    if (!value(depth)) return false;
    ws();
    const c = at(pos);
    pos++;
    if (c == 44) {
      ws();
      continue;
    }
    return c == 93;
  }
}

// ---- writing ----

/**
 * memory.copy is a call in the engines: short spans are copied 16 bytes at a time, the last block
 * whole, so up to 15 bytes past d + n are written (the output region keeps that room; later
 * writes overwrite them) and read past p + n (memory past the input is readable).
 */
@inline function copy(d: usize, p: usize, n: usize): void {
  if (n > 64) {
    memory.copy(d, p, n);
    return;
  }
  v128.store(d, v128.load(p));
  for (let i: usize = 16; i < n; i += 16) v128.store(d + i, v128.load(p + i));
}

/** The element object at pos, its listed top-level pairs written to the light text. */
function element(): bool {
  fields = 0;
  deepest = 1;
  pos++;
  store<u8>(o++, 123);
  ws();
  if (at(pos) == 125) {
    pos++;
  } else {
    let first = true;
    while (true) {
      if (!key()) return false;
      const kp = sPtr;
      const kn = sLen;
      const take = listed();
      const vp = pos;
      if (!value(1)) return false;
      if (take) {
        if (!first) store<u8>(o++, 44);
        first = false;
        // The key with its quotes (keys hold no escape), a colon, the value's bytes.
        copy(o, kp - 1, kn + 2);
        o += kn + 2;
        store<u8>(o++, 58);
        const vn = pos - vp;
        copy(o, vp, vn);
        o += vn;
      }
      ws();
      const c = at(pos);
      pos++;
      if (c == 44) {
        ws();
        continue;
      }
      if (c != 125) return false;
      break;
    }
  }
  store<u8>(o++, 125);
  if (fields > certFields) certFields = fields;
  if (deepest > certDepth) certDepth = deepest;
  return true;
}

// ---- exports ----

/** Where JS writes the key table: per key, its length (1–64) then its bytes. */
export function keyTable(): usize {
  return KEY_TABLE;
}

/** Reads the `n` keys JS wrote at keyTable(); false when the table is malformed. */
export function useKeys(n: i32): bool {
  keyCount = 0;
  keyLengths = 0;
  if (n < 0 || n > MAX_KEYS) return false;
  let p = KEY_TABLE;
  for (let i = 0; i < n; i++) {
    const len = <i32>load<u8>(p);
    if (len < 1 || len > MAX_KEY_BYTES) return false;
    store<u32>(KEY_AT + (<usize>i << 2), <u32>(p + 1));
    store<u32>(KEY_LEN + (<usize>i << 2), <u32>len);
    keyLengths |= (<u64>1) << <u64>(len - 1);
    p += 1 + <usize>len;
  }
  keyCount = n;
  return true;
}

/** Where the caller writes the body's bytes. */
export function input(): usize {
  return (__heap_base + 15) & ~15;
}

function layout(n: usize): void {
  inEnd = input() + n;
  outStart = (inEnd + 32) & ~15;
  boundsStart = (outStart + n + 64 + 15) & ~15;
}

/** Room for a body of `n` bytes, its light text and first bounds; false when memory cannot grow. */
export function prepare(n: usize): bool {
  layout(n);
  const need = boundsStart + 65536;
  const have = (<usize>memory.size()) << 16;
  if (need <= have) return true;
  return memory.grow(<i32>((need - have + 0xffff) >> 16)) >= 0;
}

/** Room for one more pair of bounds (grown by half again at least). */
function boundsRoom(): bool {
  if (b + 8 <= memEnd) return true;
  const pages = memory.size();
  if (memory.grow(max(pages >> 1, 1)) < 0 && memory.grow(1) < 0) return false;
  memEnd = (<usize>memory.size()) << 16;
  return true;
}

/**
 * The body of `n` bytes at input() → the light text at output(), its length; -1: decline. Declines
 * unless JSON.parse of the decoded body would succeed and give 1 to maxEvents objects, none over
 * maxEventBytes / 3 bytes of source, none nesting deeper than 64, no key escaped or hostile.
 */
export function skim(n: usize, maxEvents: i32, maxEventBytes: f64): i32 {
  layout(n);
  // A sentinel no token matches; the 16 bytes after it are what a SIMD scan may read past the end.
  store<u8>(inEnd, 0);
  v128.store(inEnd + 1, i8x16.splat(0));
  pos = input();
  o = outStart;
  b = boundsStart;
  memEnd = (<usize>memory.size()) << 16;
  count = 0;
  certFields = 0;
  certDepth = 1;
  ws();
  // No BOM or anything else before the array: TextDecoder would drop a BOM, JSON.parse refuses the rest.
  if (at(pos) != 91) return -1;
  pos++;
  ws();
  store<u8>(o++, 91);
  while (true) {
    if (at(pos) != 123 || count >= maxEvents) return -1;
    const start = pos;
    if (!element()) return -1;
    const size = pos - start;
    if (<f64>size * 3 > maxEventBytes) return -1;
    if (!boundsRoom()) return -1;
    store<i32>(b, <i32>(start - input()));
    store<i32>(b + 4, <i32>(pos - input()));
    b += 8;
    count++;
    ws();
    const c = at(pos);
    pos++;
    if (c == 44) {
      store<u8>(o++, 44);
      ws();
      continue;
    }
    if (c != 93) return -1;
    break;
  }
  ws();
  if (pos != inEnd) return -1;
  store<u8>(o++, 93);
  return <i32>(o - outStart);
}

export function output(): usize {
  return outStart;
}

/** After a skim that answered: the elements, and where their [start, end) i32 pairs are. */
export function events(): i32 {
  return count;
}

export function bounds(): usize {
  return boundsStart;
}

/** After a skim that answered: no element has more keys than this, at all depths (an upper bound). */
export function checkedFields(): i32 {
  return certFields;
}

/** After a skim that answered: no element nests deeper than this (the element is 1). */
export function checkedDepth(): i32 {
  return certDepth;
}
