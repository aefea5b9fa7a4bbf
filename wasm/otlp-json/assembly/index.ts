// OTLP/JSON ExportLogsServiceRequest → the wide events mapOtlpLogs (src/domain/event/otlp.ts) makes
// of it, as one JSON array text, in one pass over the bytes. Only for bodies it fully understands:
// plain (ASCII, no backslash), the standard shape, fields in the usual order. Anything else, or a
// limit that might be hit, answers -1 and the caller runs the JS mapping, so every error and
// rejection stays the JS path's. Sizes are counted as the mapping counts them; where the JS value's
// JSON can be shorter than the literal (a double written with more digits than it needs), the
// literal's length is used, an upper bound: near a limit the body falls back instead of guessing.
//
// Memory: [input, 0 sentinel][region A: attribute text][region B: values][output, grown as needed]:
// about 2.5 times the body to start with; WebAssembly memory never shrinks, so it stays that size.
// No allocator: every cursor is reset per body.

const STR: i32 = 1; // span includes the quotes
const NUM: i32 = 2; // a JSON number literal (an intValue string's digits, without quotes)
const BOOL: i32 = 3;
const NULL: i32 = 4;
const OBJ: i32 = 5;
const ARR: i32 = 6;

/** Attribute values nested deeper than this become null in the mapping: not handled here. */
const MAPPED_DEPTH: i32 = 8;
const SKIP_DEPTH: i32 = 64;

let pos: usize = 0;
let inEnd: usize = 0;
let aStart: usize = 0;
let aEnd: usize = 0;
let bStart: usize = 0;
let bEnd: usize = 0;
let w: usize = 0; // write cursor of the region being written
let wEnd: usize = 0;
let outStart: usize = 0;
let o: usize = 0;
let bad = false;

// The string just read: content span.
let sPtr: usize = 0;
let sLen: usize = 0;
// The number just read.
let nPtr: usize = 0;
let nLen: usize = 0;
let nInt = false;
let nExp = false;
let nCanon = false;
// The AnyValue just read.
let vPtr: usize = 0;
let vLen: usize = 0;
let vKind: i32 = 0;
let vCanon = false;
/** The record's size as mapOtlpLogs counts it (Measure.bytes). */
let mBytes: i64 = 0;

// The certificate (see checkedFields): kvlist keys and the deepest container level read since the
// record began, and whether any key JS treats as hostile was read anywhere in the body.
let nested: i32 = 0;
let level: i32 = 0;
let hostile = false;
let resNested: i32 = 0;
let resLevel: i32 = 0;
let certFields: i32 = 0;
let certDepth: i32 = 0;
/** Top-level fields written for the record so far. */
let nFields: i32 = 0;

// Known attribute names (mapOtlpLogs' KNOWN), in slot order.
const KNOWN: StaticArray<string> = [
  "service.name",
  "request.id",
  "http.request.id",
  "request_id",
  "http.route",
  "url.path",
  "http.target",
  "http.request.method",
  "http.method",
  "http.response.status_code",
  "http.status_code",
  "duration_ms",
  "http.server.duration",
  "http.duration_ms",
  "exception.type",
  "exception.message",
  "error.code",
  "error.type",
];
const SLOTS: i32 = 18;


// Slot tables: resource (R) and record (C), 18 entries each (a whole number of v128s).
const TABLE: i32 = 80;
const R_PTR = memory.data(TABLE, 16);
const R_LEN = memory.data(TABLE, 16);
const R_KIND = memory.data(TABLE, 16);
const C_PTR = memory.data(TABLE, 16);
const C_LEN = memory.data(TABLE, 16);
const C_KIND = memory.data(TABLE, 16);
const ASIDE = memory.data(SLOTS * 4);
const NULL_TEXT = memory.data<u8>([110, 117, 108, 108]);
let rPresent: u32 = 0;
let cPresent: u32 = 0;
let nAside: i32 = 0;

// ---- byte literals ----

const POOL = memory.data(2048);
let poolAt: usize = POOL;
/** `s` (ASCII) as bytes in the static pool, at start-up. */
function bytes(s: string): usize {
  const p = poolAt;
  for (let i = 0; i < s.length; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
  poolAt += (<usize>s.length + 7) & ~7;
  return p;
}

/** `s` (ASCII) in the static pool as a length byte then its bytes, at start-up. */
function lit(s: string): usize {
  const p = poolAt;
  store<u8>(p, <u8>s.length);
  for (let i = 0; i < s.length; i++) store<u8>(p + 1 + <usize>i, <u8>s.charCodeAt(i));
  poolAt += (<usize>s.length + 8) & ~7;
  return p;
}

/** n bytes at p equal those at l (8 at a time; memory past the input is readable). */
@inline function same(p: usize, l: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(p + i) != load<u64>(l + i)) return false;
  if (i == n) return true;
  if (n >= 8) return load<u64>(p + n - 8) == load<u64>(l + n - 8);
  for (; i < n; i++) if (load<u8>(p + i) != load<u8>(l + i)) return false;
  return true;
}

