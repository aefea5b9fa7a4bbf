import Table from "cli-table3";

/** Output mode shared by every command: tables and sentences for people, JSON for scripts. */
export interface OutputOptions {
  json: boolean;
}

export type Cell = string | number | boolean | null | undefined;

/** A plain table (no colours: output is often piped or logged). */
export function renderTable(head: string[], rows: Cell[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(formatCell));
  return table.toString();
}

export function formatCell(value: Cell): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "number") return formatNumber(value);
  return String(value);
}

/** Up to 3 decimals, no trailing zeros: 0.1234 → 0.123, 12 → 12. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
}

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : `${(value * 100).toFixed(2)}%`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Notes for people (totals, hints, progress): stderr, so stdout stays clean for pipes. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * A one-line progress bar on stderr, redrawn in place on a terminal and silent otherwise,
 * so logs and pipes get only the final summary.
 */
export function progress(label: string): { update: (done: number, total?: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      const width = 30;
      const bar =
        total && total > 0
          ? `[${"#".repeat(Math.round((width * Math.min(done, total)) / total)).padEnd(width, ".")}] ${done}/${total}`
          : `${done}`;
      process.stderr.write(`\r${label} ${bar}`);
    },
    done() {
      if (tty) process.stderr.write("\n");
    },
  };
}
