import { useOtlpJsonModule } from "./otlp-json-wasm.ts";
import { OTLP_JSON_WASM_BASE64 } from "./otlp-json-wasm-bytes.ts";

/**
 * Compiles the embedded reader and installs it: for Bun, once per process. A Worker cannot compile
 * bytes at run time; its entry imports src/ingest/otlp-json.wasm, which wrangler bundles compiled.
 */
export function installEmbeddedOtlpJsonReader(): void {
  const binary = atob(OTLP_JSON_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  useOtlpJsonModule(new WebAssembly.Module(bytes));
}