// Field names read.
const K_arrayValue = bytes("arrayValue");
const K_attributes = bytes("attributes");
const K_body = bytes("body");
const K_boolValue = bytes("boolValue");
const K_bytesValue = bytes("bytesValue");
const K_doubleValue = bytes("doubleValue");
const K_droppedAttributesCount = bytes("droppedAttributesCount");
const K_eventName = bytes("eventName");
const K_flags = bytes("flags");
const K_intValue = bytes("intValue");
const K_key = bytes("key");
const K_kvlistValue = bytes("kvlistValue");
const K_logRecords = bytes("logRecords");
const K_name = bytes("name");
const K_observedTimeUnixNano = bytes("observedTimeUnixNano");
const K_resource = bytes("resource");
const K_resourceLogs = bytes("resourceLogs");
const K_schemaUrl = bytes("schemaUrl");
const K_scope = bytes("scope");
const K_scopeLogs = bytes("scopeLogs");
const K_severityNumber = bytes("severityNumber");
const K_severityText = bytes("severityText");
const K_spanId = bytes("spanId");
const K_stringValue = bytes("stringValue");
const K_timeUnixNano = bytes("timeUnixNano");
const K_traceId = bytes("traceId");
const K_value = bytes("value");
const K_values = bytes("values");
const K_version = bytes("version");
// Keys the scrub walk refuses (prototype pollution): a body with one gets no certificate.
const K_proto = bytes("__proto__");
const K_prototype = bytes("prototype");
const K_constructor = bytes("constructor");
// Output literals (length-prefixed); a field's comes with its leading comma.
const F_service = lit(',"service":');
const F_requestId = lit(',"requestId":');
const F_timestamp = lit(',"timestamp":');
const F_route = lit(',"route":');
const F_method = lit(',"method":');
const F_statusCode = lit(',"statusCode":');
const F_durationMs = lit(',"durationMs":');
const F_error = lit(',"error":');
const F_message = lit(',"message":');
const F_severity = lit(',"severity":');
const F_traceId = lit(',"traceId":');
const F_spanId = lit(',"spanId":');
const F_scope = lit(',"scope":');
const F_attributes = lit(',"attributes":');
const O_null = lit("null");
const O_code = lit('"code":');
const O_message = lit(',"message":');
const O_type = lit(',"type":');
/** Each known name as an output key, `"name":`. */
const KNOWN_KEY = memory.data(SLOTS * 4);
const KNOWN_AT = memory.data(SLOTS * 4);
const KNOWN_LEN = memory.data(SLOTS * 4);
for (let i = 0; i < SLOTS; i++) {
  store<u32>(KNOWN_AT + (<usize>i << 2), <u32>bytes(unchecked(KNOWN[i])));
  store<u32>(KNOWN_LEN + (<usize>i << 2), <u32>unchecked(KNOWN[i]).length);
  store<u32>(KNOWN_KEY + (<usize>i << 2), <u32>lit('"' + unchecked(KNOWN[i]) + '":'));
}

// ---- reading ----

@inline function at(p: usize): u32 {
  return <u32>load<u8>(p);
}

@inline function ws(): void {
  let c = at(pos);
  while (c == 32 || c == 10 || c == 13 || c == 9) c = at(++pos);
}

@inline function eat(c: u32): bool {
  let next = at(pos);
  if (next != c) {
    // Whitespace is rare: look past it only when the byte is not the one expected.
    if (next > 32) return false;
    ws();
    next = at(pos);
    if (next != c) return false;
  }
  pos++;
  return true;
}

@inline function isDigit(c: u32): bool {
  return c - 48 < 10;
}

const QUOTE = i8x16.splat(34);
const BACKSLASH = i8x16.splat(92);
const SPACE = i8x16.splat(32);

/** The 16 bytes at p that are '"', '\\', below 0x20 or above 0x7f, as a bit mask (wasm SIMD). */
@inline function special16(p: usize): i32 {
  const x = v128.load(p);
  const m = v128.or(v128.or(i8x16.eq(x, QUOTE), i8x16.eq(x, BACKSLASH)), i8x16.lt_u(x, SPACE));
  return i8x16.bitmask(m) | i8x16.bitmask(x);
}

/** A plain JSON string (ASCII, no backslash or control character) at pos: its content into sPtr/sLen. */
@inline function strHere(): bool {
  let p = pos + 1;
  // Most strings end within the first 16 bytes: one compare, one predictable branch.
  let m = special16(p);
  while (m == 0) {
    p += 16;
    m = special16(p);
  }
  p += <usize>ctz(m);
  if (at(p) != 34) return false;
  sPtr = pos + 1;
  sLen = p - pos - 1;
  pos = p + 1;
  return true;
}

function str(): bool {
  if (at(pos) != 34) {
    ws();
    if (at(pos) != 34) return false;
  }
  return strHere();
}

/** The string just read equals the pooled bytes `l` of length `n`. */
@inline function keyIs(l: usize, n: usize): bool {
  return sLen == n && same(sPtr, l, n);
}

/** The next object key and its colon. */
@inline function key(): bool {
  return str() && eat(58);
}

function word(lit: string): bool {
  const n = <usize>lit.length;
  const l = changetype<usize>(lit);
  for (let i: usize = 0; i < n; i++) if (at(pos + i) != <u32>load<u16>(l + (i << 1))) return false;
  pos += n;
  return true;
}

/**
 * A JSON number, strictly. nCanon: JS writes it back as the same text (String(n) is the literal):
 * no exponent, at most 15 significant digits, no trailing fraction zero, not -0, not below 1e-6.
 */
function num(): bool {
  ws();
  let p = pos;
  const start = p;
  let neg = false;
  if (at(p) == 45) {
    p++;
    neg = true;
  }
  const first = at(p);
  if (!isDigit(first)) return false;
  const intStart = p;
  if (first == 48) p++;
  else while (isDigit(at(p))) p++;
  const intDigits = p - intStart;
  let fracDigits: usize = 0;
  let fracZeros: usize = 0;
  let lastFrac: u32 = 0;
  nInt = true;
  nExp = false;
  if (at(p) == 46) {
    p++;
    const fs = p;
    while (isDigit(at(p))) p++;
    fracDigits = p - fs;
    if (fracDigits == 0) return false;
    while (fracZeros < fracDigits && at(fs + fracZeros) == 48) fracZeros++;
    lastFrac = at(p - 1);
    nInt = false;
  }
  const e = at(p);
  if (e == 101 || e == 69) {
    p++;
    const sign = at(p);
    if (sign == 43 || sign == 45) p++;
    if (!isDigit(at(p))) return false;
    while (isDigit(at(p))) p++;
    nExp = true;
    nInt = false;
  }
  nPtr = start;
  nLen = p - start;
  pos = p;
  if (nExp || nLen > 32) nCanon = false;
  else if (fracDigits == 0) nCanon = intDigits <= 15 && !(neg && first == 48);
  else if (lastFrac == 48) nCanon = false;
  else if (first == 48) nCanon = fracZeros <= 5 && fracDigits - fracZeros <= 15;
  else nCanon = intDigits + fracDigits <= 15;
  return true;
}

