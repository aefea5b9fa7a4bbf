/**
 * UTF-8 byte length of `text[start, end)` without encoding it. A lone surrogate counts 3 bytes,
 * as TextEncoder would write U+FFFD for it.
 */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let bytes = end - start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    // 3 bytes for 1 unit; a surrogate pair is 4 bytes for 2 units, so its low half adds nothing.
    bytes += 2;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return bytes;
}

/**
 * Whether `text[start, end)` is over `max` UTF-8 bytes. A code unit is 1 to 3 bytes, so most
 * answers come from the length alone and only borderline slices are counted.
 */
export function utf8Over(text: string, max: number, start = 0, end = text.length): boolean {
  const units = end - start;
  if (units > max) return true;
  if (units * 3 <= max) return false;
  return utf8Length(text, start, end) > max;
}
