import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where `ask` keeps the last session id per gateway URL, so follow-up questions continue it:
 * $WIDE_GATE_STATE_DIR, else $XDG_STATE_HOME/wide-gate, else ~/.local/state/wide-gate.
 */
export function stateDir(env: Record<string, string | undefined> = process.env): string {
  if (env.WIDE_GATE_STATE_DIR) return env.WIDE_GATE_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "wide-gate");
}

const file = () => join(stateDir(), "sessions.json");

function readAll(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file(), "utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function loadSession(url: string): string | undefined {
  const id = readAll()[url];
  return typeof id === "string" ? id : undefined;
}

/** Best effort: an unwritable state dir costs only the follow-up context, so it is a note, not a failure. */
export function saveSession(url: string, sessionId: string): string | null {
  try {
    mkdirSync(stateDir(), { recursive: true });
    writeFileSync(file(), `${JSON.stringify({ ...readAll(), [url]: sessionId }, null, 2)}\n`);
    return null;
  } catch (error) {
    return `could not save the session id in ${file()}: ${(error as Error).message}`;
  }
}