/** `-?(0|[1-9][0-9]*)` over [p, p+n): an int64 as OTLP/JSON sends it in a string. */
function intText(p: usize, n: usize): bool {
  if (n == 0 || n > 24) return false;
  let i: usize = 0;
  if (at(p) == 45) i++;
  if (i >= n) return false;
  if (at(p + i) == 48) return n == i + 1;
  for (; i < n; i++) if (!isDigit(at(p + i))) return false;
  return true;
}

/** Any JSON value, read and checked but not kept (fields the mapping ignores). */
function skip(depth: i32): bool {
  if (depth > SKIP_DEPTH) return false;
  ws();
  const c = at(pos);
  if (c == 34) return str();
  if (c == 123) {
    pos++;
    if (eat(125)) return true;
    do {
      if (!key() || !skip(depth + 1)) return false;
    } while (eat(44));
    return eat(125);
  }
  if (c == 91) {
    pos++;
    if (eat(93)) return true;
    do {
      if (!skip(depth + 1)) return false;
    } while (eat(44));
    return eat(93);
  }
  if (c == 116) return word("true");
  if (c == 102) return word("false");
  if (c == 110) return word("null");
  return num();
}

// ---- writing ----

/**
 * memory.copy is a call in the engines: short spans (most of them) are copied 16 bytes at a time,
 * the last block whole. It may write up to 15 bytes past d + n (callers keep that room; later
 * writes overwrite them) and read as far past p + n (memory past any source is readable).
 */
@inline function copy(d: usize, p: usize, n: usize): void {
  if (n > 64) {
    memory.copy(d, p, n);
    return;
  }
  v128.store(d, v128.load(p));
  for (let i: usize = 16; i < n; i += 16) v128.store(d + i, v128.load(p + i));
}

/** Room a copy of n bytes needs past its destination. */
const SLACK: usize = 16;

let oLimit: usize = 0;

@inline function wput(c: u32): void {
  if (w >= wEnd) bad = true;
  else store<u8>(w++, <u8>c);
}

function wspan(p: usize, n: usize): void {
  if (w + n + SLACK > wEnd) {
    bad = true;
    return;
  }
  copy(w, p, n);
  w += n;
}

/** Grows memory for n more output bytes (by half again at least); false and bad when it cannot. */
function room(n: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (o + n <= have) {
    oLimit = have;
    return true;
  }
  const need = <i32>((o + n - have + 0xffff) >> 16);
  const more = max(need, memory.size() >> 1);
  if (memory.grow(more) < 0 && memory.grow(need) < 0) {
    bad = true;
    return false;
  }
  oLimit = (<usize>memory.size()) << 16;
  return true;
}

@inline function oput(c: u32): void {
  if (o < oLimit || room(1)) store<u8>(o++, <u8>c);
}

function ospan(p: usize, n: usize): void {
  if (o + n + SLACK > oLimit && !room(n + SLACK)) return;
  copy(o, p, n);
  o += n;
}

/** A pooled literal (see lit). */
@inline function olitp(l: usize): void {
  ospan(l + 1, load<u8>(l));
}

// ---- AnyValue ----

// The compact forms, compared as whole words against constants (memory past the input is readable).
/** `{"key":"` (8 bytes) at p. */
@inline function isKV(p: usize): bool {
  return load<u64>(p + 0) == 0x223a2279656b227b;
}
/** `,"value":` (9 bytes) at p. */
@inline function isVALUE(p: usize): bool {
  return load<u64>(p + 0) == 0x2265756c6176222c && load<u64>(p + 1) == 0x3a2265756c617622;
}
/** `{"stringValue":"` (16 bytes) at p. */
@inline function isSTRING(p: usize): bool {
  return load<u64>(p + 0) == 0x676e69727473227b && load<u64>(p + 8) == 0x223a2265756c6156;
}
/** `{"intValue":"` (13 bytes) at p. */
@inline function isINT(p: usize): bool {
  return load<u64>(p + 0) == 0x6c6156746e69227b && load<u64>(p + 5) == 0x223a2265756c6156;
}
/** `{"doubleValue":` (15 bytes) at p. */
@inline function isDOUBLE(p: usize): bool {
  return load<u64>(p + 0) == 0x656c62756f64227b && load<u64>(p + 7) == 0x3a2265756c615665;
}
/** `{"kvlistValue":{"values":[` (26 bytes) at p. */
@inline function isKVLIST(p: usize): bool {
  return load<u64>(p + 0) == 0x7473696c766b227b && load<u64>(p + 8) == 0x7b3a2265756c6156 && load<u64>(p + 16) == 0x227365756c617622 && load<u64>(p + 18) == 0x5b3a227365756c61;
}
/** `{"arrayValue":{"values":[` (25 bytes) at p. */
@inline function isARRAY(p: usize): bool {
  return load<u64>(p + 0) == 0x567961727261227b && load<u64>(p + 8) == 0x227b3a2265756c61 && load<u64>(p + 16) == 0x3a227365756c6176 && load<u64>(p + 17) == 0x5b3a227365756c61;
}

/**
 * An AnyValue at `depth` (as mapOtlpLogs counts it): scalars are left in place (vPtr/vLen), an
 * array or kvlist is written as JSON at the write cursor. Adds its size to mBytes.
 */
