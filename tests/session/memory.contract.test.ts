import { describe } from "bun:test";
import { MemorySessionCache } from "../../src/adapters/memory/memory-session-cache.ts";
import { sessionCacheContract } from "./session-cache-contract.ts";

describe("session cache contract: memory", () => {
  sessionCacheContract((limits) => new MemorySessionCache(limits));
});
