// The events skimmer: a JSON array of wide events → proof that JSON.parse of the UTF-8-decoded body
// succeeds and is an array of objects, each element's byte range, and a "light" JSON array holding,
// per element, only the listed top-level keys with their raw value bytes. JS then parses the light
// text to sample, and JSON.parse only the ranges it keeps. Anything it is not sure of answers -1
// and the caller runs JSON.parse over the body, so every error message stays the JS path's.
//
// Two stages, interleaved a 4 KiB chunk at a time: SIMD classification lists the closing quotes
// (and checks string contents), then an iterative parse checks the grammar, taking each string's
// end from the list, and writes the light text and the bounds.
//
// Memory: [static: key table, quote list][input, 0 sentinel, 64 bytes a block scan may read]
// [light output: n + 64][bounds: i32 pairs, grown on demand]. The light text is never longer than
// the body (each pair it writes is at most as long as its source), so only the bounds can need
// more memory mid-body. No allocator: every cursor is reset per body.

/** Containers deeper than this inside an element (the element is 1) are not handled. */
const MAX_DEPTH: i32 = 64;
const MAX_KEYS: i32 = 32;
const MAX_KEY_BYTES: i32 = 64;

// ---- the key table: JS writes [length byte, bytes] per key at keyTable(), then calls useKeys ----

const KEY_TABLE = memory.data(MAX_KEYS * (MAX_KEY_BYTES + 1) + 16);
const KEY_AT = memory.data(MAX_KEYS * 4);
const KEY_LEN = memory.data(MAX_KEYS * 4);
/** Per hash of a key (keyHash), the listed keys that have it, as a bit mask. */
const KEY_HASH = memory.data(256 * 4);
// Per key, its first 16 bytes zero-padded and the masks that keep that many bytes of a word: a key
// of up to 16 bytes is compared in two masked word compares, without a branch on its length.
const KEY_W0 = memory.data(MAX_KEYS * 8, 8);
const KEY_W1 = memory.data(MAX_KEYS * 8, 8);
const KEY_M0 = memory.data(MAX_KEYS * 8, 8);
const KEY_M1 = memory.data(MAX_KEYS * 8, 8);

// Keys the JS walk refuses (prototype pollution).
const PROTO = memory.data<u8>([95, 95, 112, 114, 111, 116, 111, 95, 95, 0, 0, 0, 0, 0, 0, 0]);
const PROTOTYPE = memory.data<u8>([112, 114, 111, 116, 111, 116, 121, 112, 101, 0, 0, 0, 0, 0, 0, 0]);
const CONSTRUCTOR = memory.data<u8>([99, 111, 110, 115, 116, 114, 117, 99, 116, 111, 114, 0, 0, 0, 0, 0]);


// ---- state ----

let pos: usize = 0;
let inEnd: usize = 0;
let outStart: usize = 0;
let o: usize = 0;
let boundsStart: usize = 0;
let b: usize = 0;
let memEnd: usize = 0;
let count: i32 = 0;
// The most keys (at all depths) and the deepest nesting of the elements read.
let certFields: i32 = 0;
let certDepth: i32 = 0;

// ---- reading ----

@inline function at(p: usize): u32 {
  return <u32>load<u8>(p);
}

@inline function isDigit(c: u32): bool {
  return c - 48 < 10;
}

// ---- stage 1: where the strings are ----
//
// Finding a string's end by scanning from its start puts a load, compare and bit count on the
// critical path of every string (~4 ns each, most of the time of a parse). Instead the body is
// classified 64 bytes at a time, independently of the parse, into the list of its closing quotes
// (simdjson's method: escapes by carry arithmetic, string interiors by a prefix XOR of the quotes);
// the parse takes each string's end from the list. That is sound because the parse reads every
// byte outside strings itself: a quote it did not take as a string's start (or a backslash before
// one) stops it, so the strings it opens are the list's, in order. Raw control bytes inside strings
// and invalid escapes are found here too. Done a chunk at a time so the list stays small.

