import { describe, expect, test } from "bun:test";
import { type NdjsonChunk, ndjsonLines } from "./ndjson-lines.ts";

function streamOf(chunks: Array<string | Uint8Array>, onCancel?: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const queue = chunks.map((c) => (typeof c === "string" ? encoder.encode(c) : c));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
    cancel() {
      onCancel?.();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, maxBytes = 1000, maxLineBytes = 100): Promise<NdjsonChunk[]> {
  const out: NdjsonChunk[] = [];
  for await (const chunk of ndjsonLines(stream, maxBytes, maxLineBytes)) out.push(chunk);
  return out;
}

describe("ndjsonLines", () => {
  test("splits lines across chunk boundaries and counts their bytes", async () => {
    const out = await collect(streamOf(['{"a":', '1}\n{"b"', ":2}\n"]));
    expect(out).toEqual([
      { kind: "line", index: 0, line: '{"a":1}', bytes: 7 },
      { kind: "line", index: 1, line: '{"b":2}', bytes: 7 },
    ]);
  });

  test("a last line without a newline is yielded", async () => {
    expect(await collect(streamOf(["{}\n{}"]))).toHaveLength(2);
  });

  test("blank and whitespace-only lines are skipped and take no index; CRLF is stripped", async () => {
    const out = await collect(streamOf(["{}\r\n\r\n  \n\t\n{}\r\n"]));
    expect(out.map((c) => c.kind === "line" && [c.index, c.line])).toEqual([
      [0, "{}"],
      [1, "{}"],
    ]);
  });

  test("a multi-byte character split between chunks decodes whole", async () => {
    const bytes = new TextEncoder().encode('"€"\n');
    const out = await collect(streamOf([bytes.slice(0, 2), bytes.slice(2)]));
    expect(out).toEqual([{ kind: "line", index: 0, line: '"€"', bytes: 5 }]);
  });

  test("a leading BOM is dropped", async () => {
    const out = await collect(streamOf([new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])]));
    expect(out).toEqual([{ kind: "line", index: 0, line: "{}", bytes: 2 }]);
  });

  test("a line over maxLineBytes is yielded as oversized with its full length, and the next line is fine", async () => {
    const out = await collect(streamOf(["x".repeat(60), "x".repeat(60), "\n{}\n"]), 1000, 100);
    expect(out).toEqual([
      { kind: "oversized", index: 0, bytes: 120 },
      { kind: "line", index: 1, line: "{}", bytes: 2 },
    ]);
  });

  test("over maxBytes in total yields too-large last and cancels the stream", async () => {
    let cancelled = false;
    const out = await collect(
      streamOf(["{}\n".repeat(10), "{}\n".repeat(10), "{}\n".repeat(10)], () => {
        cancelled = true;
      }),
      50,
    );
    expect(out.at(-1)).toMatchObject({ kind: "too-large", error: { status: 413, code: "BODY_TOO_LARGE" } });
    expect(cancelled).toBe(true);
  });

  test("breaking out of the loop cancels the stream", async () => {
    let cancelled = false;
    const stream = streamOf(["{}\n{}\n", "{}\n"], () => {
      cancelled = true;
    });
    for await (const _ of ndjsonLines(stream, 1000, 100)) break;
    expect(cancelled).toBe(true);
  });

  test("a null body yields nothing", async () => {
    expect(await Array.fromAsync(ndjsonLines(null, 10, 10))).toEqual([]);
  });
});
