import type { Command } from "commander";
import { usageError } from "../errors.ts";
import { printLine } from "../output.ts";

/** `sha256:<hex>`: the form the gateway's key lists accept (src/domain/hash/key-digest.ts reads it back). */
const hashedKeyEntry = (key: string): string => `sha256:${new Bun.CryptoHasher("sha256").update(key).digest("hex")}`;

/** The key from the argument, else the first line of stdin (so it stays out of shell history). */
async function keyFrom(arg: string | undefined): Promise<string> {
  if (arg !== undefined) return arg;
  if (process.stdin.isTTY) throw usageError('give the key as an argument or on stdin (printf %s "$KEY" | wide-gate key hash)');
  const text = await new Response(Bun.stdin.stream()).text();
  return text.split(/\r?\n/)[0] ?? "";
}

/** `key hash`: prints the `sha256:<hex>` form an API key can be configured as, instead of the key itself. */
export function registerKey(program: Command): void {
  const key = program.command("key").description("API key helpers; nothing is sent anywhere");
  key
    .command("hash [key]")
    .description("print sha256:<hex> for INGEST_API_KEYS / QUERY_API_KEYS / METRICS_API_KEY (key from the argument or stdin)")
    .action(async (arg: string | undefined) => {
      const plain = (await keyFrom(arg)).trim();
      if (plain === "") throw usageError("the key is empty");
      if (plain.includes(",")) throw usageError("a key cannot hold ',' (it separates entries in the env)");
      printLine(hashedKeyEntry(plain));
    });
}