const QUOTE = i8x16.splat(34);
const BACKSLASH = i8x16.splat(92);
const SPACE = i8x16.splat(32);
const ODD_BITS: u64 = 0xaaaaaaaaaaaaaaaa;
const CHUNK: usize = 4096;
/** Quote positions: one left over, one chunk's (at most one per byte), and the 16-wide writes' overrun. */
const QUOTES = memory.data(<i32>(CHUNK + 40) * 4, 16);
/**
 * The list entry once the body is spent (or bad): the byte after the sentinel, where no string
 * starts; as a closing quote it puts the parse on zero bytes, which every next step refuses.
 */
@inline function noQuote(): u32 {
  return <u32>(inEnd + 1);
}

let scanAt: usize = 0;
let qi: usize = 0;
let qEnd: usize = 0;
/** All ones while the scan is inside a string. */
let inString: u64 = 0;
/** 1: the first byte of the next block is escaped. */
let nextEscaped: u64 = 0;
/** Stage 1 found a raw control byte in a string or an invalid escape. */
let scanBad = false;
/** The last backslash stage 1 saw (0: none yet). */
let lastBackslash: usize = 0;

/** 1 for the bytes that may follow a backslash ("\/bfnrtu), 2 for the hex digits. */
const ESC = memory.data(256);
for (let c = 48; c <= 57; c++) store<u8>(ESC + <usize>c, 2);
for (let c = 65; c <= 70; c++) store<u8>(ESC + <usize>c, 2);
for (let c = 97; c <= 102; c++) store<u8>(ESC + <usize>c, 2);
store<u8>(ESC + 98, 3); // b and f are both
store<u8>(ESC + 102, 3);
store<u8>(ESC + 34, 1);
store<u8>(ESC + 92, 1);
store<u8>(ESC + 47, 1);
store<u8>(ESC + 110, 1);
store<u8>(ESC + 114, 1);
store<u8>(ESC + 116, 1);
store<u8>(ESC + 117, 1);

@inline function bits16(v: v128): u64 {
  return <u64>i8x16.bitmask(v);
}

@inline function isHex(c: u32): bool {
  return (load<u8>(ESC + c) & 2) != 0;
}

/** Each escaped byte (the one after an escaping backslash) is a valid escape; \u has 4 hex digits. */
function checkEscapes(base: usize, escaped: u64): void {
  while (escaped != 0) {
    const p = base + <usize>ctz(escaped);
    escaped &= escaped - 1;
    const c = at(p);
    if ((load<u8>(ESC + c) & 1) == 0) scanBad = true;
    else if (c == 117 && !(isHex(at(p + 1)) && isHex(at(p + 2)) && isHex(at(p + 3)) && isHex(at(p + 4)))) scanBad = true;
  }
}

