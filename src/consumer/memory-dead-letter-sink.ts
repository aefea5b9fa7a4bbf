import type { DeadLetter, DeadLetterSink } from "./messages.ts";

/** Dead letters kept in memory: for tests and throwaway runs. */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];

  async send(letters: readonly DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
  }
}
