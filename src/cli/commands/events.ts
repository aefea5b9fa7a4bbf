import type { Command } from "commander";
import { positiveInt } from "../args.ts";
import { clientFor, globals } from "../context.ts";
import { addEventFilterOptions, type EventFilterFlags, eventParams } from "../event-filters.ts";
import { renderEvents, type StoredEvent } from "../event-table.ts";
import { note, printJson, printLine, progress } from "../output.ts";

export interface EventPage {
  events: StoredEvent[];
  nextCursor: string | null;
}

interface EventsFlags extends EventFilterFlags {
  errors?: boolean;
  limit: number;
  cursor?: string;
  all?: boolean;
  max: number;
}

export function registerEvents(program: Command): void {
  const command = program
    .command("events")
    .description("list stored (kept) events, newest first (GET /v1/events)")
    .option("--from <time>", "from this event time (ISO-8601 with a zone, or epoch ms), inclusive")
    .option("--to <time>", "up to this event time, exclusive")
    .option("-n, --limit <n>", "events per page, 1-200", positiveInt, 50)
    .option("--cursor <cursor>", "continue from a previous page's nextCursor")
    .option("--all", "follow every page (up to --max events)")
    .option("--max <n>", "with --all: stop after this many events", positiveInt, 10_000);
  addEventFilterOptions(command)
    .addHelpText(
      "after",
      "\nExamples:\n  wide-gate events --service payment --errors -n 20\n  wide-gate --json events --all --from 2026-11-26T00:00:00Z",
    )
    .action(async (flags: EventsFlags, cmd: Command) => {
      const client = clientFor(cmd);
      const { json } = globals(cmd);
      const events: StoredEvent[] = [];
      let cursor = flags.cursor;
      const bar = progress("events");
      do {
        const params = eventParams(flags, { limit: Math.min(flags.limit, 200), cursor });
        const page = await client.getJson<EventPage>(`/v1/events?${params}`);
        events.push(...page.events);
        cursor = page.nextCursor ?? undefined;
        bar.update(events.length);
      } while (flags.all && cursor && events.length < flags.max);
      bar.done();
      const shown = flags.all ? events.slice(0, flags.max) : events;
      if (json) return printJson({ events: shown, nextCursor: cursor ?? null });
      printLine(renderEvents(shown));
      note(`${shown.length} event(s)${cursor ? `; more with --cursor ${cursor}` : ""}`);
    });
}