/** Classifies a chunk from scanAt: its unescaped quotes to QUOTES from w; the new end of the list. */
function scanChunk(w: usize): usize {
  const stop = min(scanAt + CHUNK, inEnd);
  let p = scanAt;
  for (; p < stop; p += 64) {
    const x0 = v128.load(p);
    const x1 = v128.load(p + 16);
    const x2 = v128.load(p + 32);
    const x3 = v128.load(p + 48);
    let quote = bits16(i8x16.eq(x0, QUOTE)) | (bits16(i8x16.eq(x1, QUOTE)) << 16) | (bits16(i8x16.eq(x2, QUOTE)) << 32) | (bits16(i8x16.eq(x3, QUOTE)) << 48);
    // Backslashes and control bytes are rare: their masks are only made for a block that has some.
    let bs: u64 = 0;
    let ctrl: u64 = 0;
    const b0 = i8x16.eq(x0, BACKSLASH);
    const b1 = i8x16.eq(x1, BACKSLASH);
    const b2 = i8x16.eq(x2, BACKSLASH);
    const b3 = i8x16.eq(x3, BACKSLASH);
    const least = i8x16.min_u(i8x16.min_u(x0, x1), i8x16.min_u(x2, x3));
    if (v128.any_true(v128.or(v128.or(v128.or(b0, b1), v128.or(b2, b3)), i8x16.lt_u(least, SPACE)))) {
      bs = bits16(b0) | (bits16(b1) << 16) | (bits16(b2) << 32) | (bits16(b3) << 48);
      ctrl =
        bits16(i8x16.lt_u(x0, SPACE)) |
        (bits16(i8x16.lt_u(x1, SPACE)) << 16) |
        (bits16(i8x16.lt_u(x2, SPACE)) << 32) |
        (bits16(i8x16.lt_u(x3, SPACE)) << 48);
    }
    if (p + 64 > inEnd) {
      // The last block: bytes past the body are not part of it.
      const valid = ((<u64>1) << <u64>(inEnd - p)) - 1;
      quote &= valid;
      bs &= valid;
      ctrl &= valid;
    }
    let escaped: u64;
    if (bs == 0) {
      escaped = nextEscaped;
      nextEscaped = 0;
    } else {
      lastBackslash = p + 63 - <usize>clz(bs);
      const potential = bs & ~nextEscaped;
      const codes = (((potential << 1) | ODD_BITS) - potential) ^ ODD_BITS;
      escaped = codes ^ (bs | nextEscaped);
      nextEscaped = (codes & bs) >> 63;
    }
    if (escaped != 0) checkEscapes(p, escaped);
    quote &= ~escaped;
    // Bits from each opening quote up to (not including) its closing one.
    let inside = quote;
    inside ^= inside << 1;
    inside ^= inside << 2;
    inside ^= inside << 4;
    inside ^= inside << 8;
    inside ^= inside << 16;
    inside ^= inside << 32;
    inside ^= inString;
    inString = <u64>(<i64>inside >> 63);
    if ((ctrl & inside) != 0) scanBad = true;
    // Only closing quotes are listed: the parse reads each string's opening quote itself.
    quote &= ~inside;
    // Positions four at a time (measured faster than one at a time or sixteen unconditionally).
    const n = <usize>popcnt(quote);
    let q = w;
    while (quote != 0) {
      store<u32>(q, <u32>(p + <usize>ctz(quote)));
      quote &= quote - 1;
      store<u32>(q + 4, <u32>(p + <usize>ctz(quote)));
      quote &= quote - 1;
      store<u32>(q + 8, <u32>(p + <usize>ctz(quote)));
      quote &= quote - 1;
      store<u32>(q + 12, <u32>(p + <usize>ctz(quote)));
      quote &= quote - 1;
      q += 16;
    }
    w += n << 2;
  }
  scanAt = p;
  return w;
}

/** Refills QUOTES (qi, qEnd) with the next chunks' closing quotes: noQuote() once the body is done or bad. */
function refill(): void {
  let w = QUOTES;
  while (w == QUOTES && scanAt < inEnd) w = scanChunk(w);
  // The body ends inside a string: no closing quote for it.
  if (scanAt >= inEnd && inString != 0) scanBad = true;
  if (scanBad) w = QUOTES;
  if (w == QUOTES) {
    store<u32>(w, noQuote());
    w += 4;
  }
  qi = QUOTES;
  qEnd = w;
}

