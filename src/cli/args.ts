import { InvalidArgumentError } from "commander";

/** Commander argument parsers: a bad value is a usage error naming the flag (exit 2). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** `500ms`, `2s`, `1m` or plain milliseconds. */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!match) throw new InvalidArgumentError("expected a duration like 500ms, 2s or 1m");
  const n = Number(match[1]);
  const ms = match[2] === "s" ? n * 1000 : match[2] === "m" ? n * 60_000 : n;
  if (ms < 1) throw new InvalidArgumentError("must be more than 0");
  return ms;
}
