import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { checkContentLength, contentCoding, decompressBody, InvalidEncoding, readBodyText } from "./read-body.ts";

const MiB = 1024 * 1024;

function streamOf(chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

/** A pull-driven 50 MB source that records how much was actually pulled and whether it was cancelled. */
function hugeStream(totalBytes: number, chunkBytes = 64 * 1024) {
  const stats = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(chunkBytes).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled >= totalBytes) return controller.close();
      stats.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats };
}

describe("readBodyText", () => {
  test("reads a body split across chunks", async () => {
    expect(await readBodyText(streamOf(['{"a":', "1}"]), 100)).toEqual({ ok: true, text: '{"a":1}', bytes: 7 });
  });

  test("a null body is empty text", async () => {
    expect(await readBodyText(null, 100)).toEqual({ ok: true, text: "", bytes: 0 });
  });

  test("a multi-byte character split between chunks decodes whole", async () => {
    const bytes = new TextEncoder().encode('"é€😀"');
    const result = await readBodyText(streamOf([bytes.slice(0, 2), bytes.slice(2, 5), bytes.slice(5)]), 100);
    expect(result.ok && result.text).toBe('"é€😀"');
  });

  test("invalid UTF-8 becomes U+FFFD instead of failing", async () => {
    const result = await readBodyText(streamOf([new Uint8Array([0x22, 0xff, 0x22])]), 100);
    expect(result.ok && result.text).toBe('"\uFFFD"');
  });

  test("a body of exactly maxBytes is accepted", async () => {
    expect((await readBodyText(streamOf(["x".repeat(100)]), 100)).ok).toBe(true);
  });

  test("a 50 MB stream is cut off with 413 after about 10 MiB and cancelled", async () => {
    const { stream, stats } = hugeStream(50 * MiB);
    const result = await readBodyText(stream, 10 * MiB);
    expect(result).toMatchObject({ ok: false, status: 413, code: "BODY_TOO_LARGE" });
    if (!result.ok) expect(result.message).toContain("10 MiB (10485760 bytes)");
    expect(stats.cancelled).toBe(true);
    // Over the cap by at most the chunk that crossed it plus the one queued ahead.
    expect(stats.pulled).toBeGreaterThan(10 * MiB);
    expect(stats.pulled).toBeLessThanOrEqual(10 * MiB + 2 * 64 * 1024);
  });
});

describe("checkContentLength", () => {
  test("a declared length over the cap is 413", () => {
    expect(checkContentLength("52428800", 10 * MiB)).toMatchObject({ status: 413, code: "BODY_TOO_LARGE" });
  });

  test("a declared length within the cap passes", () => {
    expect(checkContentLength(String(10 * MiB), 10 * MiB)).toBeNull();
  });

  test("a missing or malformed header is left to the streaming cap", () => {
    expect(checkContentLength(undefined, 10)).toBeNull();
    expect(checkContentLength(null, 10)).toBeNull();
    expect(checkContentLength("abc", 10)).toBeNull();
    expect(checkContentLength("-5", 10)).toBeNull();
  });
});

describe("contentCoding", () => {
  test("no header and identity mean an uncompressed body", () => {
    expect(contentCoding(undefined)).toBeNull();
    expect(contentCoding("identity")).toBeNull();
  });

  test("gzip, x-gzip and deflate are the DecompressionStream formats, in any case", () => {
    expect(contentCoding("gzip")).toBe("gzip");
    expect(contentCoding("X-GZIP")).toBe("gzip");
    expect(contentCoding(" deflate ")).toBe("deflate");
  });

  test("br and stacked codings are 415 naming what is supported", () => {
    for (const header of ["br", "gzip, gzip", "zstd"]) {
      expect(contentCoding(header)).toMatchObject({ status: 415, code: "UNSUPPORTED_MEDIA_TYPE" });
    }
  });
});

describe("decompressBody", () => {
  /** A gzip of `inflated` bytes of spaces, served in 16 KiB pulls that are counted. */
  function gzipSource(inflated: number) {
    const compressed = gzipSync(new Uint8Array(inflated).fill(0x20));
    const stats = { pulled: 0, total: compressed.byteLength, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (stats.pulled >= compressed.byteLength) return controller.close();
        controller.enqueue(compressed.subarray(stats.pulled, stats.pulled + 16 * 1024));
        stats.pulled += 16 * 1024;
      },
      cancel() {
        stats.cancelled = true;
      },
    });
    return { stream, stats };
  }

  test("inflates a gzip body and counts the inflated bytes", async () => {
    const body = decompressBody(streamOf([gzipSync('{"service":"a"}')]), "gzip");
    expect(await readBodyText(body, 1024)).toEqual({ ok: true, text: '{"service":"a"}', bytes: 15 });
  });

  test("a gzip bomb stops at the cap: 413, the source cancelled before it was read whole", async () => {
    const { stream, stats } = gzipSource(256 * MiB);
    const result = await readBodyText(decompressBody(stream, "gzip"), 1 * MiB);
    expect(result).toMatchObject({ ok: false, status: 413, code: "BODY_TOO_LARGE" });
    await Bun.sleep(0);
    expect(stats.cancelled).toBe(true);
    expect(stats.pulled).toBeLessThan(stats.total / 4);
  });

  test("corrupt data makes the read throw InvalidEncoding", async () => {
    const body = decompressBody(streamOf(["not gzip at all"]), "gzip");
    await expect(readBodyText(body, 1024)).rejects.toBeInstanceOf(InvalidEncoding);
  });
});
