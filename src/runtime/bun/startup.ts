import { type Config, ConfigError, parseConfig } from "../../config/schema.ts";

/** Parses env or exits with the one-line reason; a stack trace would bury the variable's name. */
export function loadConfigOrExit(env: Record<string, unknown> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** For start-up steps after config parsing (adapter construction, sampler rules). */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}

export function announceAuthMode(config: Config): void {
  if (!config.INGEST_API_KEYS || !config.QUERY_API_KEYS) {
    const open = [!config.INGEST_API_KEYS && "ingest", !config.QUERY_API_KEYS && "query"].filter(Boolean).join(" and ");
    console.warn(
      `!!! OPEN DEV MODE: no API keys for ${open}; anyone who reaches this port can use it. Set INGEST_API_KEYS / QUERY_API_KEYS.`,
    );
  }
  if ((config.INGEST_API_KEYS || config.QUERY_API_KEYS) && !config.METRICS_API_KEY) {
    // Not an error (nobody may need /metrics), but a scraper's 401s should not be a mystery.
    console.log("API keys are set and METRICS_API_KEY is not: GET /metrics answers 401 to everyone until it is set.");
  }
}

/**
 * Runs `shutdown` once on SIGTERM/SIGINT, then exits. A second signal, or a drain longer than
 * `graceMs`, exits at once so a stuck backend cannot hold the process hostage.
 */
export function onShutdownSignal(shutdown: (signal: string) => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      console.warn(`${signal} again: exiting without finishing the drain`);
      process.exit(1);
    }
    stopping = true;
    const force = setTimeout(() => {
      console.error(`shutdown took over ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs);
    shutdown(signal).then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (error: unknown) => {
        console.error("shutdown failed:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}
