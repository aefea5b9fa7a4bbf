/**
 * bench:otlp — events/s through the three ingest doors of one Bun server, with the same events:
 * POST /v1/events (JSON array), POST /v1/logs (OTLP/JSON) and POST /v1/logs (OTLP protobuf).
 * Batches of 1000 events (~800 bytes each as wide events), grouped by service into resourceLogs
 * as an OpenTelemetry SDK batches them; sampling on. Rounds alternate between the doors (ABC, CBA, …)
 * so a neighbour slowing the machine for a while moves every door; each door's figure is its median.
 *
 *   npm run bench:otlp [-- seconds=24 rounds=3 concurrency=4 client=wrk|bun profile=/tmp/prof doors=events,json,protobuf warmup=30 threads=1]
 *
 * The server is edge/bun-server.ts with EVENT_STORE=memory PUBLISHER=memory BUFFER=memory. Load
 * comes from wrk when installed (a C client, leaving the second core to the server), else a Bun
 * fetch loop. Also printed: the server's CPU µs per event (from /proc), steadier than wall-clock
 * rates on a shared machine.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeEvent } from "./fixtures.ts";
import { cpuSeconds, startBenchServer, warmUntilJitSettles } from "./lib/bench-server.ts";
import { otlpLogsRequest, otlpProtobuf } from "./lib/otlp-bodies.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const SECONDS = Number(args.seconds ?? 24); // of load in total, split over doors and rounds
const ROUNDS = Number(args.rounds ?? 3);
const CONCURRENCY = Number(args.concurrency ?? 4);
const EVENTS = 1000;
const BODIES = 8; // distinct bodies, so ids (and sampling decisions) vary like real traffic

// --- The same events in three encodings ---------------------------------------------------------

type Json = Record<string, unknown>;
const batches = Array.from({ length: BODIES }, (_, b) => Array.from({ length: EVENTS }, (_, i) => makeEvent(b * EVENTS + i, 50)));
const otlpJson = batches.map((events: Json[]) => otlpLogsRequest(events));

interface Door {
  key: string;
  name: string;
  path: string;
  contentType: string;
  bodies: Uint8Array[];
}
const ALL_DOORS: Door[] = [
  {
    key: "events",
    name: "/v1/events JSON",
    path: "/v1/events",
    contentType: "application/json",
    bodies: batches.map((b) => new TextEncoder().encode(JSON.stringify(b))),
  },
  {
    key: "json",
    name: "/v1/logs OTLP/JSON",
    path: "/v1/logs",
    contentType: "application/json",
    bodies: otlpJson.map((b) => new TextEncoder().encode(JSON.stringify(b))),
  },
  {
    key: "protobuf",
    name: "/v1/logs OTLP protobuf",
    path: "/v1/logs",
    contentType: "application/x-protobuf",
    bodies: otlpJson.map(otlpProtobuf),
  },
];

// doors=protobuf (say) loads one door only, e.g. for a profile of it.
const DOORS = ALL_DOORS.filter((d) => (args.doors ?? "events,json,protobuf").split(",").includes(d.key));

// --- The server ---------------------------------------------------------------------------------

const HERE = resolve(import.meta.dir, "..");
const { url, proc } = await startBenchServer(
  HERE,
  { EVENT_STORE: "memory", PUBLISHER: "memory", BUFFER: "memory", SAMPLING_NORMAL_RATE: "0.05" },
  args.profile,
);

// Every door must map all 1000 events of a batch: a bench of rejections would measure nothing.
for (const door of DOORS) {
  const response = await fetch(`${url}${door.path}`, {
    method: "POST",
    headers: { "content-type": door.contentType },
    body: new Uint8Array(door.bodies[0] as Uint8Array),
  });
  const answer = (await response.json()) as { accepted?: number; kept?: number; rejected?: unknown[] };
  if (response.status !== 202 || answer.accepted !== EVENTS || answer.rejected?.length !== 0) {
    throw new Error(`${door.name}: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
  }
  const bytes = door.bodies.reduce((n, b) => n + b.byteLength, 0) / BODIES;
  console.log(`${door.name.padEnd(24)} body ${(bytes / 1024).toFixed(0)} KiB for ${EVENTS} events; kept ${answer.kept} of the first`);
}

// --- Load ---------------------------------------------------------------------------------------

interface Load {
  requests: number;
  failures: number;
  elapsed: number;
}
const useWrk = (args.client ?? (Bun.which("wrk") ? "wrk" : "bun")) === "wrk";

async function bunClients(door: Door, seconds: number): Promise<Load> {
  const load: Load = { requests: 0, failures: 0, elapsed: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, id) => {
      let i = id;
      while (performance.now() < until) {
        const response = await fetch(`${url}${door.path}`, {
          method: "POST",
          headers: { "content-type": door.contentType },
          body: new Uint8Array(door.bodies[i++ % BODIES] as Uint8Array),
        });
        await response.arrayBuffer();
        if (response.status === 202) load.requests++;
        else load.failures++;
      }
    }),
  );
  load.elapsed = (performance.now() - started) / 1000;
  return load;
}

const dir = mkdtempSync(join(tmpdir(), "widegate-bench-otlp-wrk-"));
const scripts = DOORS.map((door, d) => {
  door.bodies.forEach((body, i) => {
    writeFileSync(join(dir, `door-${d}-${i}.bin`), body);
  });
  const script = join(dir, `door-${d}.lua`);
  writeFileSync(
    script,
    `local bodies = {}
for i = 0, ${BODIES - 1} do local f = io.open("${dir}/door-${d}-" .. i .. ".bin", "rb"); bodies[i + 1] = f:read("*a"); f:close() end
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "${door.path}", { ["Content-Type"] = "${door.contentType}" }, bodies[n])
end
`,
  );
  return script;
});

function wrkClient(door: Door, seconds: number): Load {
  const script = scripts[DOORS.indexOf(door)] as string;
  const run = Bun.spawnSync(["wrk", "-t1", `-c${CONCURRENCY}`, `-d${seconds}s`, "-s", script, `${url}${door.path}`]);
  const out = run.stdout.toString();
  const total = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const failures = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  return { requests: total - failures, failures, elapsed: Number(out.match(/requests in ([\d.]+)s/)?.[1] ?? seconds) };
}

const drive = (door: Door, seconds: number): Load | Promise<Load> => (useWrk ? wrkClient(door, seconds) : bunClients(door, seconds));
// Each door's code is compiled separately: warm each until the JIT settles (as bench:ingest does).
const WARMUP = Number(args.warmup ?? 30);
const warmedFor: number[] = [];
for (const door of DOORS) warmedFor.push(await warmUntilJitSettles(proc.pid, (seconds) => drive(door, seconds), WARMUP));

/**
 * CPU seconds so far per kind of server thread: the JS thread (task id = pid) apart, the others by
 * name without their trailing number (JSC's HeapHelper = GC marking, JITWorker, Bun's pools…).
 * Threads that exited in between are lost, which is why only the per-door totals are compared.
 */
