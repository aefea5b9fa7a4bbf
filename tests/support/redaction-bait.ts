/**
 * Events carrying one bait per redaction rule, and a byte search for the baits in whatever the
 * gateway wrote (store files, rollup rows, buffer segments, the spool, Kafka records, the edge's
 * Redis list). Every bait is a string no other part of the data holds, so finding one anywhere is
 * a leak; each event also carries a plain marker (its requestId) so a test can first show that
 * the data it searches really landed there.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const BAIT_HASH_KEY = "bait-hash-key-of-32-bytes-000000";

/** REDACT_* as an operator would set them; the other rules are on by default. */
export const BAIT_ENV: Record<string, string> = {
  REDACT_DROP_PATHS: "customer.address,request.body",
  REDACT_HASH_PATHS: "user.id",
  REDACT_HASH_KEY: BAIT_HASH_KEY,
  REDACT_KEYS: "x-bait-internal",
  // Errors are kept; every 200 is dropped by sampling, so rollups count events nothing else holds.
  SAMPLING_NORMAL_RATE: "0",
};

/** rule → the bait as sent, and the byte strings any trace of it would contain. */
export const BAITS = {
  card: { sent: "4111 1111 1111 1111", needles: ["4111 1111 1111 1111", "4111111111111111", "4111-1111"] },
  email: { sent: "bait.person@example.org", needles: ["bait.person@example.org", "bait.person"] },
  phone: { sent: "+44 20 7946 0958", needles: ["7946 0958", "79460958", "7946-0958"] },
  iban: { sent: "GB82 WEST 1234 5698 7654 32", needles: ["GB82 WEST", "GB82WEST", "5698 7654"] },
  jwt: {
    sent: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiYWl0LXVzZXIifQ.YmFpdC1zaWduYXR1cmUtYmFpdA",
    needles: ["eyJzdWIiOiJiYWl0LXVzZXIifQ", "YmFpdC1zaWduYXR1cmUtYmFpdA"],
  },
  bearer: { sent: "Bearer baitTokenQx7Zr81", needles: ["baitTokenQx7Zr81"] },
  password: { sent: "hunter2-bait-password", needles: ["hunter2-bait-password"] },
  authorizationAttribute: { sent: "Basic YmFpdDpiYWl0LWJhc2lj", needles: ["YmFpdDpiYWl0LWJhc2lj"] },
  cookieAttribute: { sent: "sid=bait-cookie-77310", needles: ["bait-cookie-77310"] },
  customKey: { sent: "bait-custom-secret-5521", needles: ["bait-custom-secret-5521"] },
  dropPath: { sent: "1 Bait Street, Baitville", needles: ["Bait Street", "Baitville"] },
  dropBody: { sent: "bait-request-body-9093", needles: ["bait-request-body-9093"] },
  hashPath: { sent: "bait-user-id-4242", needles: ["bait-user-id-4242"] },
} as const;

const b = (rule: keyof typeof BAITS) => BAITS[rule].sent;
const minuteAgo = () => new Date(Date.now() - 60_000).toISOString();

/**
 * Three events per call: a kept error holding every bait (nested, in arrays, under dotted and
 * OpenTelemetry header names, inside longer strings, in route and error.code), a 200 that sampling
 * drops but rollups count with baits in route and error.code, and a kept 503 whose only baits are
 * in the rollup fields. requestIds are `<tag>-0..2`.
 */
export function baitEvents(tag: string): Record<string, unknown>[] {
  return [
    {
      requestId: `${tag}-0`,
      timestamp: minuteAgo(),
      service: "bait-svc",
      route: `/users/${b("email")}/cards`,
      method: "POST",
      statusCode: 500,
      durationMs: 42,
      error: { code: `CARD_${b("card")}_DECLINED`, message: `declined for ${b("email")} with ${b("bearer")}` },
      user: { id: b("hashPath"), email: b("email"), phone: `call ${b("phone")} after 5`, plan: "pro" },
      customer: { address: b("dropPath"), iban: `pay to ${b("iban")} please`, tier: "gold" },
      request: { body: { note: b("dropBody") }, headers: { authorization: b("bearer"), cookie: b("cookieAttribute") } },
      "http.request.header.authorization": b("authorizationAttribute"),
      "http.request.header.cookie": b("cookieAttribute"),
      "request.headers.x-bait-internal": b("customKey"),
      session: { token: b("jwt"), password: b("password") },
      items: [{ card: b("card") }, { note: `jwt ${b("jwt")} in a sentence` }, [b("email"), b("phone")]],
      message: `user ${b("email")} paid with ${b("card")} from ${b("iban")}`,
    },
    {
      requestId: `${tag}-1`,
      timestamp: minuteAgo(),
      service: "bait-svc",
      route: `/call/${b("phone")}`,
      method: "GET",
      statusCode: 200,
      durationMs: 7,
      user: { id: b("hashPath"), email: b("email") },
    },
    {
      requestId: `${tag}-2`,
      timestamp: minuteAgo(),
      service: "bait-svc",
      route: `/iban/${b("iban")}`,
      method: "GET",
      statusCode: 503,
      durationMs: 9,
      error: { code: `JWT_${b("jwt")}_${b("email")}` },
    },
  ];
}

const kv = (key: string, stringValue: string) => ({ key, value: { stringValue } });

/** An OTLP/HTTP JSON export whose record attributes hold the header and value baits under flat names. */
export function baitLogs(tag: string): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: [kv("service.name", "bait-otlp"), kv("deployment.owner.email", b("email"))] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: `${Date.now() - 60_000}000000`,
                severityNumber: 17,
                body: { stringValue: `failed for ${b("email")} card ${b("card")}` },
                attributes: [
                  kv("request.id", `${tag}-otlp`),
                  kv("http.route", `/otlp/${b("email")}`),
                  kv("http.response.status_code", "500"),
                  kv("http.request.header.authorization", b("authorizationAttribute")),
                  kv("http.request.header.cookie", b("cookieAttribute")),
                  kv("user.id", b("hashPath")),
                  kv("customer.address", b("dropPath")),
                  kv("enduser.phone", b("phone")),
                  kv("payment.iban", b("iban")),
                  kv("auth.header", b("bearer")),
                  kv("session.jwt", b("jwt")),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Which baits' needles occur in `text` (as `rule: needle`). */
export function baitsIn(text: string): string[] {
  const found: string[] = [];
  for (const [rule, { needles }] of Object.entries(BAITS)) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${rule}: ${needle}`);
  }
  return found;
}

/** Every file under `dir`, recursively, with its raw bytes read as latin1 (byte for byte: binary files too). */
export function filesUnder(dir: string): { path: string; bytes: string }[] {
  const out: { path: string; bytes: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, bytes: readFileSync(path).toString("latin1") });
  }
  return out;
}

/** Baits found in the raw bytes of every file under `dir`, as `file: rule: needle`. */
export function baitsUnder(dir: string): string[] {
  return filesUnder(dir).flatMap(({ path, bytes }) => baitsIn(bytes).map((hit) => `${path.slice(dir.length + 1)}: ${hit}`));
}
