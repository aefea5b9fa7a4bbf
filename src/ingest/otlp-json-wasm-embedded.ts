import { useOtlpJsonModule } from "./otlp-json-wasm.ts";
import { OTLP_JSON_WASM_BASE64 } from "./otlp-json-wasm-bytes.ts";
import { wasmModuleFromBase64 } from "./wasm-slot.ts";

/**
 * Compiles the embedded reader and installs it: for Bun, once per process. A Worker cannot compile
 * bytes at run time; its entry imports src/ingest/otlp-json.wasm, which wrangler bundles compiled.
 */
export function installEmbeddedOtlpJsonReader(): void {
  useOtlpJsonModule(wasmModuleFromBase64(OTLP_JSON_WASM_BASE64));
}
