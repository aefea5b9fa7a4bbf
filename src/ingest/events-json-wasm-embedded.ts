import { useEventsJsonModule } from "./events-json-wasm.ts";
import { EVENTS_JSON_WASM_BASE64 } from "./events-json-wasm-bytes.ts";
import { wasmModuleFromBase64 } from "./wasm-slot.ts";

/**
 * Compiles the embedded skimmer and installs it: for Bun, once per process. A Worker cannot compile
 * bytes at run time; its entry imports src/ingest/events-json.wasm, which wrangler bundles compiled.
 */
export function installEmbeddedEventsJsonSkimmer(): void {
  useEventsJsonModule(wasmModuleFromBase64(EVENTS_JSON_WASM_BASE64));
}
