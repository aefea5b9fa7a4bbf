/**
 * bench:ingest — events/s through POST /v1/events on Bun (the real server, over loopback HTTP),
 * against the same run's ceiling: in-process JSON.parse + JSON.stringify of the same bytes.
 * Also the sampler's cost per event. Batches of 1000 events of ~800 bytes, sampling on.
 *
 *   npm run bench:ingest [-- seconds=12 rounds=3 concurrency=4 client=wrk|bun profile=/tmp/prof publisher=memory|file|kafka store=memory|embedded]
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
const SECONDS = Number(args.seconds ?? 12); // of load in total, split over the rounds
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

// 1. Ceiling: parse + stringify of the same bytes, in process (bodies/s), measured between load rounds.
let keep: unknown;
const ceiling = () =>
  timeLoop(2, (i) => {
    keep = JSON.stringify(JSON.parse(bodies[i % BODIES] as string));
  });

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
const server = Bun.spawn([process.execPath, ...profile, resolve(import.meta.dir, "../edge/bun-server.ts")], {
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

interface Load {
  requests: number;
  failures: number;
  kept: number;
  elapsed: number;
}
const useWrk = (args.client ?? (Bun.which("wrk") ? "wrk" : "bun")) === "wrk";

async function bunClients(seconds: number): Promise<Load> {
  const load: Load = { requests: 0, failures: 0, kept: 0, elapsed: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, id) => {
      let i = id;
      while (performance.now() < until) {
        const response = await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: encoded[i++ % BODIES],
        });
        const answer = (await response.json()) as { kept?: number };
        if (response.status === 202) {
          load.requests++;
          load.kept += answer.kept ?? 0;
        } else load.failures++;
      }
    }),
  );
  load.elapsed = (performance.now() - started) / 1000;
  return load;
}

function wrkClient(): (seconds: number) => Load {
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
  return (seconds) => {
    const proc = Bun.spawnSync(["wrk", "-t1", `-c${CONCURRENCY}`, `-d${seconds}s`, "-s", join(dir, "post.lua"), `${url}/v1/events`]);
    const out = proc.stdout.toString();
    const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
    const failures = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
    return { requests: total - failures, failures, kept: Number.NaN, elapsed: Number(out.match(/requests in ([\d.]+)s/)?.[1] ?? seconds) };
  };
}

const drive: (seconds: number) => Load | Promise<Load> = useWrk ? wrkClient() : bunClients;
await drive(1); // warm up

// 4. Rounds: ceiling, gateway, ceiling, gateway, …, ceiling. Each gateway segment is compared with the
// mean of the ceilings either side of it (the server idles meanwhile), so a neighbour that slows
// the VM for a while moves both sides of a ratio; the median round is the figure.
const ROUNDS = Number(args.rounds ?? 3);
const ceilings = [ceiling()];
const rounds: Array<Load & { ceiling: number; ratio: number }> = [];
for (let r = 0; r < ROUNDS; r++) {
  const load = await drive(SECONDS / ROUNDS);
  ceilings.push(ceiling());
  const ceilingPerSec = (((ceilings[r] as number) + (ceilings[r + 1] as number)) / 2) * EVENTS;
  rounds.push({ ...load, ceiling: ceilingPerSec, ratio: (load.requests * EVENTS) / load.elapsed / ceilingPerSec });
}
server.kill("SIGTERM");
await server.exited;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `bench:ingest — Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${EVENTS} events/request, ${Math.round(bytes / EVENTS)} bytes/event, ${useWrk ? "wrk" : "bun fetch"} c=${CONCURRENCY}`,
);
for (const [i, round] of rounds.entries()) {
  const gateway = (round.requests * EVENTS) / round.elapsed;
  const keptShare = Number.isNaN(round.kept) ? "" : `, ${((100 * round.kept) / (round.requests * EVENTS || 1)).toFixed(1)}% kept`;
  console.log(
    `  round ${i + 1}  gateway ${fmt(gateway).padStart(9)} events/s over ${round.elapsed.toFixed(1)} s (${round.requests} × 202, ${round.failures} other${keptShare}); ceiling ${fmt(round.ceiling).padStart(9)} events/s  → ${pct(round.ratio)}`,
  );
}
const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)] as (typeof rounds)[number];
console.log(
  `  gateway  POST /v1/events, median round: ${fmt((median.requests * EVENTS) / median.elapsed)} events/s = ${pct(median.ratio)} of the JSON.parse+JSON.stringify ceiling (target ≥ 50%)`,
);
console.log(`  sampler  decide() per event ${samplingNs.toFixed(0).padStart(6)} ns (target < 300 ns)`);
void keep;
