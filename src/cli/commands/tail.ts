import type { Command } from "commander";
import { durationMs, positiveInt } from "../args.ts";
import type { GatewayClient } from "../client.ts";
import { clientFor, globals } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { addEventFilterOptions, type EventFilterFlags, eventParams } from "../event-filters.ts";
import { eventLine, type StoredEvent } from "../event-table.ts";
import { note, printJson, printLine } from "../output.ts";
import type { EventPage } from "./events.ts";

interface TailFlags extends EventFilterFlags {
  errors?: boolean;
  interval: number;
  lines: number;
  count?: number;
}

/** Pages read per poll before giving up on reaching already-seen events (a burst bigger than this is cut). */
const MAX_PAGES_PER_POLL = 10;
const PAGE = 200;
const SEEN_CAP = 50_000;

export function registerTail(program: Command): void {
  const command = program
    .command("tail")
    .description("follow new kept events as they are stored, by polling GET /v1/events")
    .option("-i, --interval <duration>", "poll interval (500ms, 2s, …)", durationMs, 1000)
    .option("-n, --lines <n>", "recent events to print first", (v) => (v === "0" ? 0 : positiveInt(v)), 10)
    .option("-c, --count <n>", "exit after this many new events (for scripts)", positiveInt);
  addEventFilterOptions(command)
    .addHelpText("after", "\nExamples:\n  wide-gate tail --service payment --errors\n  wide-gate --json tail -n 0 | jq .error")
    .action(async (flags: TailFlags, cmd: Command) => {
      const client = clientFor(cmd);
      const { json } = globals(cmd);
      const print = (e: StoredEvent) => (json ? printJson(e) : printLine(eventLine(e)));
      const seen = new SeenIds(SEEN_CAP);
      const first = await newestUnseen(client, flags, seen, true);
      for (const e of first.slice(-flags.lines)) print(e);
      note(`following ${client.base} every ${flags.interval} ms (Ctrl-C to stop)`);
      let printed = 0;
      let down = false;
      for (;;) {
        await Bun.sleep(flags.interval);
        let fresh: StoredEvent[];
        try {
          fresh = await newestUnseen(client, flags, seen, false);
          if (down) note("gateway reachable again");
          down = false;
        } catch (error) {
          // A restart of the gateway should not end a tail: say so once, keep polling.
          if (!(error instanceof CliError) || error.exitCode !== EXIT.connect) throw error;
          if (!down) note(`${error.message}; retrying`);
          down = true;
          continue;
        }
        for (const e of fresh) {
          print(e);
          printed++;
          if (flags.count !== undefined && printed >= flags.count) return;
        }
      }
    });
}

/** Newest pages until one holds an event seen before; returns the unseen ones oldest first and marks them seen. */
async function newestUnseen(client: GatewayClient, flags: TailFlags, seen: SeenIds, firstPoll: boolean): Promise<StoredEvent[]> {
  const fresh: StoredEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
    const answer = await client.getJson<EventPage>(`/v1/events?${eventParams(flags, { limit: PAGE, cursor })}`);
    let reachedSeen = false;
    for (const e of answer.events) {
      const id = e.eventId ?? JSON.stringify(e);
      if (seen.has(id)) reachedSeen = true;
      else fresh.push(e);
    }
    // The first poll only needs the newest page; later polls stop where they meet known events.
    if (reachedSeen || firstPoll || !answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  for (const e of fresh) seen.add(e.eventId ?? JSON.stringify(e));
  return fresh.reverse();
}

/** Insertion-ordered set that forgets its oldest ids past a cap, so a long tail has bounded memory. */
class SeenIds {
  private readonly ids = new Set<string>();
  constructor(private readonly cap: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.cap) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
