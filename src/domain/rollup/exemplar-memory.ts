/**
 * Which groups of a tenant's minute already have a kept event on this instance, and which request
 * kept it. Keyed requests count into an aggregator of their own (so a re-post makes the same
 * deltas), which alone would keep one exemplar per group and minute in every such request; shared
 * by them, this keeps that promise across requests of one instance. The owner (the request's key)
 * is remembered so a re-post of the same request decides exactly as the first post did. Bounded:
 * past `limit` groups the minutes remembered first are forgotten, which only means keeping a few more.
 */
export class ExemplarMemory {
  /** `${tenant}\u0000${minute}` → group key → owner. Map order is insertion order: the minutes remembered first come first. */
  private readonly minutes = new Map<string, Map<string, string>>();
  private size = 0;

  constructor(readonly limit = 50_000) {}

  /** Groups remembered now (at most `limit`, after each `remember`). */
  get groups(): number {
    return this.size;
  }

  /** Whether a request other than `owner` already kept an event of this group and minute. */
  keptByOther(minuteKey: string, groupKey: string, owner: string): boolean {
    const first = this.minutes.get(minuteKey)?.get(groupKey);
    return first !== undefined && first !== owner;
  }

  /** Records that `owner` kept an event of this group and minute; the first owner stays. */
  remember(minuteKey: string, groupKey: string, owner: string): void {
    let groups = this.minutes.get(minuteKey);
    if (groups === undefined) {
      groups = new Map();
      this.minutes.set(minuteKey, groups);
    }
    if (groups.has(groupKey)) return;
    groups.set(groupKey, owner);
    this.size++;
    if (this.size > this.limit) this.forgetOldest();
  }

  private forgetOldest(): void {
    const target = Math.floor(this.limit * 0.75);
    for (const [key, groups] of this.minutes) {
      if (this.size <= target) break;
      this.minutes.delete(key);
      this.size -= groups.size;
    }
  }
}
