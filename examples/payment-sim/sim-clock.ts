import type { Clock } from "wide-gate/sdk";

/**
 * Simulated time. `virtual`: a step's latency advances the request's own clock instead of
 * sleeping, so 100,000 requests with 2-second provider timeouts run in seconds and the events
 * still carry those durations; the wall time comes from `x-sim-at` (epoch ms) when the driver
 * replays a past hour. `real`: the handler really waits and the system clock measures it.
 */
export type LatencyMode = "virtual" | "real";

export interface SimClock extends Clock {
  /** Lets `ms` of simulated time pass for this request. */
  wait(ms: number): Promise<void>;
}

export const SIM_AT_HEADER = "x-sim-at";

export function simClock(mode: LatencyMode, request: Request): SimClock {
  if (mode === "real") {
    return { wall: () => Date.now(), now: () => performance.now(), wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
  }
  const given = Number(request.headers.get(SIM_AT_HEADER));
  const start = Number.isFinite(given) && given > 0 ? given : Date.now();
  let elapsed = 0;
  return {
    wall: () => start + elapsed,
    now: () => elapsed,
    wait: async (ms) => {
      elapsed += ms;
    },
  };
}

/** The clock a context was built with, as the sim made it. */
export const isSimClock = (clock: Clock): clock is SimClock => typeof (clock as Partial<SimClock>).wait === "function";
