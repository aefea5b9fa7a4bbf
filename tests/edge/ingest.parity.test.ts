import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AUTH, INGEST_CASES, PARITY_ENV, requestFor, SAMPLING_BATCH_REASONS, samplingBatch } from "../support/ingest-cases.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

const WORKERD_PARITY_ENV = { ...PARITY_ENV, PUBLISHER: "discard" };

/** The same requests to the app on Bun and on workerd (wrangler dev): the answers must be identical. */
describe("POST /v1/events on Bun and on workerd", () => {
  let bun: RunningServer;
  let workerd: RunningWorker;

  beforeAll(async () => {
    // A Worker refuses PUBLISHER=memory (nothing drains it there); discard answers the same and keeps nothing.
    [bun, workerd] = await Promise.all([spawnServer("edge/bun-server.ts", PARITY_ENV), startWorkerd(WORKERD_PARITY_ENV)]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([bun?.stop("SIGKILL"), workerd?.stop()]);
  });

  async function both(make: (base: string) => Request) {
    const [a, b] = await Promise.all([fetch(make(bun.url)), fetch(make(workerd.url))]);
    return {
      bun: { status: a.status, type: a.headers.get("content-type"), body: await a.text() },
      workerd: { status: b.status, type: b.headers.get("content-type"), body: await b.text() },
    };
  }

  for (const c of INGEST_CASES) {
    test(`${c.name} → ${c.status}, identical on both runtimes`, async () => {
      const answers = await both((base) => requestFor(base, c));
      expect(answers.bun.status).toBe(c.status);
      expect(answers.bun.type).toContain("application/json");
      const body = JSON.parse(answers.bun.body) as Record<string, unknown>;
      if (c.status >= 400) expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(answers.workerd).toEqual(answers.bun);
    });
  }

  test("2,000 counter-id events get the same sampling decision on both runtimes", async () => {
    const body = samplingBatch();
    const answers = await both(
      (base) =>
        new Request(`${base}/v1/events?explain=1`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body }),
    );
    expect(answers.bun.status).toBe(202);
    expect(answers.workerd).toEqual(answers.bun);
    const { decisions } = JSON.parse(answers.bun.body) as { decisions: { reason: string }[] };
    const reasons = new Set(decisions.map((d) => d.reason));
    for (const reason of SAMPLING_BATCH_REASONS) {
      expect(reasons).toContain(reason);
    }
  });

  test("a 1 MiB event nested 500,000 deep is parsed without recursion and refused on both runtimes", async () => {
    // With the event size at 1 MiB this body skips the pre-scan: JSON.parse (iterative on JSC and V8) runs first.
    const [bigBun, bigWorkerd] = await Promise.all([
      spawnServer("edge/bun-server.ts", { ...PARITY_ENV, INGEST_MAX_EVENT_BYTES: "1048576" }),
      startWorkerd({ ...WORKERD_PARITY_ENV, INGEST_MAX_EVENT_BYTES: "1048576" }),
    ]);
    try {
      const body = `{"service":"deep","x":${"[".repeat(500_000)}${"]".repeat(500_000)}}`;
      const post = (base: string) =>
        fetch(`${base}/v1/events`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body });
      const [a, b] = await Promise.all([post(bigBun.url), post(bigWorkerd.url)]);
      const answers = [
        { status: a.status, body: await a.text() },
        { status: b.status, body: await b.text() },
      ];
      expect(answers[0]?.status).toBe(400);
      expect(JSON.parse(answers[0]?.body ?? "{}")).toMatchObject({ error: { code: "TOO_DEEP" } });
      expect(answers[1]).toEqual(answers[0]);
      // Both servers are still up.
      expect((await fetch(`${bigBun.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${bigWorkerd.url}/healthz`)).status).toBe(200);
    } finally {
      await Promise.all([bigBun.stop("SIGKILL"), bigWorkerd.stop()]);
    }
  }, 90_000);

  // curl, because it reads the early 413 while still uploading; Bun's fetch reports the reset instead.
  for (const mode of ["with Content-Length", "chunked"] as const) {
    test(`a 50 MB body (${mode}) is refused with a JSON 413 by both runtimes`, async () => {
      const file = join(mkdtempSync(join(tmpdir(), "widegate-big-")), "big.json");
      writeFileSync(file, new Uint8Array(50 * 1024 * 1024).fill(0x20));
      const post = async (base: string) => {
        const args = [
          "curl",
          "-s",
          "-o",
          "-",
          "-w",
          "\\n%{http_code}",
          "-X",
          "POST",
          `${base}/v1/events`,
          "-H",
          `authorization: ${AUTH.authorization}`,
        ];
        args.push("-H", "content-type: application/json", "--data-binary", `@${file}`);
        if (mode === "chunked") args.push("-H", "transfer-encoding: chunked");
        const out = await new Response(Bun.spawn(args, { stdout: "pipe" }).stdout).text();
        const at = out.lastIndexOf("\n");
        return { status: Number(out.slice(at + 1)), body: out.slice(0, at) };
      };
      const [a, b] = await Promise.all([post(bun.url), post(workerd.url)]);
      expect(a.status).toBe(413);
      expect(JSON.parse(a.body).error.code).toBe("BODY_TOO_LARGE");
      expect(b).toEqual(a);
    });
  }

  test("both runtimes are still healthy after every hostile request", async () => {
    const answers = await both((base) => new Request(`${base}/healthz`));
    expect(answers.bun.status).toBe(200);
    expect(answers.workerd).toEqual(answers.bun);
  });
});

describe("the Worker with a bad var", () => {
  test("answers every request with a JSON 500 naming the variable", async () => {
    const workerd = await startWorkerd({ EVENT_STORE: "postgres" });
    try {
      const response = await fetch(`${workerd.url}/healthz`);
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("CONFIG");
      expect(body.error.message).toContain("EVENT_STORE=postgres");
    } finally {
      await workerd.stop();
    }
  }, 60_000); // workerd itself starts inside the test
});
