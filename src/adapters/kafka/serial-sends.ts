/**
 * One produce request in flight per idempotent producer. @platformatic/kafka 1.x reads a
 * partition's sequence number when it builds a request and advances it only when the answer
 * arrives, so two concurrent send() calls to one partition share a sequence and the broker
 * acknowledges the second as a duplicate of the first: its records are lost, silently
 * (platformatic/kafka#326; reproduced here against Kafka 4.1). Serialising the calls avoids it.
 */
export class SerialSends {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(send: () => Promise<T>): Promise<T> {
    const result = this.tail.then(send);
    this.tail = result.catch(() => {});
    return result;
  }
}

interface Waiting<M, R> {
  items: M[];
  resolve: (results: R[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Serial sends that stay fast under concurrency: callers that arrive while a request is in flight
 * are merged into the next one (up to `maxItems`), and each gets its own slice of the results.
 */
export class CoalescingSends<M, R> {
  private waiting: Array<Waiting<M, R>> = [];
  private running = false;

  constructor(
    private readonly sendAll: (items: M[]) => Promise<R[]>,
    private readonly maxItems = 10_000,
  ) {}

  send(items: M[]): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.waiting.length > 0) {
      const taken: Array<Waiting<M, R>> = [];
      let count = 0;
      while (this.waiting.length > 0) {
        const next = this.waiting[0] as Waiting<M, R>;
        if (taken.length > 0 && count + next.items.length > this.maxItems) break;
        taken.push(next);
        count += next.items.length;
        this.waiting.shift();
      }
      try {
        const results = await this.sendAll(taken.flatMap((w) => w.items));
        let at = 0;
        for (const w of taken) {
          w.resolve(results.slice(at, at + w.items.length));
          at += w.items.length;
        }
      } catch (error) {
        for (const w of taken) w.reject(error);
      }
    }
    this.running = false;
  }
}
