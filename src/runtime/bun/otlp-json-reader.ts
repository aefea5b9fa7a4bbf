import { useOtlpJsonModule } from "../../ingest/otlp-json-wasm.ts";
import { OTLP_JSON_WASM_BASE64 } from "../../ingest/otlp-json-wasm-bytes.ts";

/** Bun compiles the embedded reader once per process (a Worker imports the bundled .wasm instead). */
export function installBunOtlpJsonReader(): void {
  const binary = atob(OTLP_JSON_WASM_BASE64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  useOtlpJsonModule(new WebAssembly.Module(bytes));
}