function anyValue(depth: i32): bool {
  if (depth > MAPPED_DEPTH) return false;
  if (at(pos) <= 32) ws();
  // The compact forms first, 8 bytes at a time; anything else takes the token by token path below.
  if (load<u16>(pos) == 0x227b) {
    const c = at(pos + 2);
    if (c == 115 && isSTRING(pos)) {
      pos += 15;
      if (!strHere()) return false;
      vKind = STR;
      vPtr = sPtr - 1;
      vLen = sLen + 2;
      mBytes += 16 + <i64>vLen;
      return eat(125);
    }
    if (c == 105 && isINT(pos)) {
      pos += 12;
      if (!strHere() || !intText(sPtr, sLen)) return false;
      vPtr = sPtr;
      vLen = sLen;
      mBytes += 13 + <i64>sLen + 2;
      vKind = NUM;
      const neg = at(vPtr) == 45 ? 1 : 0;
      vCanon = vLen - neg <= 15 && !(neg == 1 && at(vPtr + 1) == 48);
      return eat(125);
    }
    if (c == 100 && isDOUBLE(pos)) {
      pos += 15;
      if (!num() || nExp) return false;
      vKind = NUM;
      vPtr = nPtr;
      vLen = nLen;
      vCanon = nCanon;
      mBytes += 16 + <i64>nLen;
      return eat(125);
    }
    if (c == 107 && isKVLIST(pos)) {
      pos += 26;
      return kvlistBody(depth) && eat(125) && !bad;
    }
    if (c == 97 && isARRAY(pos)) {
      pos += 25;
      return arrayBody(depth) && eat(125) && !bad;
    }
  }
  if (!eat(123)) return false;
  if (eat(125)) {
    mBytes += 2;
    vKind = NULL;
    vPtr = NULL_TEXT;
    vLen = 4;
    return true;
  }
  if (!key()) return false;
  const n = sLen;
  if (n == 11 && keyIs(K_stringValue, 11)) {
    if (!str()) return false;
    vKind = STR;
    vPtr = sPtr - 1;
    vLen = sLen + 2;
    mBytes += 16 + <i64>vLen;
  } else if (n == 8 && keyIs(K_intValue, 8)) {
    ws();
    if (at(pos) == 34) {
      if (!str() || !intText(sPtr, sLen)) return false;
      vPtr = sPtr;
      vLen = sLen;
      mBytes += 13 + <i64>sLen + 2;
    } else {
      if (!num() || !nInt) return false;
      vPtr = nPtr;
      vLen = nLen;
      mBytes += 13 + <i64>nLen;
    }
    vKind = NUM;
    const neg = at(vPtr) == 45 ? 1 : 0;
    vCanon = vLen - neg <= 15 && !(neg == 1 && at(vPtr + 1) == 48);
  } else if (n == 11 && keyIs(K_doubleValue, 11)) {
    if (!num() || nExp) return false;
    vKind = NUM;
    vPtr = nPtr;
    vLen = nLen;
    vCanon = nCanon;
    mBytes += 16 + <i64>nLen;
  } else if (n == 9 && keyIs(K_boolValue, 9)) {
    ws();
    vPtr = pos;
    if (word("true")) vLen = 4;
    else if (word("false")) vLen = 5;
    else return false;
    vKind = BOOL;
    mBytes += 14 + <i64>vLen;
  } else if (n == 10 && keyIs(K_bytesValue, 10)) {
    if (!str()) return false;
    vKind = STR;
    vPtr = sPtr - 1;
    vLen = sLen + 2;
    mBytes += 15 + <i64>vLen;
  } else if (n == 10 && keyIs(K_arrayValue, 10)) {
    if (!arrayValue(depth)) return false;
  } else if (n == 11 && keyIs(K_kvlistValue, 11)) {
    if (!kvlistValue(depth)) return false;
  } else return false;
  return eat(125) && !bad;
}

/** Copies the AnyValue just read to the write cursor when it was left in place. */
@inline function keepValue(): void {
  if (vKind < OBJ) wspan(vPtr, vLen);
}

/** `{"values":[` of an arrayValue or kvlistValue. */
function valuesOpen(): bool {
  return eat(123) && key() && keyIs(K_values, 6) && eat(91);
}

function arrayValue(depth: i32): bool {
  return valuesOpen() && arrayBody(depth);
}

/** An arrayValue after its `{"values":[`. */
function arrayBody(depth: i32): bool {
  const start = w;
  wput(91);
  let count = 0;
  if (!eat(93)) {
    do {
      if (count > 0) wput(44);
      if (!anyValue(depth + 1)) return false;
      keepValue();
      count++;
    } while (eat(44));
    if (!eat(93)) return false;
  }
  wput(93);
  if (!eat(125)) return false;
  mBytes += 26 + (count == 0 ? 2 : 1 + count);
  if (depth + 1 > level) level = depth + 1;
  vKind = ARR;
  vPtr = start;
  vLen = w - start;
  return true;
}

/** `{"key":K,"value":` with a non-empty K (then in sPtr/sLen), size added. */
function keyValueOpen(): bool {
  if (at(pos) <= 32) ws();
  let k: usize;
  let kl: usize;
  if (isKV(pos)) {
    // The compact form, 8 bytes at a time.
    pos += 7;
    if (!strHere() || sLen == 0) return false;
    k = sPtr;
    kl = sLen;
    if (isVALUE(pos)) pos += 9;
    else if (!eat(44) || !key() || !keyIs(K_value, 5)) return false;
  } else {
    if (!eat(123) || !key() || !keyIs(K_key, 3) || !str() || sLen == 0) return false;
    k = sPtr;
    kl = sLen;
    if (!eat(44) || !key() || !keyIs(K_value, 5)) return false;
  }
  sPtr = k;
  sLen = kl;
  if ((kl == 9 || kl == 11) && (same(k, K_proto, kl) || same(k, K_prototype, kl) || same(k, K_constructor, kl))) hostile = true;
  mBytes += 17 + <i64>kl + 2;
  return true;
}

