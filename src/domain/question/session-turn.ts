import { z } from "zod";
import { statQuerySchema } from "../query/stat-query.ts";
import { ANALYSIS_KINDS, INTENTS, searchFiltersSchema } from "./types.ts";

/** One stored turn. Redis holds it as JSON, so reading it back validates it like any outside input. */
export const sessionTurnSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  question: z.string().max(2000),
  intent: z.enum(INTENTS),
  answer: z.string().max(2000),
  query: z.union([statQuerySchema, searchFiltersSchema]).optional(),
  /** The analysis kind of an ANALYSIS turn, so a follow-up keeps asking the same kind of question. */
  kind: z.enum(ANALYSIS_KINDS).optional(),
});
export type SessionTurn = z.infer<typeof sessionTurnSchema>;

/** A stored turn, or undefined for one that is not JSON or not a turn (skipped, never thrown). */
export function decodeTurn(text: string): SessionTurn | undefined {
  try {
    const result = sessionTurnSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Short answers keep sessions small: the full table is in the HTTP answer, not in the history. */
export const MAX_STORED_ANSWER = 600;
