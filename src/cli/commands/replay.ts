import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { FileSpool } from "../../adapters/file/file-spool.ts";
import { createAdapters } from "../../factory/create-adapters.ts";
import type { Publisher } from "../../ports/publisher.ts";
import { bunModules } from "../../runtime/bun/modules.ts";
import { positiveInt } from "../args.ts";
import { ensureKafkaReachable, loadConfig } from "../backends.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { note, printJson, progress } from "../output.ts";

/**
 * `replay`: moves the local spool (DATA_DIR/spool, written by PUBLISHER=file or the `file`
 * fallback) to PUBLISHER. Run it while the gateway that owns DATA_DIR is stopped: a running
 * gateway replays its own spool once its primary answers.
 */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("publish the local spool (DATA_DIR/spool) to PUBLISHER and delete what was delivered")
    .option("--dry-run", "count the spooled events; changes nothing")
    .option("--batch <n>", "events per publish", positiveInt, 1000)
    .action(async (flags: { dryRun?: boolean; batch: number }, cmd: Command) => {
      const config = loadConfig();
      const dir = join(config.DATA_DIR, "spool");
      const spooled = countSpooled(dir);
      const json = cmd.optsWithGlobals<{ json: boolean }>().json;
      if (flags.dryRun || spooled.events === 0) {
        const summary = { dataDir: config.DATA_DIR, segments: spooled.segments, events: spooled.events, replayed: 0 };
        if (json) printJson(summary);
        else note(`${spooled.events} event(s) in ${spooled.segments} spool segment(s) under ${dir}${flags.dryRun ? " (dry run)" : ""}`);
        return;
      }
      if (config.PUBLISHER === "file" || config.PUBLISHER === "memory") {
        throw usageError(
          `PUBLISHER=${config.PUBLISHER}: replay needs a durable primary to move the spool to (kafka, upstash-kafka or direct)`,
        );
      }
      if (config.PUBLISHER === "kafka") await ensureKafkaReachable(config.KAFKA_BROKERS);
      const adapters = await createAdapters({ ...config, PUBLISHER_FALLBACK: [] }, bunModules).catch((error: unknown) => {
        throw new CliError(`cannot open PUBLISHER=${config.PUBLISHER}: ${(error as Error).message}`, EXIT.connect);
      });
      const bar = progress("replaying");
      let done = 0;
      const counting: Publisher = {
        name: adapters.publisher.name,
        publish: async (events) => {
          await adapters.publisher.publish(events);
          done += events.length;
          bar.update(done, spooled.events);
        },
        health: () => adapters.publisher.health(),
        close: async () => {},
      };
      try {
        const replayed = await new FileSpool(config.DATA_DIR).replayInto(counting, flags.batch);
        bar.done();
        if (json) printJson({ dataDir: config.DATA_DIR, segments: spooled.segments, events: spooled.events, replayed });
        else note(`replayed ${replayed} event(s) from ${dir} to ${config.PUBLISHER}`);
      } catch (error) {
        bar.done();
        throw new CliError(
          `replay stopped after ${done} event(s): ${(error as Error).message}; the rest stays spooled, run replay again`,
          EXIT.answer,
        );
      } finally {
        for (const component of adapters.all) await component.close().catch(() => {});
      }
    });
}

function countSpooled(dir: string): { segments: number; events: number } {
  if (!existsSync(dir)) return { segments: 0, events: 0 };
  const files = readdirSync(dir).filter((f) => f.endsWith(".ndjson"));
  let events = 0;
  for (const file of files) events += readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).length;
  return { segments: files.length, events };
}
