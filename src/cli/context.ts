import type { Command } from "commander";
import { GatewayClient } from "./client.ts";

/** The options every command inherits from `wide-gate` itself. */
export interface GlobalOptions {
  url: string;
  key?: string;
  json: boolean;
  timeout: number;
}

export const DEFAULT_URL = "http://127.0.0.1:8787";

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function clientFor(command: Command): GatewayClient {
  const { url, key, timeout } = globals(command);
  return new GatewayClient({ url, key, timeoutMs: timeout });
}
