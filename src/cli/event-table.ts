import { type Cell, renderTable } from "./output.ts";

/** A stored event as GET /v1/events returns it (only the columns shown here are typed). */
export interface StoredEvent {
  eventId?: string;
  timestamp?: string;
  receivedAt?: string;
  service?: string;
  method?: string;
  route?: string;
  statusCode?: number;
  durationMs?: number;
  error?: { code?: string; message?: string };
  message?: string;
  sampling?: { reason?: string; rate?: number };
  [key: string]: unknown;
}

const HEAD = ["time", "service", "method", "route", "status", "ms", "error", "eventId"];

function row(e: StoredEvent): Cell[] {
  const error = e.error ? (e.error.code ?? e.error.message ?? "error") : null;
  return [e.timestamp ?? e.receivedAt, e.service, e.method, e.route, e.statusCode, e.durationMs, error, e.eventId];
}

export function renderEvents(events: readonly StoredEvent[]): string {
  return renderTable(HEAD, events.map(row));
}

/** One line per event, for `tail`: no table frame, so lines can stream as they come. */
export function eventLine(e: StoredEvent): string {
  return row(e)
    .map((cell) => (cell === null || cell === undefined ? "-" : String(cell)))
    .join("  ");
}