function kvlistValue(depth: i32): bool {
  return valuesOpen() && kvlistBody(depth);
}

/** A kvlistValue after its `{"values":[`. */
function kvlistBody(depth: i32): bool {
  const start = w;
  wput(123);
  let count = 0;
  if (!eat(93)) {
    do {
      if (count > 0) wput(44);
      if (!keyValueOpen()) return false;
      wspan(sPtr - 1, sLen + 2);
      wput(58);
      if (!anyValue(depth + 1) || !eat(125)) return false;
      keepValue();
      count++;
    } while (eat(44));
    if (!eat(93)) return false;
  }
  wput(125);
  if (!eat(125)) return false;
  mBytes += 25 + (count == 0 ? 2 : 1 + count);
  nested += count;
  if (depth + 1 > level) level = depth + 1;
  vKind = OBJ;
  vPtr = start;
  vLen = w - start;
  return true;
}

// ---- attribute lists ----

function knownSlot(): i32 {
  const n = sLen;
  if (n < 8 || n > 25) return -1;
  // First the length, then the first 8 bytes, then the whole name.
  const head = load<u64>(sPtr);
  for (let i = 0; i < SLOTS; i++) {
    const at = <usize>load<u32>(KNOWN_AT + (<usize>i << 2));
    if (<usize>load<u32>(KNOWN_LEN + (<usize>i << 2)) == n && load<u64>(at) == head && same(sPtr, at, n)) return i;
  }
  return -1;
}

/**
 * A KeyValue list of a resource (`resource` true) or a record: mapped names into the slot table,
 * the others written as `"key":value,` to region A (aCursor); their values into region B.
 */
let aCursor: usize = 0;
let bCursor: usize = 0;
let restCount: i32 = 0;

function attributeList(resource: bool): bool {
  if (!eat(91)) return false;
  let count = 0;
  if (eat(93)) {
    mBytes += 2;
    return true;
  }
  const ptrs = resource ? R_PTR : C_PTR;
  const lens = resource ? R_LEN : C_LEN;
  const kinds = resource ? R_KIND : C_KIND;
  do {
    if (!keyValueOpen()) return false;
    const slot = knownSlot();
    if (slot >= 0) {
      w = bCursor;
      wEnd = bEnd;
      if (!anyValue(0)) return false;
      bCursor = w;
      store<u32>(ptrs + (<usize>slot << 2), <u32>vPtr);
      store<u32>(lens + (<usize>slot << 2), <u32>vLen);
      store<u32>(kinds + (<usize>slot << 2), (<u32>vKind) | (vCanon ? 0x100 : 0));
      if (resource) rPresent |= 1 << slot;
      else cPresent |= 1 << slot;
    } else {
      w = aCursor;
      wEnd = aEnd;
      wspan(sPtr - 1, sLen + 2);
      wput(58);
      if (!anyValue(0)) return false;
      keepValue();
      wput(44);
      aCursor = w;
      restCount++;
    }
    if (!eat(125)) return false;
    count++;
  } while (eat(44));
  if (!eat(93)) return false;
  mBytes += 1 + count;
  return !bad;
}

// ---- records → events ----

let recordCount: i32 = 0;

/**
 * Per event (up to EVENT_TABLE), three output offsets: where its text starts, where its light
 * prefix ends (service … error: the fields sampling, rollups and validation read, always first)
 * and where it ends. The caller makes light events from them (ParsedBody.light).
 */
const EVENT_TABLE: i32 = 16384;
const EVENTS = memory.data(EVENT_TABLE * 12);

@inline function mark(slot: i32): void {
  if (recordCount <= EVENT_TABLE) store<u32>(EVENTS + <usize>(recordCount - 1) * 12 + (<usize>slot << 2), <u32>(o - outStart));
}
let expanded: f64 = 0;

/** The first non-null value among slots [first, first+count) of the record; later present ones set aside. */
function take(first: i32, count: i32): i32 {
  let found = -1;
  for (let s = first; s < first + count; s++) {
    if ((cPresent & (1 << s)) == 0) continue;
    if (found >= 0) {
      store<u32>(ASIDE + ((<usize>nAside) << 2), s);
      nAside++;
    }
    else if ((load<u32>(C_KIND + (<usize>s << 2)) & 0xff) != NULL) found = s;
  }
  return found;
}

@inline function slotPtr(s: i32): usize {
  return <usize>load<u32>(C_PTR + (<usize>s << 2));
}
@inline function slotLen(s: i32): usize {
  return <usize>load<u32>(C_LEN + (<usize>s << 2));
}
@inline function slotKind(s: i32): i32 {
  return <i32>(load<u32>(C_KIND + (<usize>s << 2)) & 0xff);
}
@inline function slotCanon(s: i32): bool {
  return (load<u32>(C_KIND + (<usize>s << 2)) & 0x100) != 0;
}

let firstField = true;
/** A pooled `,"name":`, without its comma unless `comma`. */
function olitc(l: usize, comma: bool): void {
  if (comma) ospan(l + 1, load<u8>(l));
  else ospan(l + 2, load<u8>(l) - 1);
}

/** A field's name (a pooled `,"name":`), its comma dropped for the first. */
@inline function field(l: usize): void {
  olitc(l, !firstField);
  firstField = false;
  nFields++;
}

/** `String(value)` of a slot or span as JSON, or bad when JS would write it otherwise. */
function ostring(p: usize, n: usize, kind: i32, canon: bool): void {
  if (kind == STR) ospan(p, n);
  else if (kind == BOOL || (kind == NUM && canon)) {
    oput(34);
    ospan(p, n);
    oput(34);
  } else bad = true;
}

