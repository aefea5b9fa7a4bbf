import type { Command } from "commander";

/** The GET /v1/events filters, shared by `events` and `tail`. */
export interface EventFilterFlags {
  service?: string;
  route?: string;
  status?: string;
  errorCode?: string;
  hasError?: boolean;
  method?: string;
  q?: string;
  from?: string;
  to?: string;
}

export function addEventFilterOptions(command: Command): Command {
  return command
    .option("--service <name>", "exact service")
    .option("--route <route>", "exact route")
    .option("--status <code>", "status code, e.g. 502")
    .option("--error-code <code>", "exact error.code")
    .option("--errors", "only events with an error (an error field or status >= 500)")
    .option("--method <method>", "GET, POST, …")
    .option("-q, --q <text>", "case-insensitive text in message and error fields");
}

/** Builds the query string; values are checked by the gateway, which names a bad one (exit 1). */
export function eventParams(
  flags: EventFilterFlags & { errors?: boolean },
  extra: Record<string, string | number | undefined> = {},
): URLSearchParams {
  const params = new URLSearchParams();
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") params.set(name, String(value));
  };
  set("service", flags.service);
  set("route", flags.route);
  set("statusCode", flags.status);
  set("errorCode", flags.errorCode);
  if (flags.errors) params.set("hasError", "true");
  set("method", flags.method);
  set("q", flags.q);
  set("from", flags.from);
  set("to", flags.to);
  for (const [name, value] of Object.entries(extra)) set(name, value);
  return params;
}
