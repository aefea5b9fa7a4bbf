// A FerretDB of the test's own (temp dir, free port), to stop and start at will; the shared one is never touched.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { tcpReachable, waitForPort } from "./services.ts";
import { freePort } from "./workerd.ts";

export const FERRETDB_BIN = resolve(import.meta.dir, "../../.cache/ferretdb/ferretdb-v1.24.2");

export interface PrivateFerretDb {
  uri: string;
  /** Stops the server (SIGTERM) and waits until the port is closed. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and data. */
  start: () => Promise<void>;
  /** Stops it for good and removes its data. */
  dispose: () => Promise<void>;
}

export async function startPrivateFerretDb(): Promise<PrivateFerretDb> {
  if (!existsSync(FERRETDB_BIN)) throw new Error(`FerretDB binary missing at ${FERRETDB_BIN}; run: npm run services:up -- ferretdb`);
  const dir = mkdtempSync(join(tmpdir(), "widegate-ferretdb-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "state"));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let proc: Subprocess | undefined;

  const start = async () => {
    proc = Bun.spawn(
      [
        FERRETDB_BIN,
        "--handler=sqlite",
        `--sqlite-url=file:${dir}/data/`,
        `--listen-addr=${address}`,
        `--state-dir=${dir}/state`,
        "--telemetry=disable",
        "--debug-addr=-",
        "--log-level=error",
      ],
      { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
    );
    await waitForPort(address, 20_000, "private FerretDB");
  };
  const stop = async () => {
    proc?.kill("SIGTERM");
    await proc?.exited;
    while (await tcpReachable(address, 300)) await Bun.sleep(100);
  };
  await start();
  return {
    uri: `mongodb://${address}`,
    stop,
    start,
    dispose: async () => {
      proc?.kill("SIGKILL");
      await proc?.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
