import { describe, expect, test } from "bun:test";
import { murmur3_32, murmur3_128hex } from "./murmur3.ts";

// Expected values were computed with Python mmh3 5.3.1 (mmh3.hash(utf8, seed, signed=False) and
// mmh3.hash_bytes(utf8, seed, x64arch=False) read as four little-endian uint32s), and the
// quoted-text, CJK, emoji and 0x00..0x3f vectors also match murmurhash3js-revisited's published ones.
const ascending = Array.from({ length: 64 }, (_, i) => String.fromCharCode(i)).join("");
const longAscii = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join("");

const vectors: [label: string, input: string, seed: number, x86_32: number, x86_128: string][] = [
  ["empty, seed 0", "", 0, 0, "00000000000000000000000000000000"],
  ["empty, seed 1", "", 1, 0x514e28b7, "88c4adec54d201b954d201b954d201b9"],
  ["empty, seed 0xffffffff", "", 0xffffffff, 0x81f16f39, "051e08a9989d49f7989d49f7989d49f7"],
  ["hello", "hello", 0, 0x248bfa47, "2b2444a0db91def79adb31b69adb31b6"],
  ["Hello, world! seed 1234", "Hello, world!", 1234, 0xfaf6cdb3, "f9e74509c756c17b35feb7d907d9cdff"],
  ["quick brown fox", "The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723, "2f1583c3ecee2c675d7bf66ce5e91d2c"],
  ["record", "I will not buy this record, it is scratched.", 0, 2832214938, "a0a9683b25ac5e40d9af2895890dddf5"],
  ["tobacconist", "I will not buy this tobacconist's, it is scratched.", 0, 1720269489, "9b5b7ba2ef3f7866889adeaf00f3f98e"],
  ["hovercraft, seed 25", "My hovercraft is full of eels.", 25, 2520298415, "33e54463e1a104d6dbb7d15030df01fb"],
  ["bytes 0x00..0x3f (whole 128-bit blocks)", ascending, 0, 2303633163, "cc32c3983052e6520858cfaa82d82209"],
  ["bytes 0x00..0x1e (15-byte tail)", ascending.slice(0, 31), 0, 1682074326, "24ab92eeac1d89ca45f5bc189ad5dda3"],
  ["1000 ASCII chars", longAscii, 0, 482152990, "a9cb40fa9910d34719b52305787d8710"],
  ["request id", "req-2026-11-26-42", 0, 0x438bf1e0, "b909b306e3831c08452155f93b95ecd4"],
];

const utf8Vectors: [label: string, input: string, seed: number, x86_32: number, x86_128: string][] = [
  ["Korean (3-byte UTF-8)", "결제 오류", 0, 0x42a5857b, "aac4de2c7aa9df6b3e3174f5205ffed5"],
  ["Chinese", "我的气垫船装满了鳗鱼", 0, 1553108894, "3ffaf018ca173b58c4e26affcd6a7d02"],
  ["lone emoji (surrogate pair, 4 bytes)", "😀", 0, 0xbeb42efa, "f0e2fa84701463f2701463f2701463f2"],
  ["emoji after ASCII", "a😀", 0, 0xe325d8b4, "f8fe2833f354be55cf19471acf19471a"],
  ["emoji inside text", "My 🚀 is full of 🦎.", 0, 1818098979, "e616d85ffee7f678dab461995b5bb90f"],
  ["mixed 2- and 4-byte, seed 42", "aé😀", 42, 0xefa4d8ab, "8e7c26075f4e7eb18547bee98547bee9"],
];

describe("murmur3_32 (x86_32)", () => {
  for (const [label, input, seed, expected] of [...vectors, ...utf8Vectors]) {
    test(`reference vector: ${label}`, () => {
      expect(murmur3_32(input, seed)).toBe(expected);
    });
  }

  test("defaults the seed to 0", () => {
    expect(murmur3_32("hello")).toBe(murmur3_32("hello", 0));
  });

  test("returns an unsigned 32-bit integer", () => {
    const h = murmur3_32("I will not buy this record, it is scratched.");
    expect(h).toBeGreaterThan(0x7fffffff);
    expect(Number.isInteger(h)).toBe(true);
  });

  test("a lone surrogate hashes like TextEncoder's U+FFFD replacement", () => {
    expect(murmur3_32("a\ud800b")).toBe(murmur3_32("a\ufffdb"));
    expect(murmur3_32("a\ud800b")).toBe(3412674851);
  });
});

describe("murmur3_128hex (x86_128)", () => {
  for (const [label, input, seed, , expected] of [...vectors, ...utf8Vectors]) {
    test(`reference vector: ${label}`, () => {
      expect(murmur3_128hex(input, seed)).toBe(expected);
    });
  }

  test("seed 99 on a long input", () => {
    expect(murmur3_128hex(longAscii, 99)).toBe("ca1cda6557a35109a7148d210408b89e");
  });

  test("the reused ASCII buffer does not leak between calls", () => {
    murmur3_128hex(longAscii);
    expect(murmur3_128hex("hello")).toBe("2b2444a0db91def79adb31b69adb31b6");
    expect(murmur3_128hex("")).toBe("00000000000000000000000000000000");
  });

  test("always 32 lowercase hex characters", () => {
    for (const s of ["", "a", "ab", "abc", "abcd", "😀", longAscii]) {
      expect(murmur3_128hex(s)).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
