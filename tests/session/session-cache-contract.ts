import { afterAll, expect, test } from "bun:test";
import type { SessionCache, SessionLimits, SessionTurn } from "../../src/ports/session-cache.ts";
import { uniqueName } from "../support/services.ts";

/** Builds a cache with these limits; each call may share a backend but must not share keys with other runs. */
export type MakeSessionCache = (limits: Partial<SessionLimits>) => SessionCache;

const turn = (question: string, extra: Partial<SessionTurn> = {}): SessionTurn => ({
  at: new Date().toISOString(),
  question,
  intent: "STATISTICAL",
  answer: `answer to ${question}`,
  ...extra,
});

/** The same cases on every adapter: memory, Redis over TCP, Upstash over REST. */
export function sessionCacheContract(make: MakeSessionCache): void {
  const made: SessionCache[] = [];
  const cache = (limits: Partial<SessionLimits> = {}) => {
    const c = make(limits);
    made.push(c);
    return c;
  };
  const user = () => uniqueName("user");
  const session = () => uniqueName("s");
  afterAll(async () => {
    for (const c of made) await c.close();
  });

  test("turns come back in order, queries and Korean text intact", async () => {
    const c = cache();
    const ref = { userId: user(), sessionId: session() };
    const first = turn("지난 1시간 동안 결제 에러율은?", {
      query: { metric: "error_rate", filter: { service: "payment" }, timeRange: { last: "1h" } },
    });
    const second = turn("show me errors like timeout", { intent: "SEARCH", query: { text: "timeout", hasError: true } });
    await c.append(ref, first);
    await c.append(ref, second);
    expect(await c.history(ref)).toEqual([first, second]);
  });

  test("an unknown session has no history", async () => {
    expect(await cache().history({ userId: user(), sessionId: session() })).toEqual([]);
  });

  test("history is bounded to the last maxTurns", async () => {
    const c = cache({ maxTurns: 3 });
    const ref = { userId: user(), sessionId: session() };
    for (let i = 1; i <= 5; i++) await c.append(ref, turn(`q${i}`));
    expect((await c.history(ref)).map((t) => t.question)).toEqual(["q3", "q4", "q5"]);
  });

  test("a session belongs to its user: the same id elsewhere is another, empty session", async () => {
    const c = cache();
    const sessionId = session();
    const alice = user();
    await c.append({ userId: alice, sessionId }, turn("alice's question"));
    expect(await c.history({ userId: user(), sessionId })).toEqual([]);
    expect(await c.listSessions(user())).toEqual([]);
    expect((await c.listSessions(alice)).map((s) => s.sessionId)).toEqual([sessionId]);
  });

  test("listing: most recently active first, limited, capped per user", async () => {
    const c = cache({ maxSessionsPerUser: 3 });
    const u = user();
    const ids = Array.from({ length: 5 }, () => session());
    for (const id of ids) {
      await c.append({ userId: u, sessionId: id }, turn(id));
      await Bun.sleep(5); // distinct activity times
    }
    await c.append({ userId: u, sessionId: ids[2] as string }, turn("again"));
    const listed = await c.listSessions(u);
    expect(listed.map((s) => s.sessionId)).toEqual([ids[2], ids[4], ids[3]] as string[]);
    expect(Date.parse(listed[0]?.updatedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect((await c.listSessions(u, 1)).map((s) => s.sessionId)).toEqual([ids[2]] as string[]);
  });

  test("sessions expire after the TTL, and leave the listing", async () => {
    const c = cache({ ttlSeconds: 1 });
    const ref = { userId: user(), sessionId: session() };
    await c.append(ref, turn("soon gone"));
    expect(await c.history(ref)).toHaveLength(1);
    await Bun.sleep(1200);
    expect(await c.history(ref)).toEqual([]);
    expect(await c.listSessions(ref.userId)).toEqual([]);
  });

  test("a new turn renews the TTL", async () => {
    const c = cache({ ttlSeconds: 1 });
    const ref = { userId: user(), sessionId: session() };
    await c.append(ref, turn("one"));
    await Bun.sleep(600);
    await c.append(ref, turn("two"));
    await Bun.sleep(600);
    expect((await c.history(ref)).map((t) => t.question)).toEqual(["one", "two"]);
  });

  test("user and session ids with separators or braces cannot reach another user's keys", async () => {
    const c = cache();
    await c.append({ userId: "a}:s:b", sessionId: "x-session-1" }, turn("tricky"));
    expect(await c.history({ userId: "a", sessionId: "b}:s:x-session-1" })).toEqual([]);
    expect(await c.history({ userId: "a}:s:b", sessionId: "x-session-1" })).toHaveLength(1);
  });

  test("health answers", async () => {
    expect((await cache().health()).ok).toBe(true);
  });
}
