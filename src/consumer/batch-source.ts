import type { CommitOffset, SourceMessage } from "./messages.ts";

/** Where the worker's batches come from: a consumer-group member of the events topic. */
export interface BatchSource {
  /** Joins the group and starts fetching. */
  start(): Promise<void>;
  /**
   * Up to `max` messages, once `max` are buffered or `maxWaitMs` has passed since the first of
   * them arrived. Resolves with nothing once `interrupt()` was called.
   */
  next(max: number, maxWaitMs: number): Promise<SourceMessage[]>;
  interrupt(): void;
  /** Commits offsets for the group; only ever called after the batch is durable. */
  commit(offsets: readonly CommitOffset[]): Promise<void>;
  /** Per assigned partition: newest offset minus committed offset. */
  lag(): Promise<Array<{ topic: string; partition: number; lag: number }>>;
  /** Partitions this member holds now. */
  assigned(): number;
  /** Stops fetching and leaves the group; uncommitted messages go to the next owner. */
  close(): Promise<void>;
}