/** Timestamp: epoch ms of timeUnixNano, else of observedTimeUnixNano (mapOtlpLogs' epochMs). */
function epochMs(p: usize, n: usize): bool {
  if (n == 0 || n > 20) return false;
  for (let i: usize = 0; i < n; i++) if (!isDigit(at(p + i))) return false;
  if (n == 1 && at(p) == 48) return false;
  if (n <= 6) {
    tsPtr = changetype<usize>(0);
    tsZero = true;
    return true;
  }
  let q = p;
  const e = p + n - 6;
  while (q < e - 1 && at(q) == 48) q++;
  tsPtr = q;
  tsLen = e - q;
  tsZero = false;
  return true;
}
let tsPtr: usize = 0;
let tsLen: usize = 0;
let tsZero = false;

/** One log record → its event, written to the output. */
function record(resourceBytes: f64, scopePtr: usize, scopeLen: usize, hasScope: bool, maxEventBytes: f64, maxExpanded: f64): bool {
  if (!eat(123)) return false;
  for (let i: usize = 0; i < <usize>TABLE; i += 16) {
    v128.store(C_PTR + i, v128.load(R_PTR + i));
    v128.store(C_LEN + i, v128.load(R_LEN + i));
    v128.store(C_KIND + i, v128.load(R_KIND + i));
  }
  cPresent = rPresent;
  nAside = 0;
  nested = resNested;
  level = resLevel;
  const resRestEnd = aCursor;
  const resValuesEnd = bCursor;
  const resRestCount = restCount;
  mBytes = 2;
  let fields = 0;
  let seen: u32 = 0;
  let timePtr: usize = 0,
    timeLen: usize = 0,
    hasTime = false;
  let obsPtr: usize = 0,
    obsLen: usize = 0,
    hasObs = false;
  let sevText: usize = 0,
    sevTextLen: usize = 0;
  let sevNum: i64 = 0;
  let traceP: usize = 0,
    traceL: usize = 0;
  let spanP: usize = 0,
    spanL: usize = 0;
  let bodyP: usize = 0,
    bodyL: usize = 0,
    bodyK = 0,
    bodyC = false;
  if (!eat(125)) {
    do {
      if (!key()) return false;
      const n = sLen;
      let bit: u32 = 0;
      if (n == 12 && keyIs(K_timeUnixNano, 12)) {
        bit = 1;
        if (!str()) return false;
        timePtr = sPtr;
        timeLen = sLen;
        hasTime = true;
        mBytes += 15 + <i64>sLen + 2;
        fields++;
      } else if (n == 20 && keyIs(K_observedTimeUnixNano, 20)) {
        bit = 2;
        if (!str()) return false;
        obsPtr = sPtr;
        obsLen = sLen;
        hasObs = true;
        mBytes += 23 + <i64>sLen + 2;
        fields++;
      } else if (n == 14 && keyIs(K_severityNumber, 14)) {
        bit = 4;
        if (!num() || !nInt || nLen > 10) return false;
        let v: i64 = 0;
        let p = nPtr;
        const neg = at(p) == 45;
        if (neg) p++;
        for (; p < nPtr + nLen; p++) v = v * 10 + <i64>(at(p) - 48);
        sevNum = neg ? -v : v;
        mBytes += 17 + <i64>nLen;
        fields++;
      } else if (n == 12 && keyIs(K_severityText, 12)) {
        bit = 8;
        if (!str()) return false;
        sevText = sPtr - 1;
        sevTextLen = sLen + 2;
        mBytes += 15 + <i64>sLen + 2;
        fields++;
      } else if (n == 7 && keyIs(K_traceId, 7)) {
        bit = 16;
        if (!str()) return false;
        traceP = sPtr - 1;
        traceL = sLen + 2;
        mBytes += 10 + <i64>sLen + 2;
        fields++;
      } else if (n == 6 && keyIs(K_spanId, 6)) {
        bit = 32;
        if (!str()) return false;
        spanP = sPtr - 1;
        spanL = sLen + 2;
        mBytes += 9 + <i64>sLen + 2;
        fields++;
      } else if (n == 9 && keyIs(K_eventName, 9)) {
        bit = 64;
        if (!str()) return false;
        mBytes += 12 + <i64>sLen + 2;
        fields++;
      } else if (n == 10 && keyIs(K_attributes, 10)) {
        bit = 128;
        mBytes += 13;
        fields++;
        if (!attributeList(false)) return false;
      } else if (n == 4 && keyIs(K_body, 4)) {
        bit = 256;
        mBytes += 7;
        fields++;
        w = bCursor;
        wEnd = bEnd;
        if (!anyValue(0)) return false;
        bCursor = w;
        bodyP = vPtr;
        bodyL = vLen;
        bodyK = vKind;
        bodyC = vCanon;
      } else if (n == 22 && keyIs(K_droppedAttributesCount, 22)) {
        bit = 512;
        if (!skip(0)) return false;
      } else if (n == 5 && keyIs(K_flags, 5)) {
        bit = 1024;
        if (!skip(0)) return false;
      } else return false;
      if ((seen & bit) != 0) return false;
      seen |= bit;
    } while (eat(44));
    if (!eat(125)) return false;
  }
  if (fields > 1) mBytes += fields - 1;
  const size = resourceBytes + <f64>(hasScope ? scopeLen : 0) + <f64>mBytes;
  if (size > maxEventBytes) return false;
  expanded += size;
  if (expanded > maxExpanded) return false;

  if (recordCount > 0) oput(44);
  recordCount++;
  mark(0);
  oput(123);
  firstField = true;
  nFields = 0;
  let errorFields = 0;
  const service = take(0, 1);
  if (service >= 0) {
    field(F_service);
    ospan(slotPtr(service), slotLen(service));
  }
  const requestId = take(1, 3);
  field(F_requestId);
  if (requestId >= 0) ospan(slotPtr(requestId), slotLen(requestId));
  else if (traceL > 2) ospan(traceP, traceL);
  else olitp(O_null); // undefined in the JS mapping: the caller sets it so
  let hasTs = false;
  if (hasTime && epochMs(timePtr, timeLen)) hasTs = true;
  else if (hasObs && epochMs(obsPtr, obsLen)) hasTs = true;
  if (hasTs) {
    field(F_timestamp);
    if (tsZero) oput(48);
    else ospan(tsPtr, tsLen);
  }
  const route = take(4, 3);
  if (route >= 0) {
    field(F_route);
    ospan(slotPtr(route), slotLen(route));
  }
  const method = take(7, 2);
  if (method >= 0) {
    field(F_method);
    ospan(slotPtr(method), slotLen(method));
  }
  const status = take(9, 2);
  if (status >= 0) {
    field(F_statusCode);
    if (slotKind(status) == STR) {
      // Number(text): only texts that read as the same JSON number
      if (!intText(slotPtr(status) + 1, slotLen(status) - 2)) return false;
      ospan(slotPtr(status) + 1, slotLen(status) - 2);
    } else ospan(slotPtr(status), slotLen(status));
  }
  const duration = take(11, 3);
  if (duration >= 0) {
    field(F_durationMs);
    ospan(slotPtr(duration), slotLen(duration));
  }
  const exceptionType = take(14, 1);
  const exceptionMessage = take(15, 1);
  const errorCode = take(16, 2);
  if (exceptionType >= 0 || errorCode >= 0 || ((seen & 4) != 0 && sevNum >= 17)) {
    field(F_error);
    oput(123);
    let comma = false;
    if (errorCode >= 0) {
      olitp(O_code);
      errorFields++;
      ostring(slotPtr(errorCode), slotLen(errorCode), slotKind(errorCode), slotCanon(errorCode));
      comma = true;
    }
    if (exceptionMessage >= 0 || bodyK == STR) {
      olitc(O_message, comma);
      errorFields++;
      if (exceptionMessage >= 0)
        ostring(slotPtr(exceptionMessage), slotLen(exceptionMessage), slotKind(exceptionMessage), slotCanon(exceptionMessage));
      else ospan(bodyP, bodyL);
      comma = true;
    }
    if (exceptionType >= 0) {
      olitc(O_type, comma);
      errorFields++;
      ostring(slotPtr(exceptionType), slotLen(exceptionType), slotKind(exceptionType), slotCanon(exceptionType));
    }
    oput(125);
  }
  mark(1);
  if (bodyK != 0 && bodyK != NULL) {
    field(F_message);
    ospan(bodyP, bodyL);
  }
  if ((seen & 8) != 0) {
    field(F_severity);
    ospan(sevText, sevTextLen);
  }
  if (traceL > 2) {
    field(F_traceId);
    ospan(traceP, traceL);
  }
  if (spanL > 2) {
    field(F_spanId);
    ospan(spanP, spanL);
  }
  if (hasScope && scopeLen > 0) {
    field(F_scope);
    ospan(scopePtr - 1, scopeLen + 2);
  }
  if (aCursor > aStart || nAside > 0) {
    field(F_attributes);
    oput(123);
    ospan(aStart, aCursor - aStart);
    for (let i = 0; i < nAside; i++) {
      const s = <i32>load<u32>(ASIDE + (<usize>i << 2));
      olitp(<usize>load<u32>(KNOWN_KEY + (<usize>s << 2)));
      ospan(slotPtr(s), slotLen(s));
      oput(44);
    }
    store<u8>(o - 1, 125); // the last comma
  }
  oput(125);
  mark(2);
  // Upper bounds: every kvlist key read for the record or its resource (duplicates and values the
  // mapping drops included), each container one level below the attributes object.
  const keys = nFields + errorFields + (aCursor > aStart || nAside > 0 ? restCount + nAside : 0) + nested;
  if (keys > certFields) certFields = keys;
  if (2 + level > certDepth) certDepth = 2 + level;
  // The record's own attribute text and values are not needed again.
  aCursor = resRestEnd;
  bCursor = resValuesEnd;
  restCount = resRestCount;
  return !bad;
}

