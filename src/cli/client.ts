import { CliError, EXIT } from "./errors.ts";

export interface ClientOptions {
  url: string;
  key?: string | undefined;
  /** Per request; a gateway that accepts the connection but never answers is "cannot connect". */
  timeoutMs?: number;
}

/** The gateway's error body: `{error: {code, message}}`. */
interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** A thin fetch wrapper: auth header, JSON, and every failure turned into a CliError with its exit code. */
export class GatewayClient {
  readonly base: string;
  constructor(private readonly options: ClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]/.test(this.base))
      throw new CliError(`--url must be an http(s) URL (got ${JSON.stringify(options.url)})`, EXIT.usage);
  }

  getJson<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: "GET" }, "json");
  }

  postJson<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, "json");
  }

  getText(path: string): Promise<string> {
    return this.request<string>(path, { method: "GET" }, "text");
  }

  private async request<T>(path: string, init: RequestInit, as: "json" | "text"): Promise<T> {
    const headers = new Headers(init.headers);
    if (this.options.key) headers.set("authorization", `Bearer ${this.options.key}`);
    const target = `${this.base}${path}`;
    let response: Response;
    try {
      response = await fetch(target, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    } catch (error) {
      throw new CliError(
        `cannot reach the gateway at ${this.base}: ${reason(error)} (is it running? set --url or WIDE_GATE_URL)`,
        EXIT.connect,
      );
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(answerError(response.status, text, init.method ?? "GET", path), EXIT.answer, response.status);
    if (as === "text") return text as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`${init.method} ${path}: the answer is not JSON (is ${this.base} a wide-gate server?)`, EXIT.answer);
    }
  }
}

function answerError(status: number, text: string, method: string, path: string): string {
  let body: ErrorBody | undefined;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = undefined;
  }
  const code = body?.error?.code;
  const message = body?.error?.message ?? (text.trim().slice(0, 200) || "no message");
  const hint = status === 401 ? " (pass --key or set WIDE_GATE_KEY)" : "";
  return `${method} ${path.split("?")[0]}: ${status}${code ? ` ${code}` : ""}: ${message}${hint}`;
}

function reason(error: unknown): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  const e = error as { code?: string; message?: string };
  if (e.code === "ConnectionRefused" || e.code === "ECONNREFUSED") return "connection refused";
  return e.code ?? e.message ?? String(error);
}
