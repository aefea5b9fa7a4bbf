import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashedKeyEntry } from "../../src/domain/hash/key-digest.ts";
import { AUTH, PARITY_ENV } from "../support/ingest-cases.ts";
import { type RunningServer, spawnServer } from "../support/spawn-server.ts";
import { type RunningWorker, startWorkerd } from "../support/workerd.ts";

/** Rate limits, OTLP limits and redaction answer the same on Bun and on workerd. */
describe("security behaviour on Bun and on workerd", () => {
  // A second key of the same tenant, configured only as its hash: a rotation in progress.
  const env = {
    ...PARITY_ENV,
    INGEST_API_KEYS: `${PARITY_ENV.INGEST_API_KEYS},${hashedKeyEntry("rotated-key-0123456789")}:acme`,
    RATE_LIMIT_INGEST: "3/1m",
  };
  let bun: RunningServer;
  let workerd: RunningWorker;

  beforeAll(async () => {
    [bun, workerd] = await Promise.all([spawnServer("edge/bun-server.ts", env), startWorkerd({ ...env, PUBLISHER: "discard" })]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([bun?.stop("SIGKILL"), workerd?.stop()]);
  });

  const otlp = (attributes: unknown[]) =>
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
          scopeLogs: [{ logRecords: [{ severityNumber: 17, attributes }] }],
        },
      ],
    });
  const post = (base: string, path: string, body: string) =>
    fetch(`${base}${path}?explain=1`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body });

  test("an OTLP attribute named __proto__ is rejected by index, identically", async () => {
    const body = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"__proto__","value":{"stringValue":"x"}}]}]}]}]}`;
    const [a, b] = await Promise.all([post(bun.url, "/v1/logs", body), post(workerd.url, "/v1/logs", body)]);
    const [ta, tb] = [await a.text(), await b.text()];
    expect(a.status).toBe(400);
    expect(JSON.parse(ta).rejected).toEqual([expect.objectContaining({ index: 0, code: "FORBIDDEN_KEY" })]);
    expect({ status: b.status, body: tb }).toEqual({ status: a.status, body: ta });
  });

  test("after 3 requests a key gets 429 RATE_LIMITED with Retry-After on both runtimes", async () => {
    // The test above took one token on each runtime.
    const body = otlp([{ key: "http.request.header.authorization", value: { stringValue: "Bearer abc" } }]);
    for (let i = 0; i < 2; i++) {
      const [a, b] = await Promise.all([post(bun.url, "/v1/logs", body), post(workerd.url, "/v1/logs", body)]);
      expect([a.status, b.status]).toEqual([202, 202]);
    }
    const [a, b] = await Promise.all([post(bun.url, "/v1/logs", body), post(workerd.url, "/v1/logs", body)]);
    expect([a.status, b.status]).toEqual([429, 429]);
    expect([a.headers.get("retry-after"), b.headers.get("retry-after")]).toEqual(["20", "20"]);
    expect((JSON.parse(await b.text()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
  });

  test("a key configured as sha256:<hex> is accepted in plain on both runtimes, beside the old key", async () => {
    const body = otlp([{ key: "http.route", value: { stringValue: "/rotated" } }]);
    const send = (base: string, key: string) =>
      fetch(`${base}/v1/logs?explain=1`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
      });
    const [a, b] = await Promise.all([send(bun.url, "rotated-key-0123456789"), send(workerd.url, "rotated-key-0123456789")]);
    expect([a.status, b.status]).toEqual([202, 202]);
  });

  test("the configured sha256:<hex> entry itself is refused as a key on both runtimes", async () => {
    const entry = hashedKeyEntry("rotated-key-0123456789");
    const body = otlp([]);
    const send = (base: string) =>
      fetch(`${base}/v1/logs`, { method: "POST", headers: { authorization: `Bearer ${entry}`, "content-type": "application/json" }, body });
    const [a, b] = await Promise.all([send(bun.url), send(workerd.url)]);
    expect([a.status, b.status]).toEqual([401, 401]);
  });

  test("GET /metrics without an operator key is 401 on both runtimes once ingest keys are set", async () => {
    const [a, b] = await Promise.all([fetch(`${bun.url}/metrics`, { headers: AUTH }), fetch(`${workerd.url}/metrics`, { headers: AUTH })]);
    expect([a.status, b.status]).toEqual([401, 401]);
  });
});
