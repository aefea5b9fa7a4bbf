// Bun entries: the expected start-up failures as one line naming the cause and what to do, never a stack.
import { ConfigError } from "../../config/schema.ts";

interface SystemError {
  code?: string;
  path?: string;
  syscall?: string;
  message?: string;
}

const FS_CODES = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC", "ENOENT", "EISDIR"]);

/** The one line for a start-up error, or null when it is not one we can explain. */
export function describeStartupError(error: unknown, dataDir: string): string | null {
  if (error instanceof ConfigError) return error.message;
  const e = (error ?? {}) as SystemError;
  if (e.code && FS_CODES.has(e.code) && (e.path !== undefined || e.syscall !== undefined)) {
    const where = e.path ? ` (${e.syscall ?? "open"} ${e.path})` : "";
    return `cannot use DATA_DIR=${dataDir}: ${e.code}${where}; set DATA_DIR to a directory this user can write`;
  }
  return null;
}

/** For steps after config parsing: one line and exit 78 (config) or 1 (anything else), never a stack. */
export function exitOnStartupError(error: unknown, dataDir: string): never {
  const line = describeStartupError(error, dataDir);
  console.error(line ?? `cannot start: ${(error as Error)?.message ?? String(error)}`);
  process.exit(error instanceof ConfigError ? 78 : 1);
}

/** Bun.serve, with a taken port or an address this machine does not have as one line naming the variable. */
export function serveOrExit<T>(options: { port: number; hostname?: string | undefined; portVariable: string }, serve: () => T): T {
  try {
    return serve();
  } catch (error) {
    const code = (error as SystemError).code;
    const at = `${options.hostname ?? "0.0.0.0"}:${options.port}`;
    if (code === "EADDRINUSE") {
      console.error(
        `cannot listen on ${at}: the port is already in use; stop the other process or set ${options.portVariable} to a free port`,
      );
    } else if (code === "EACCES") {
      console.error(`cannot listen on ${at}: permission denied; use a ${options.portVariable} of 1024 or more`);
    } else if (code === "EADDRNOTAVAIL") {
      console.error(`cannot listen on ${at}: HOST=${options.hostname} is not an address of this machine`);
    } else {
      console.error(`cannot listen on ${at}: ${(error as Error)?.message ?? String(error)}`);
    }
    process.exit(1);
  }
}

/**
 * A backend that did not answer at start, as one line: what, where (by variable, never a URI that
 * may hold credentials) and what to do. Config and DATA_DIR errors keep their own lines.
 */
export function exitOnBackendError(
  process_: string,
  backend: { name: string; variable: string; where?: string; hint: string },
  dataDir: string,
): (error: unknown) => never {
  return (error) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    const known = describeStartupError(error, dataDir);
    if (known !== null) {
      console.error(`${process_}: ${known}`);
      process.exit(1);
    }
    const reason = ((error as Error)?.message ?? String(error)).split("\n")[0]?.replace(/\.$/, "");
    const where = backend.where ? ` at ${backend.where}` : "";
    console.error(`${process_}: cannot reach ${backend.name}${where} (${backend.variable}): ${reason}; ${backend.hint}`);
    process.exit(1);
  };
}

/** Worker and bridge have no open dev mode of their own: loopback unless HOST says otherwise. */
export function bunHostname(host: string | undefined): string {
  return host ?? "127.0.0.1";
}
