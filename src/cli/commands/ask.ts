import type { Command } from "commander";
import { clientFor, globals } from "../context.ts";
import { renderEvents, type StoredEvent } from "../event-table.ts";
import { note, printJson, printLine } from "../output.ts";
import { loadSession, saveSession } from "../session-file.ts";
import { type QueryAnswer, renderQuery } from "./query.ts";

interface SearchAnswer {
  sessionId: string;
  intent: string;
  query?: QueryAnswer["query"] & Record<string, unknown>;
  answer: string;
  data?: { rows?: QueryAnswer["rows"]; estimated?: boolean; events?: StoredEvent[] };
  warnings?: Array<{ code: string; message: string }>;
}

export function registerAsk(program: Command): void {
  program
    .command("ask")
    .description("ask a question in English or Korean (POST /v1/search); follow-ups continue the saved session")
    .argument("<question...>", "the question (quotes optional)")
    .option("-s, --session <id>", "continue this session instead of the saved one")
    .option("--new", "start a new session", false)
    .addHelpText("after", '\nExamples:\n  wide-gate ask "error rate per service in the last hour"\n  wide-gate ask "and yesterday?"')
    .action(async (words: string[], flags: { session?: string; new: boolean }, command: Command) => {
      const { url, json } = globals(command);
      const sessionId = flags.session ?? (flags.new ? undefined : loadSession(url));
      const body = { question: words.join(" "), ...(sessionId ? { sessionId } : {}) };
      const answer = await clientFor(command).postJson<SearchAnswer>("/v1/search", body);
      const saveProblem = saveSession(url, answer.sessionId);
      if (saveProblem) note(saveProblem);
      if (json) return printJson(answer);
      printLine(answer.answer);
      if (answer.data?.rows && answer.query?.metric) {
        printLine(renderQuery({ rows: answer.data.rows, estimated: answer.data.estimated ?? false, query: answer.query }));
      } else if (answer.data?.events?.length) {
        printLine(renderEvents(answer.data.events));
      }
      note(`intent ${answer.intent}, session ${answer.sessionId}`);
    });
}
