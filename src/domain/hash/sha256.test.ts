import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { constantTimeEqual, hmacSha256, sha256, toHex } from "./sha256.ts";

describe("sha256", () => {
  test("matches the FIPS 180-4 test vectors", () => {
    expect(toHex(sha256(""))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(sha256("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(toHex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  test("matches node:crypto on every length around the block and padding boundaries, and on UTF-8", () => {
    for (let n = 0; n < 200; n++) {
      const text = "é".repeat(n % 7) + "x".repeat(n);
      expect(toHex(sha256(text))).toBe(createHash("sha256").update(text).digest("hex"));
    }
  });
});

describe("hmacSha256", () => {
  test("matches RFC 4231 test case 2", () => {
    expect(toHex(hmacSha256("Jefe")("what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  test("matches node:crypto for keys shorter than, equal to and longer than a block", () => {
    for (const key of ["k".repeat(16), "k".repeat(64), "k".repeat(100)]) {
      for (const message of ["", "user-42", "x".repeat(130)]) {
        expect(toHex(hmacSha256(key)(message))).toBe(createHmac("sha256", key).update(message).digest("hex"));
      }
    }
  });
});

describe("constantTimeEqual", () => {
  test("is true for equal bytes and false for any difference in content or length", () => {
    const a = sha256("a");
    expect(constantTimeEqual(a, sha256("a"))).toBe(true);
    expect(constantTimeEqual(a, sha256("b"))).toBe(false);
    expect(constantTimeEqual(a, a.slice(0, 31))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});
