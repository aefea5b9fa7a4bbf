import { afterEach, expect, spyOn, test } from "bun:test";
import { connect } from "node:net";
import { parseConfig } from "../../src/config/schema.ts";
import type { EventSink } from "../../src/delivery/sink.ts";
import { createAdapters } from "../../src/factory/create-adapters.ts";
import { createApp } from "../../src/http/create-app.ts";
import { MetricsRegistry } from "../../src/metrics/registry.ts";

const sink: EventSink = { submit: () => ({ ok: true }), drain: async () => {} };
const spies: Array<{ mockRestore(): void }> = [];
afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

test("an upload the client abandons is one counted warning line, not an error dump", async () => {
  const config = parseConfig({ EVENT_STORE: "memory" });
  const metrics = new MetricsRegistry();
  const adapters = await createAdapters(config, { runtime: "bun" }, { metrics });
  const app = createApp({ config, adapters, sink, metrics });
  const errors = spyOn(console, "error").mockImplementation(() => {});
  const warnings = spyOn(console, "warn").mockImplementation(() => {});
  spies.push(errors, warnings);
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  try {
    const socket = connect(server.port as number, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{"service":');
    await Bun.sleep(50);
    socket.destroy();
    for (let i = 0; i < 100 && metrics.value("widegate_http_aborted_requests_total", { method: "POST" }) === 0; i++) await Bun.sleep(10);
    expect(metrics.value("widegate_http_aborted_requests_total", { method: "POST" })).toBe(1);
    expect(errors).not.toHaveBeenCalled();
    expect(warnings.mock.calls).toEqual([["request aborted by the client: POST /v1/events"]]);
  } finally {
    await server.stop(true);
  }
});
