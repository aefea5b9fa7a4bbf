/**
 * bench:ingest — events/s through POST /v1/events on Bun (the real server, over loopback HTTP),
 * against the same run's ceiling: in-process JSON.parse + JSON.stringify of the same bytes.
 * Also the sampler's cost per event. Batches of 1000 events of ~800 bytes, sampling on.
 *
 *   npm run bench:ingest [-- seconds=12 rounds=3 concurrency=4 client=wrk|bun warmup=30 profile=/tmp/prof publisher=memory|file|kafka store=memory|embedded]
 *   npm run bench:ingest -- base=/tmp/base [rounds=5]   # A/B: this tree and another checkout (git worktree add /tmp/base <commit>)
 *   npm run bench:ingest -- buffer=ab [rounds=5]        # A/B: this tree with BUFFER=disk (the default) and BUFFER=memory
 *   npm run bench:ingest -- format=otlp                 # the same events as OTLP/HTTP JSON logs to POST /v1/logs
 *   npm run bench:ingest -- format=otlp-proto           # … and as OTLP/HTTP protobuf
 *
 * format=otlp and otlp-proto send each batch as one ExportLogsServiceRequest (a resource per
 * service, as a Collector groups them; the event's fields as record attributes; bench/lib/otlp-bodies.ts);
 * the ceiling stays the wide-event JSON of the same events, so the ratio of a json run and an otlp
 * run compares the doors.
 *
 * With base=DIR, the server of DIR (its edge/bun-server.ts, this tree's node_modules) runs beside
 * this tree's, and load rounds alternate between the two (this, base, base, this, …), each compared
 * with the ceilings measured either side of it; each side's figure is its median round.
 *
 * Before the rounds each server is warmed by the same load until its JIT has settled: 2 s slices until
 * one spends under 2 % of its time in JSC's compiler threads (at least 4 s, at most warmup=N seconds,
 * default 30), the same rule for every side of an A/B. Bun's JIT keeps compiling the per-request code
 * for 10 s and more at ~70 requests/s, so a short warm-up made the early rounds slower on every side
 * and an A/B depend on its order. The header line says how long each server was warmed.
 *
 * The load comes from wrk when it is installed (apt-get install wrk: a C client, so nearly all of the
 * second core is left to the server), else from a Bun fetch loop.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createSampler } from "../src/domain/sampling/sampler.ts";
import { makeBatch } from "./fixtures.ts";
import { cpuSeconds, startBenchServer, warmUntilJitSettles } from "./lib/bench-server.ts";
import { otlpLogsRequest, otlpProtobuf } from "./lib/otlp-bodies.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const SECONDS = Number(args.seconds ?? 12); // of load in total, split over the rounds
const CONCURRENCY = Number(args.concurrency ?? 4);
const EVENTS = 1000;
const BODIES = 16; // distinct bodies, so ids (and sampling decisions) vary like real traffic
const bodies = Array.from({ length: BODIES }, (_, b) => makeBatch(EVENTS, b * EVENTS, 50));
const FORMAT = args.format ?? "json";
if (FORMAT !== "json" && FORMAT !== "otlp" && FORMAT !== "otlp-proto") throw new Error(`format: json, otlp or otlp-proto (got ${FORMAT})`);
const OTLP = FORMAT !== "json";
const INGEST_PATH = OTLP ? "/v1/logs" : "/v1/events";
const CONTENT_TYPE = FORMAT === "otlp-proto" ? "application/x-protobuf" : "application/json";
// The client sends bytes encoded once, so its own CPU share stays small on a 2-core machine.
const encoded: Uint8Array[] = bodies.map((body) => {
  if (!OTLP) return new TextEncoder().encode(body);
  const request = otlpLogsRequest(JSON.parse(body) as Record<string, unknown>[]);
  return FORMAT === "otlp" ? new TextEncoder().encode(JSON.stringify(request)) : otlpProtobuf(request);
});
const bytes = encoded[0]?.byteLength ?? 0;

function timeLoop(seconds: number, body: (i: number) => void): number {
  for (let i = 0; i < 20; i++) body(i); // warm up
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) body(n++);
  return n / ((performance.now() - start) / 1000);
}

// 1. Ceiling: parse + stringify of the same bytes, in process (bodies/s), measured between load rounds.
// Also its CPU time per body: on a machine shared with other work, CPU time per event moves less than
// wall-clock rates, so each round also compares the server's CPU µs per event with the ceiling's.
let keep: unknown;
let ceilingCpuUs: number[] = [];
const ceiling = () => {
  const cpu = process.cpuUsage();
  let bodiesDone = 0;
  const rate = timeLoop(2, (i) => {
    keep = JSON.stringify(JSON.parse(bodies[i % BODIES] as string));
    bodiesDone++;
  });
  const used = process.cpuUsage(cpu);
  ceilingCpuUs.push((used.user + used.system) / bodiesDone / EVENTS);
  return rate;
};

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

// 3. The gateway on Bun, over HTTP: this tree's server and, with base=DIR, the other tree's.
// profile=DIR writes each server's CPU profile (markdown) there on exit.
interface Server {
  name: string;
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
}
async function startServer(name: string, root: string, env: Record<string, string> = {}): Promise<Server> {
  const vars = { EVENT_STORE: args.store ?? "memory", PUBLISHER: args.publisher ?? "memory", SAMPLING_NORMAL_RATE: "0.05", ...env };
  const { url, proc } = await startBenchServer(root, vars, args.profile ? join(args.profile, name) : undefined);
  return { name, url, proc };
}
const BASE = args.base ? resolve(args.base) : undefined;
const HERE = resolve(import.meta.dir, "..");
// buffer=ab: the disk write-ahead buffer (fsync before each 202, group commit) against the in-memory batcher.
const BUFFER_AB = args.buffer === "ab";
const servers = BUFFER_AB
  ? [await startServer("disk", HERE, { BUFFER: "disk" }), await startServer("memory", HERE, { BUFFER: "memory" })]
  : [await startServer("current", HERE, args.buffer ? { BUFFER: args.buffer } : {})];
if (BASE && !BUFFER_AB) servers.push(await startServer("base", BASE));
const AB = servers.length > 1;

interface Load {
  requests: number;
  failures: number;
  kept: number;
  elapsed: number;
}
const useWrk = (args.client ?? (Bun.which("wrk") ? "wrk" : "bun")) === "wrk";

async function bunClients(url: string, seconds: number): Promise<Load> {
  const load: Load = { requests: 0, failures: 0, kept: 0, elapsed: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, id) => {
      let i = id;
      while (performance.now() < until) {
        const response = await fetch(`${url}${INGEST_PATH}`, {
          method: "POST",
          headers: { "content-type": CONTENT_TYPE },
          body: new Uint8Array(encoded[i++ % BODIES] as Uint8Array),
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

function wrkClient(): (url: string, seconds: number) => Load {
  const dir = mkdtempSync(join(tmpdir(), "widegate-bench-"));
  for (const [i, body] of encoded.entries()) writeFileSync(join(dir, `body-${i}.bin`), body);
  writeFileSync(
    join(dir, "post.lua"),
    `local bodies = {}
for i = 0, ${BODIES - 1} do local f = io.open("${dir}/body-" .. i .. ".bin", "rb"); bodies[i + 1] = f:read("*a"); f:close() end
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "${INGEST_PATH}", { ["Content-Type"] = "${CONTENT_TYPE}" }, bodies[n])
end
`,
  );
  return (url, seconds) => {
    const proc = Bun.spawnSync(["wrk", "-t1", `-c${CONCURRENCY}`, `-d${seconds}s`, "-s", join(dir, "post.lua"), `${url}${INGEST_PATH}`]);
    const out = proc.stdout.toString();
    const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
    const failures = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
    return { requests: total - failures, failures, kept: Number.NaN, elapsed: Number(out.match(/requests in ([\d.]+)s/)?.[1] ?? seconds) };
  };
}

const drive: (url: string, seconds: number) => Load | Promise<Load> = useWrk ? wrkClient() : bunClients;
// Warm each server alike until its JIT has settled (see the header), so rounds measure the steady state.
const WARMUP = Number(args.warmup ?? 30);
const warmedFor: number[] = [];
for (const server of servers) warmedFor.push(await warmUntilJitSettles(server.proc.pid, (seconds) => drive(server.url, seconds), WARMUP));

// 4. Rounds: ceiling, gateway, ceiling, gateway, …, ceiling. Each gateway segment is compared with the
// mean of the ceilings either side of it (the servers idle meanwhile), so a neighbour that slows
// the VM for a while moves both sides of a ratio; the median round is the figure. With base=DIR
// the rounds alternate between the servers in ABBA order, ROUNDS rounds for each.
const ROUNDS = Number(args.rounds ?? 3);
const order: Server[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const pair = r % 2 === 0 ? servers : [...servers].reverse();
  order.push(...pair);
}
ceilingCpuUs = [];
const ceilings = [ceiling()];
const rounds: Array<Load & { server: string; ceiling: number; ratio: number; cpuUs: number; cpuRatio: number }> = [];
for (const [i, server] of order.entries()) {
  const cpuBefore = cpuSeconds(server.proc.pid);
  const load = await drive(server.url, SECONDS / ROUNDS);
  await Bun.sleep(200); // let the server finish what it accepted (the embedded consumer's writes) before reading its CPU
  const cpuUs = ((cpuSeconds(server.proc.pid) - cpuBefore) * 1e6) / (load.requests * EVENTS);
  ceilings.push(ceiling());
  const ceilingPerSec = (((ceilings[i] as number) + (ceilings[i + 1] as number)) / 2) * EVENTS;
  const ceilingCpu = ((ceilingCpuUs[i] as number) + (ceilingCpuUs[i + 1] as number)) / 2;
  rounds.push({
    ...load,
    server: server.name,
    ceiling: ceilingPerSec,
    ratio: (load.requests * EVENTS) / load.elapsed / ceilingPerSec,
    cpuUs,
    cpuRatio: ceilingCpu / cpuUs,
  });
}
for (const server of servers) server.proc.kill("SIGTERM");
await Promise.all(servers.map((s) => s.proc.exited));

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  `bench:ingest — Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores, ${EVENTS} events/request as ${FORMAT === "otlp" ? "OTLP JSON logs" : FORMAT === "otlp-proto" ? "OTLP protobuf logs" : "JSON"}, ${Math.round(bytes / EVENTS)} bytes/event, ${useWrk ? "wrk" : "bun fetch"} c=${CONCURRENCY}; warmed ${servers.map((s, i) => `${AB ? `${s.name} ` : ""}${warmedFor[i]} s`).join(", ")} (until JIT compiling < 2%, at most ${WARMUP} s)`,
);
for (const [i, round] of rounds.entries()) {
  const gateway = (round.requests * EVENTS) / round.elapsed;
  const keptShare = Number.isNaN(round.kept) ? "" : `, ${((100 * round.kept) / (round.requests * EVENTS || 1)).toFixed(1)}% kept`;
  console.log(
    `  round ${i + 1}${AB ? ` ${round.server.padEnd(7)}` : ""}  gateway ${fmt(gateway).padStart(9)} events/s over ${round.elapsed.toFixed(1)} s (${round.requests} × 202, ${round.failures} other${keptShare}); ceiling ${fmt(round.ceiling).padStart(9)} events/s  → ${pct(round.ratio)}; server CPU ${round.cpuUs.toFixed(2)} µs/event → ${pct(round.cpuRatio)} of the ceiling's CPU rate`,
  );
}
for (const server of servers) {
  const own = rounds.filter((r) => r.server === server.name).sort((a, b) => a.ratio - b.ratio);
  const median = own[Math.floor(own.length / 2)] as (typeof rounds)[number];
  const label = server.name === "base" ? `base (${BASE})` : BUFFER_AB ? `BUFFER=${server.name}` : "current";
  console.log(
    `  gateway  ${AB ? `${label}: ` : ""}POST ${INGEST_PATH}, median of ${own.length} rounds: ${fmt((median.requests * EVENTS) / median.elapsed)} events/s = ${pct(median.ratio)} of the JSON.parse+JSON.stringify ceiling (rounds ${own.map((r) => pct(r.ratio)).join(", ")}; target ≥ 60%)`,
  );
  const cpu = [...own].sort((a, b) => a.cpuRatio - b.cpuRatio);
  const cpuMedian = cpu[Math.floor(cpu.length / 2)] as (typeof rounds)[number];
  console.log(
    `           by CPU time: median ${cpuMedian.cpuUs.toFixed(2)} µs/event in the server = ${pct(cpuMedian.cpuRatio)} of the ceiling's rate per CPU second (rounds ${cpu.map((r) => pct(r.cpuRatio)).join(", ")})`,
  );
}
console.log(`  sampler  decide() per event ${samplingNs.toFixed(0).padStart(6)} ns (target < 300 ns)`);
void keep;