/** scopeLogs[i]: scope (before logRecords), logRecords, schemaUrl. */
function scopeLogs(resourceBytes: f64, maxEvents: i32, maxEventBytes: f64, maxExpanded: f64): bool {
  if (!eat(123)) return false;
  if (eat(125)) return true;
  let seen: u32 = 0;
  let scopePtr: usize = 0;
  let scopeLen: usize = 0;
  let hasScope = false;
  do {
    if (!key()) return false;
    let bit: u32 = 0;
    if (keyIs(K_scope, 5)) {
      bit = 1;
      if ((seen & 2) != 0 || !eat(123)) return false;
      if (!eat(125)) {
        let scopeSeen: u32 = 0;
        do {
          if (!key()) return false;
          let b: u32 = 0;
          if (keyIs(K_name, 4)) {
            b = 1;
            if (!str()) return false;
            scopePtr = sPtr;
            scopeLen = sLen;
            hasScope = true;
          } else if (keyIs(K_version, 7)) {
            b = 2;
            if (!skip(0)) return false;
          } else if (keyIs(K_attributes, 10)) {
            b = 4;
            if (!skip(0)) return false;
          } else if (keyIs(K_droppedAttributesCount, 22)) {
            b = 8;
            if (!skip(0)) return false;
          } else return false;
          if ((scopeSeen & b) != 0) return false;
          scopeSeen |= b;
        } while (eat(44));
        if (!eat(125)) return false;
      }
    } else if (keyIs(K_logRecords, 10)) {
      bit = 2;
      if (!eat(91)) return false;
      if (!eat(93)) {
        do {
          if (++recordCount > maxEvents) return false;
          recordCount--;
          if (!record(resourceBytes, scopePtr, scopeLen, hasScope, maxEventBytes, maxExpanded)) return false;
        } while (eat(44));
        if (!eat(93)) return false;
      }
    } else if (keyIs(K_schemaUrl, 9)) {
      bit = 4;
      if (!str()) return false;
    } else return false;
    if ((seen & bit) != 0) return false;
    seen |= bit;
  } while (eat(44));
  return eat(125);
}

