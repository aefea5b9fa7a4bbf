/**
 * bench:ingest — events/s through POST /v1/events on Bun (the real server, over loopback HTTP),
 * against the same run's ceiling: in-process JSON.parse + JSON.stringify of the same bytes.
 * Also the sampler's cost per event. Batches of 1000 events of ~800 bytes, sampling on.
 *
 *   npm run bench:ingest [-- seconds=10 concurrency=4 client=wrk|bun profile=/tmp/prof publisher=memory|file store=memory|embedded]
 *
 * The load comes from wrk when it is installed (apt-get install wrk: a C client, so nearly all of the
 * second core is left to the server), else from a Bun fetch loop.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createSampler } from "../src/domain/sampling/sampler.ts";
import { makeBatch } from "./fixtures.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const SECONDS = Number(args.seconds ?? 10);
const CONCURRENCY = Number(args.concurrency ?? 4);
const EVENTS = 1000;
const BODIES = 16; // distinct bodies, so ids (and sampling decisions) vary like real traffic
const bodies = Array.from({ length: BODIES }, (_, b) => makeBatch(EVENTS, b * EVENTS, 50));
const bytes = bodies[0]?.length ?? 0;
// The client sends bytes encoded once, so its own CPU share stays small on a 2-core machine.
const encoded = bodies.map((b) => new TextEncoder().encode(b));

function timeLoop(seconds: number, body: (i: number) => void): number {
  for (let i = 0; i < 20; i++) body(i); // warm up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) body(n++);
  return n / ((performance.now() - start) / 1000);
}

// 1. Ceiling: parse + stringify of the same bytes, in process. Measured again after the gateway run
// (the server stopped by then) and averaged, so a neighbour slowing the VM mid-run moves both sides.
let keep: unknown;
const ceiling = () =>
  timeLoop(3, (i) => {
    keep = JSON.stringify(JSON.parse(bodies[i % BODIES] as string));
  });
const ceilingBefore = ceiling();

// 2. Sampling cost alone, on the parsed events.
const sampler = createSampler({
  normalRate: 0.05,
  slowMs: 2000,
  criticalRoutes: ["/api/checkout/confirm", "/api/admin/**"],
  rules: [{ name: "drop-health", rate: 0, when: [{ field: "route", op: "eq", value: "/health" }] }],
});
const parsed = bodies.map((b) => JSON.parse(b) as Record<string, unknown>[]);
const samplesPerSec = timeLoop(2, (i) => {
  for (const event of parsed[i % BODIES] as Record<string, unknown>[]) keep = sampler.decide(event);
});
const samplingNs = 1e9 / (samplesPerSec * EVENTS);

// 3. The gateway on Bun, over HTTP.
// profile=DIR writes the server's CPU profile (markdown) there on exit.
const profile = args.profile ? ["--cpu-prof-md", `--cpu-prof-dir=${args.profile}`] : [];
const server = Bun.spawn([process.execPath, ...profile, resolve(import.meta.dir, "../worker/server.ts")], {
  env: {
    PATH: process.env.PATH ?? "",
    PORT: "0",
    HOST: "127.0.0.1",
    EVENT_STORE: args.store ?? "memory",
    PUBLISHER: args.publisher ?? "memory",
    DATA_DIR: mkdtempSync(join(tmpdir(), "widegate-bench-data-")),
    SAMPLING_NORMAL_RATE: "0.05",
  },
  stdout: "pipe",
  stderr: "inherit",
});
let url = "";
const reader = server.stdout.getReader();
let printed = "";
while (!url) {
  const { value, done } = await reader.read();
  if (done) throw new Error(`server exited: ${printed}`);
  printed += new TextDecoder().decode(value);
  url = printed.match(/listening on (http:\/\/\S+)/)?.[1] ?? "";
}

let requests = 0;
let failures = 0;
let kept = 0;
let elapsed = 0;
const useWrk = (args.client ?? (Bun.which("wrk") ? "wrk" : "bun")) === "wrk";

async function client(id: number, until: number) {
  let i = id;
  while (performance.now() < until) {
    const response = await fetch(`${url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: encoded[i++ % BODIES],
    });
    const answer = (await response.json()) as { kept?: number };
    if (response.status === 202) {
      requests++;
      kept += answer.kept ?? 0;
    } else failures++;
  }
}

if (useWrk) {
  const dir = mkdtempSync(join(tmpdir(), "widegate-bench-"));
  for (const [i, body] of bodies.entries()) writeFileSync(join(dir, `body-${i}.json`), body);
  writeFileSync(
    join(dir, "post.lua"),
    `local bodies = {}
for i = 0, ${BODIES - 1} do local f = io.open("${dir}/body-" .. i .. ".json", "rb"); bodies[i + 1] = f:read("*a"); f:close() end
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "/v1/events", { ["Content-Type"] = "application/json" }, bodies[n])
end
`,
  );
  const wrk = (seconds: number) => {
    const proc = Bun.spawnSync(["wrk", "-t1", `-c${CONCURRENCY}`, `-d${seconds}s`, "-s", join(dir, "post.lua"), `${url}/v1/events`]);
    return proc.stdout.toString();
  };
  wrk(1); // warm up
  const out = wrk(SECONDS);
  const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  failures = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  requests = total - failures;
  elapsed = Number(out.match(/requests in ([\d.]+)s/)?.[1] ?? SECONDS);
  kept = Number.NaN;
} else {
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => client(c, performance.now() + 1000))); // warm up
  requests = failures = kept = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => client(c, started + SECONDS * 1000)));
  elapsed = (performance.now() - started) / 1000;
}
server.kill("SIGTERM");
await server.exited;

const gatewayEventsPerSec = (requests * EVENTS) / elapsed;
const ceilingAfter = ceiling();
const ceilingEventsPerSec = ((ceilingBefore + ceilingAfter) / 2) * EVENTS;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `bench:ingest — Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${EVENTS} events/request, ${Math.round(bytes / EVENTS)} bytes/event`,
);
console.log(
  `  ceiling  JSON.parse+JSON.stringify, in process   ${fmt(ceilingEventsPerSec).padStart(10)} events/s  (before ${fmt(ceilingBefore * EVENTS)}, after ${fmt(ceilingAfter * EVENTS)})`,
);
console.log(
  `${`  gateway  POST /v1/events, ${useWrk ? "wrk" : "bun fetch"} c=${CONCURRENCY} ${SECONDS}s`.padEnd(50)}${fmt(gatewayEventsPerSec).padStart(10)} events/s  = ${((100 * gatewayEventsPerSec) / ceilingEventsPerSec).toFixed(1)}% of ceiling (target ≥ 50%)`,
);
console.log(
  `           ${requests} requests answered 202, ${failures} other${Number.isNaN(kept) ? "" : `, ${((100 * kept) / (requests * EVENTS || 1)).toFixed(1)}% of events kept`}`,
);
console.log(`  sampler  decide() per event                      ${samplingNs.toFixed(0).padStart(10)} ns (target < 300 ns)`);
void keep;
