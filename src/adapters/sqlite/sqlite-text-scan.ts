// Bun-only: bun:sqlite. The `q` (substring) search of the embedded store, bounded and cooperative.
import type { Database } from "bun:sqlite";
import { type EventFilter, encodeCursor } from "../../domain/query/event-filter.ts";
import type { EventPage } from "../../ports/event-store.ts";
import { type Params, searchSql } from "./sqlite-sql.ts";

export interface TextScanOptions {
  /** Rows examined per statement; the event loop runs other requests between chunks. */
  chunkRows?: number;
  /** Rows examined per request at most; past it the page is returned partial, with a cursor and a warning. */
  maxRows?: number;
  /** Milliseconds all scans together may run per event-loop turn (TURN_BUDGET_MS). */
  turnBudgetMs?: number;
}

export const TEXT_SCAN_DEFAULTS = { chunkRows: 200, maxRows: 50_000 } as const;

/**
 * Time all running scans may take together in one event-loop turn. Yielding per chunk alone is
 * not enough: the continuations of every scan run in the same turn, so 30 scans put 30 chunks
 * between two I/O polls. With a shared budget a turn runs chunks (one per scan, round robin) only
 * until the budget is spent; the other scans wait for the next turn, after health checks and
 * ingest had theirs. So the wait a request sees is about this budget plus one chunk, whatever the
 * number of scans.
 */
export const TURN_BUDGET_MS = 2;

let turnOpen = false;
let turnStart = 0;

function closeTurn(): void {
  turnOpen = false;
}

/** Resolves in a later event-loop turn, once this turn's scanning budget allows another chunk. */
function yieldToEventLoop(budgetMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const go = () => {
      const now = performance.now();
      if (!turnOpen) {
        // Queued now, it runs at the start of the next turn's immediates, before the scans deferred below.
        turnOpen = true;
        turnStart = now;
        setImmediate(closeTurn);
        resolve(); // the turn's first chunk always runs: every turn makes progress, whatever the budget
      } else if (now - turnStart >= budgetMs) setImmediate(go);
      else resolve();
    };
    setImmediate(go);
  });
}

/**
 * A `q` search has no index: it reads the tenant's rows newest first and tests each one's text. Done
 * in one statement it blocks the process for as long as the tenant has rows (0.34 s at 230k), and 30
 * at once starve health checks and other tenants' ingest. Here it walks the same order in chunks
 * (the cursor of the last row examined starts the next chunk), yields between them, and stops after
 * `maxRows`, answering what it found with the cursor to go on from and a SCAN_LIMIT warning.
 */
export async function textScan(db: Database, search: EventFilter, tenant: string, options: TextScanOptions = {}): Promise<EventPage> {
  const chunkRows = options.chunkRows ?? TEXT_SCAN_DEFAULTS.chunkRows;
  const maxRows = options.maxRows ?? TEXT_SCAN_DEFAULTS.maxRows;
  const budgetMs = options.turnBudgetMs ?? TURN_BUDGET_MS;
  const hits: Array<{ ts: number; id: string; doc: string }> = [];
  let cursor = search.cursor;
  let scanned = 0;
  for (;;) {
    const asked = Math.min(chunkRows, maxRows - scanned);
    const { sql, params } = chunkSql({ ...search, ...(cursor ? { cursor } : {}) }, tenant, asked);
    const rows = db.query<{ ts: number; id: string; doc: string | null }, [Params]>(sql).all(params);
    scanned += rows.length;
    for (const row of rows) {
      if (row.doc === null) continue;
      hits.push({ ts: row.ts, id: row.id, doc: row.doc });
      if (hits.length > search.limit) break;
    }
    const last = rows[rows.length - 1];
    if (hits.length > search.limit || last === undefined || rows.length < asked) break;
    cursor = encodeCursor({ ts: last.ts, id: last.id });
    if (scanned >= maxRows) {
      return {
        events: hits.map((h) => JSON.parse(h.doc) as Record<string, unknown>),
        nextCursor: cursor,
        warnings: [
          {
            code: "SCAN_LIMIT",
            message: `q examined ${scanned} events without filling the page; the page is partial: continue from nextCursor, or narrow the search (service, route, from/to)`,
          },
        ],
      };
    }
    await yieldToEventLoop(budgetMs);
  }
  const page = hits.slice(0, search.limit);
  const lastHit = page[page.length - 1];
  return {
    events: page.map((h) => JSON.parse(h.doc) as Record<string, unknown>),
    nextCursor: hits.length > search.limit && lastHit ? encodeCursor({ ts: lastHit.ts, id: lastHit.id }) : null,
  };
}

/** searchSql's filter and order without the text test, which becomes a column: the doc of a hit, else null. */
function chunkSql(search: EventFilter, tenant: string, rows: number): { sql: string; params: Params } {
  const { q, ...rest } = search;
  const { sql, params } = searchSql({ ...rest, limit: rows - 1 }, tenant);
  params.q = (q ?? "").toLowerCase();
  const select = "SELECT ts, event_id AS id, doc FROM";
  // Without the CASE column every row would count as a hit: fail loudly if searchSql's shape changes.
  if (!sql.startsWith(select)) throw new Error("searchSql no longer starts with the expected SELECT; update chunkSql");
  return { sql: `SELECT ts, event_id AS id, CASE WHEN instr(txt, $q) > 0 THEN doc END AS doc FROM${sql.slice(select.length)}`, params };
}