/** resourceLogs[i]: resource (before scopeLogs), scopeLogs, schemaUrl. */
function resourceLogs(maxEvents: i32, maxEventBytes: f64, maxExpanded: f64): bool {
  if (!eat(123)) return false;
  aCursor = aStart;
  bCursor = bStart;
  restCount = 0;
  rPresent = 0;
  nested = 0;
  level = 0;
  resNested = 0;
  resLevel = 0;
  if (eat(125)) return true;
  let seen: u32 = 0;
  let resourceBytes: f64 = 2;
  do {
    if (!key()) return false;
    let bit: u32 = 0;
    if (keyIs(K_resource, 8)) {
      bit = 1;
      if ((seen & 2) != 0 || !eat(123)) return false;
      if (!eat(125)) {
        let rSeen: u32 = 0;
        do {
          if (!key()) return false;
          let b: u32 = 0;
          if (keyIs(K_attributes, 10)) {
            b = 1;
            if (!attributeList(true)) return false;
          } else if (keyIs(K_droppedAttributesCount, 22)) {
            b = 2;
            if (!skip(0)) return false;
          } else return false;
          if ((rSeen & b) != 0) return false;
          rSeen |= b;
        } while (eat(44));
        if (!eat(125)) return false;
      }
      resNested = nested;
      resLevel = level;
      // An upper bound of JSON.stringify(resource attributes): the rest text (commas included) and
      // each mapped name with its value and a comma.
      resourceBytes = 2 + <f64>(aCursor - aStart);
      for (let s = 0; s < SLOTS; s++) {
        if ((rPresent & (1 << s)) == 0) continue;
        resourceBytes += <f64>(unchecked(KNOWN[s]).length + 4) + <f64>load<u32>(R_LEN + (<usize>s << 2));
      }
    } else if (keyIs(K_scopeLogs, 9)) {
      bit = 2;
      if (!eat(91)) return false;
      if (!eat(93)) {
        do {
          if (!scopeLogs(resourceBytes, maxEvents, maxEventBytes, maxExpanded)) return false;
        } while (eat(44));
        if (!eat(93)) return false;
      }
    } else if (keyIs(K_schemaUrl, 9)) {
      bit = 4;
      if (!str()) return false;
    } else return false;
    if ((seen & bit) != 0) return false;
    seen |= bit;
  } while (eat(44));
  return eat(125);
}

/** Where the caller writes the body's bytes. */
export function input(): usize {
  return (__heap_base + 15) & ~15;
}

/**
 * Each work region's size. What they hold is at most a resource's and one record's attributes, far
 * less than the body as SDKs batch records; a region that fills answers "fall back".
 */
function region(n: usize): usize {
  return (n >> 1) + 1024;
}

/** Room for a body of `n` bytes, its work regions and a first output (grown as needed); false when memory cannot grow. */
export function prepare(n: usize): bool {
  const need = input() + n + 1 + 2 * region(n) + (n >> 1) + 65536;
  const have = (<usize>memory.size()) << 16;
  if (need <= have) return true;
  return memory.grow(<i32>((need - have + 0xffff) >> 16)) >= 0;
}

export function output(): usize {
  return outStart;
}

/**
 * The body of `n` bytes at input() → the JSON array of its events at output(), its length; -1:
 * fall back to the JS mapping.
 */
export function transcode(n: usize, maxEvents: i32, maxEventBytes: f64, maxExpanded: f64): i32 {
  inEnd = input() + n;
  store<u8>(inEnd, 0); // a sentinel no token matches
  pos = input();
  aStart = inEnd + 1;
  aEnd = aStart + region(n);
  bStart = aEnd;
  bEnd = bStart + region(n);
  outStart = bEnd;
  o = outStart;
  oLimit = (<usize>memory.size()) << 16;
  bad = false;
  recordCount = 0;
  expanded = 0;
  hostile = false;
  certFields = 0;
  certDepth = 1;
  if (!eat(123) || !key() || !keyIs(K_resourceLogs, 12) || !eat(91)) return -1;
  oput(91);
  if (!eat(93)) {
    do {
      if (!resourceLogs(maxEvents, maxEventBytes, maxExpanded)) return -1;
    } while (eat(44));
    if (!eat(93)) return -1;
  }
  if (!eat(125)) return -1;
  ws();
  if (pos != inEnd || bad) return -1;
  oput(93);
  if (bad) return -1;
  return <i32>(o - outStart);
}

/** After a transcode that answered: its events, and their offsets (see EVENTS) when at most eventTableSize(). */
export function events(): i32 {
  return recordCount;
}

export function eventTable(): usize {
  return EVENTS;
}

export function eventTableSize(): i32 {
  return EVENT_TABLE;
}

/** Where reading stopped, from the body's start (for tests that ask why a body fell back). */
export function stoppedAt(): usize {
  return pos - input();
}

/**
 * After a transcode that answered: no event has more fields than this (object keys at all depths,
 * as the scrub walk counts them), or -1 when the body holds a `__proto__`, `constructor` or
 * `prototype` key anywhere. An upper bound.
 */
export function checkedFields(): i32 {
  return hostile ? -1 : certFields;
}

/** After a transcode that answered: no event nests deeper than this (the event is 1). An upper bound. */
export function checkedDepth(): i32 {
  return certDepth;
}
