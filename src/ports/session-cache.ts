import type { Lifecycle } from "./health.ts";

/** One question and what the search API made of it. */
export interface SessionTurn {
  at: string;
  question: string;
  intent: string;
  answer: string;
  query?: unknown;
}

/** Recent conversation turns per session, bounded in length and expiring after a TTL. */
export interface SessionCache extends Lifecycle {
  append(sessionId: string, turn: SessionTurn): Promise<void>;
  history(sessionId: string): Promise<SessionTurn[]>;
}