/** Keys at or after the last backslash stage 1 saw cannot hold one: only earlier ones are scanned. */
function backslashIn(p: usize, n: usize): bool {
  const end = p + n;
  for (; p + 16 <= end; p += 16) if (v128.any_true(i8x16.eq(v128.load(p), BACKSLASH))) return true;
  for (; p < end; p++) if (at(p) == 92) return true;
  return false;
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

/** A key of 9 or 11 bytes that JS refuses (the caller checks the length first: nearly every key is another). */
function hostileKey(p: usize, n: usize): bool {
  if (n == 9) return same(p, PROTO, 9) || same(p, PROTOTYPE, 9);
  return same(p, CONSTRUCTOR, 11);
}

/** A key of n bytes at p may be refused: 9 or 11 bytes long, or at or before the last backslash seen (one branch). */
@inline function mayRefuse(p: usize, n: usize): bool {
  return (((<u32>0xa00 >> (<u32>n & 31)) & <u32>(n < 12)) | <u32>(lastBackslash >= p)) != 0;
}

/** A key JS refuses (prototype pollution) or one with an escape (it could spell a listed or hostile key). */
function refused(p: usize, n: usize): bool {
  if ((n == 9 || n == 11) && hostileKey(p, n)) return true;
  return lastBackslash >= p && backslashIn(p, n);
}

@inline function keyHash(p: usize, n: usize): usize {
  return (<usize>at(p) * 31 + <usize>at(p + n - 1) + n * 7) & 255;
}

/** The key of n bytes at p is a listed one: the few candidates its hash names are compared. */
@inline function listed(p: usize, n: usize): bool {
  let m = load<u32>(KEY_HASH + (keyHash(p, n) << 2));
  while (m != 0) {
    const k = <usize>ctz(m) << 2;
    m &= m - 1;
    if (<usize>load<u32>(KEY_LEN + k) != n) continue;
    if (n > 16) {
      if (same(p, <usize>load<u32>(KEY_AT + k), n)) return true;
      continue;
    }
    const k8 = k << 1;
    const x = ((load<u64>(p) & load<u64>(KEY_M0 + k8)) ^ load<u64>(KEY_W0 + k8)) | ((load<u64>(p + 8) & load<u64>(KEY_M1 + k8)) ^ load<u64>(KEY_W1 + k8));
    if (x == 0) return true;
  }
  return false;
}

const ZERO = i8x16.splat(48);
const TEN = i8x16.splat(10);

/** How many ASCII digits start at p, up to 16. */
@inline function digits(p: usize): usize {
  const m = i8x16.bitmask(i8x16.lt_u(i8x16.sub(v128.load(p), ZERO), TEN));
  return <usize>ctz(~m);
}

/** Past the run of digits at p whose first k (1–16) are counted. */
@inline function digitsEnd(p: usize, k: usize): usize {
  p += k;
  while (k == 16) {
    k = digits(p);
    p += k;
  }
  return p;
}

@inline function skipWs(p: usize): usize {
  let c = at(p);
  // Bodies are mostly written without whitespace: one compare in the common case.
  if (c > 32) return p;
  while (c == 32 || c == 10 || c == 13 || c == 9) c = at(++p);
  return p;
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

// ---- stage 2: the grammar ----

/** Per open container, 1: an object, 0: an array (index = its level). */
const STACK = memory.data(MAX_DEPTH + 2);

/** Past the number or literal at p, or 0 when there is none. */
@inline function scalarEnd(p: usize): usize {
  const c = at(p);
  if (!isDigit(c) && c != 45) {
    // "true", "null", "fals" as one little-endian u32 (memory past the input is readable).
    const w = load<u32>(p);
    if (w == 0x65757274 || w == 0x6c6c756e) return p + 4;
    if (w == 0x736c6166 && at(p + 4) == 101) return p + 5;
    return 0;
  }
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, digit runs counted 16 bytes at a time.
  if (c == 45) p++;
  const k = digits(p);
  if (k == 0 || (k > 1 && at(p) == 48)) return 0;
  p = digitsEnd(p, k);
  if (at(p) == 46) {
    p++;
    const f = digits(p);
    if (f == 0) return 0;
    p = digitsEnd(p, f);
  }
  if ((at(p) | 32) == 101) {
    p++;
    const sign = at(p);
    if (sign == 43 || sign == 45) p++;
    const x = digits(p);
    if (x == 0) return 0;
    p = digitsEnd(p, x);
  }
  return p;
}

/**
 * One element, the object whose `{` is at pos, its listed top-level pairs written to the light
 * text. Read iteratively with the state in locals (the engines keep those in registers; globals
 * and calls per token cost more than the reading). Top-level pairs and the containers below them
 * have loops of their own, so the nested reading, most of the body, has no light-text branches.
 */
function element(): bool {
  let p = pos;
  let qp = qi;
  let qe = qEnd;
  let out = o;
  let deep: i32 = 1;
  let nFields: i32 = 0;
  store<u8>(out++, 123);
  // Each pair is written as `"key":value,`; the last comma becomes the `}`.
  const pairs = out;
  p = skipWs(p + 1);
  if (at(p) == 125) p++;
  else
    while (true) {
      // A top-level key.
      if (at(p) != 34) return false;
      if (qp == qe) {
        refill();
        qp = qi;
        qe = qEnd;
      }
      let close = <usize>load<u32>(qp);
      qp += 4;
      const kp = p + 1;
      const kn = close - kp;
      if (mayRefuse(kp, kn) && refused(kp, kn)) return false;
      nFields++;
      p = close + 1;
      // `:"` in one compare.
      if (load<u16>(p) == 0x223a) p++;
      else {
        if (at(p) != 58) {
          p = skipWs(p);
          if (at(p) != 58) return false;
        }
        p = skipWs(p + 1);
      }
      const take = listed(kp, kn);
      const vp = p;
      const c = at(p);
      if (c == 34) {
        if (qp == qe) {
          refill();
          qp = qi;
          qe = qEnd;
        }
        close = <usize>load<u32>(qp);
        qp += 4;
        p = close + 1;
      } else if ((c | 32) == 123) {
        // `{` or `[` (only those two bytes are 123 with bit 5 set): read until it closes.
        let d: i32 = 2;
        let inObject = c == 123;
        store<u8>(STACK + 2, <u8>inObject);
        if (deep < 2) deep = 2;
        p = skipWs(p + 1);
        // `{` + 2 is `}`, `[` + 2 is `]`.
        if (at(p) == c + 2) p++;
        else
          while (true) {
            if (inObject) {
              if (at(p) != 34) return false;
              if (qp == qe) {
                refill();
                qp = qi;
                qe = qEnd;
              }
              close = <usize>load<u32>(qp);
              qp += 4;
              const np = p + 1;
              const nn = close - np;
              if (mayRefuse(np, nn) && refused(np, nn)) return false;
              nFields++;
              p = close + 1;
              // `:"`, the most common next bytes, in one compare.
              if (load<u16>(p) == 0x223a) p++;
              else {
                if (at(p) != 58) {
                  p = skipWs(p);
                  if (at(p) != 58) return false;
                }
                p = skipWs(p + 1);
              }
            }
            const v = at(p);
            if (v == 34) {
              if (qp == qe) {
                refill();
                qp = qi;
                qe = qEnd;
              }
              close = <usize>load<u32>(qp);
              qp += 4;
              p = close + 1;
            } else if ((v | 32) == 123) {
              if (++d > MAX_DEPTH) return false;
              if (d > deep) deep = d;
              const isObject = v == 123;
              store<u8>(STACK + <usize>d, <u8>isObject);
              p = skipWs(p + 1);
              if (at(p) != v + 2) {
                inObject = isObject;
                continue;
              }
              p++;
              d--;
            } else {
              p = scalarEnd(p);
              if (p == 0) return false;
            }
            // A value ended: close the containers it ends, up to the next `,` or back at the top level.
            while (true) {
              // `,"`, the most common next bytes, in one compare.
              if (load<u16>(p) == 0x222c) {
                p++;
                break;
              }
              let e = at(p++);
              if (e <= 32) {
                p = skipWs(p - 1);
                e = at(p++);
              }
              if (e == 44) {
                p = skipWs(p);
                break;
              }
              if (e != (inObject ? 125 : 93)) return false;
              if (--d == 1) break;
              inObject = load<u8>(STACK + <usize>d) != 0;
            }
            if (d == 1) break;
          }
      } else {
        p = scalarEnd(p);
        if (p == 0) return false;
      }
      // A listed pair as `"key":value,` (the key holds no escape). A branch: measured faster than
      // writing every pair and keeping only the listed ones, which makes each write wait for the match.
      if (take) {
        copy(out, kp - 1, kn + 2);
        store<u8>(out + kn + 2, 58);
        const vn = p - vp;
        const at0 = out + kn + 3;
        copy(at0, vp, vn);
        store<u8>(at0 + vn, 44);
        out = at0 + vn + 1;
      }
      if (load<u16>(p) == 0x222c) {
        p++;
        continue;
      }
      let e = at(p++);
      if (e <= 32) {
        p = skipWs(p - 1);
        e = at(p++);
      }
      if (e == 44) {
        p = skipWs(p);
        continue;
      }
      if (e != 125) return false;
      break;
    }
  // The last pair's comma becomes the `}` (with no pair, `}` follows the `{`).
  out -= <usize>(out != pairs);
  store<u8>(out++, 125);
  pos = p;
  qi = qp;
  qEnd = qe;
  o = out;
  if (nFields > certFields) certFields = nFields;
  if (deep > certDepth) certDepth = deep;
  return true;
}

// ---- exports ----

/** Where JS writes the key table: per key, its length (1–64) then its bytes. */
export function keyTable(): usize {
  return KEY_TABLE;
}

/** Reads the `n` keys JS wrote at keyTable(); false when the table is malformed. */
export function useKeys(n: i32): bool {
  memory.fill(KEY_HASH, 0, 256 * 4);
  if (n < 0 || n > MAX_KEYS) return false;
  let p = KEY_TABLE;
  for (let i = 0; i < n; i++) {
    const len = <i32>load<u8>(p);
    if (len < 1 || len > MAX_KEY_BYTES) return false;
    store<u32>(KEY_AT + (<usize>i << 2), <u32>(p + 1));
    store<u32>(KEY_LEN + (<usize>i << 2), <u32>len);
    const k8 = <usize>i << 3;
    let w0: u64 = 0;
    let w1: u64 = 0;
    for (let j = 0; j < min(len, 16); j++) {
      const c = <u64>load<u8>(p + 1 + <usize>j);
      if (j < 8) w0 |= c << (<u64>j * 8);
      else w1 |= c << (<u64>(j - 8) * 8);
    }
    store<u64>(KEY_W0 + k8, w0);
    store<u64>(KEY_W1 + k8, w1);
    store<u64>(KEY_M0 + k8, len >= 8 ? ~(<u64>0) : ((<u64>1) << (<u64>len * 8)) - 1);
    store<u64>(KEY_M1 + k8, len >= 16 ? ~(<u64>0) : len <= 8 ? 0 : ((<u64>1) << (<u64>(len - 8) * 8)) - 1);
    const h = KEY_HASH + (keyHash(p + 1, <usize>len) << 2);
    store<u32>(h, load<u32>(h) | (1 << i));
    p += 1 + <usize>len;
  }
  return true;
}

/** Where the caller writes the body's bytes. */
export function input(): usize {
  return (__heap_base + 15) & ~15;
}

function layout(n: usize): void {
  inEnd = input() + n;
  // Stage 1 reads up to 63 bytes past the sentinel.
  outStart = (inEnd + 80) & ~15;
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
  // A sentinel no token matches, and zeros after it for a parse that reads past a string left open.
  store<u32>(inEnd, 0);
  scanAt = input();
  qi = QUOTES;
  qEnd = QUOTES;
  inString = 0;
  nextEscaped = 0;
  scanBad = false;
  lastBackslash = 0;
  pos = input();
  o = outStart;
  b = boundsStart;
  memEnd = (<usize>memory.size()) << 16;
  count = 0;
  certFields = 0;
  certDepth = 1;
  pos = skipWs(pos);
  // No BOM or anything else before the array: TextDecoder would drop a BOM, JSON.parse refuses the rest.
  if (at(pos) != 91) return -1;
  pos++;
  pos = skipWs(pos);
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
    pos = skipWs(pos);
    const c = at(pos);
    pos++;
    if (c == 44) {
      store<u8>(o++, 44);
      pos = skipWs(pos);
      continue;
    }
    if (c != 93) return -1;
    break;
  }
  pos = skipWs(pos);
  // Every quote of the body was read as part of a string, and stage 1 found nothing wrong.
  if (pos != inEnd) return -1;
  if (qi == qEnd) refill();
  if (load<u32>(qi) != noQuote() || scanBad) return -1;
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
