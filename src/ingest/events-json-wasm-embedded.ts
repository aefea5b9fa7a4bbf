import { useEventsJsonModule } from "./events-json-wasm.ts";
import { EVENTS_JSON_WASM_BASE64 } from "./events-json-wasm-bytes.ts";

/**
 * Compiles the embedded skimmer and installs it: for Bun, once per process. A Worker cannot compile
 * bytes at run time; its entry imports src/ingest/events-json.wasm, which wrangler bundles compiled.
 */
export function installEmbeddedEventsJsonSkimmer(): void {
  const binary = atob(EVENTS_JSON_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  useEventsJsonModule(new WebAssembly.Module(bytes));
}
