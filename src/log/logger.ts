/**
 * Where components write the lines an operator reads (retries, degradations, replays). Components
 * take a Logger instead of calling console, so a test can capture the warnings it provokes and
 * assert on them rather than print them.
 */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Console output at `level` and above (LOG_LEVEL). */
export function consoleLogger(level: LogLevel = "info"): Logger {
  const at = ORDER[level];
  const skip = () => {};
  return {
    info: at <= ORDER.info ? (line) => console.log(line) : skip,
    warn: at <= ORDER.warn ? (line) => console.warn(line) : skip,
    error: (line) => console.error(line),
  };
}

/** The default for components built without one. */
export const defaultLogger: Logger = consoleLogger("info");

export interface CapturedLine {
  level: "info" | "warn" | "error";
  line: string;
}

/** Keeps every line instead of printing it: for tests, and for embedding where the host owns the output. */
export function capturingLogger(): Logger & { lines: CapturedLine[]; text(): string } {
  const lines: CapturedLine[] = [];
  return {
    lines,
    info: (line) => lines.push({ level: "info", line }),
    warn: (line) => lines.push({ level: "warn", line }),
    error: (line) => lines.push({ level: "error", line }),
    text: () => lines.map((l) => `${l.level}: ${l.line}`).join("\n"),
  };
}