function threadCpu(pid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byKind;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
      const kind =
        task === String(pid)
          ? "JS thread"
          : readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8")
              .trim()
              .replace(/[\s#-]*\d+$/, "");
      byKind.set(kind, (byKind.get(kind) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // the thread exited between readdir and read
    }
  }
  return byKind;
}

const perRound = Math.max(1, Math.round(SECONDS / ROUNDS / DOORS.length));
const rates = new Map<Door, number[]>(DOORS.map((d) => [d, []]));
const cpuPerEvent = new Map<Door, number[]>(DOORS.map((d) => [d, []]));
// threads=1: the server's CPU per event split by thread kind, summed over the rounds.
const THREADS = args.threads === "1";
const threadTotals = new Map<Door, { events: number; byKind: Map<string, number> }>(
  DOORS.map((d) => [d, { events: 0, byKind: new Map() }]),
);
let failures = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const door of r % 2 === 0 ? DOORS : [...DOORS].reverse()) {
    const before = THREADS ? threadCpu(proc.pid) : undefined;
    const cpu = cpuSeconds(proc.pid);
    const load = await drive(door, perRound);
    const used = cpuSeconds(proc.pid) - cpu;
    const events = load.requests * EVENTS;
    if (before !== undefined) {
      const total = threadTotals.get(door) as { events: number; byKind: Map<string, number> };
      total.events += events;
      for (const [kind, seconds] of threadCpu(proc.pid))
        total.byKind.set(kind, (total.byKind.get(kind) ?? 0) + seconds - (before.get(kind) ?? 0));
    }
    failures += load.failures;
    rates.get(door)?.push(events / load.elapsed);
    cpuPerEvent.get(door)?.push((used * 1e6) / events);
    console.log(`round ${r + 1} ${door.name.padEnd(24)} ${Math.round(events / load.elapsed).toLocaleString("en")} events/s`);
  }
}
proc.kill("SIGTERM");
await proc.exited;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const eventsDoor = ALL_DOORS[0] as Door;
const events = median(rates.get(eventsDoor) ?? []);
console.log(
  `\nbench:otlp — ${EVENTS} events per request, ${ROUNDS} rounds of ${perRound} s per door, ${CONCURRENCY} connections, client ${useWrk ? "wrk" : "bun"}, ${failures} failed requests; warmed ${DOORS.map((d, i) => `${d.name} ${warmedFor[i]} s`).join(", ")} (until JIT compiling < 2%, at most ${WARMUP} s)`,
);
for (const door of DOORS) {
  const rate = median(rates.get(door) ?? []);
  const ratio = door === eventsDoor || !DOORS.includes(eventsDoor) ? "" : `  ${((rate / events) * 100).toFixed(0)}% of /v1/events`;
  const cpu = median(cpuPerEvent.get(door) ?? []);
  console.log(
    `${door.name.padEnd(24)} ${Math.round(rate).toLocaleString("en").padStart(9)} events/s  ${cpu.toFixed(1)} server CPU µs/event${ratio}`,
  );
}
if (THREADS) {
  console.log("\nserver CPU µs/event by thread kind (all rounds):");
  for (const door of DOORS) {
    const { events: n, byKind } = threadTotals.get(door) as { events: number; byKind: Map<string, number> };
    const parts = [...byKind].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
    console.log(`${door.name.padEnd(24)} ${parts.map(([kind, s]) => `${kind} ${((s * 1e6) / n).toFixed(1)}`).join(", ")}`);
  }
}
