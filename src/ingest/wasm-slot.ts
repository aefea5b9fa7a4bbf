/**
 * One WebAssembly module's instance per process (per isolate on Workers), made on first use. Web-
 * standard only: the runtime entry installs a compiled module (Bun compiles the embedded bytes, a
 * Worker imports the bundled .wasm).
 */
export class WasmSlot<T extends { memory: WebAssembly.Memory }> {
  private module: WebAssembly.Module | null = null;
  private current: T | null = null;

  /**
   * WebAssembly memory only grows. Once a large body grew the instance past `keepBytes`, it is
   * dropped after that body and the next one starts from a fresh, small one: a Worker isolate has
   * 128 MB, and one 10 MiB body would otherwise keep tens of MB for the isolate's lifetime.
   */
  constructor(private readonly keepBytes = 16 << 20) {}

  /** null: none, every body takes the JS path. */
  install(module: WebAssembly.Module | null): void {
    this.module = module;
    this.current = null;
  }

  get installed(): boolean {
    return this.module !== null;
  }

  /** The instance (a new one after install or release), or null without a module. */
  instance(): T | null {
    if (this.current === null && this.module !== null) this.current = new WebAssembly.Instance(this.module, {}).exports as unknown as T;
    return this.current;
  }

  /** Drops an instance a large body grew, once that body's results have been read. */
  release(): void {
    if (this.current !== null && this.current.memory.buffer.byteLength > this.keepBytes) this.current = null;
  }

  /** The instance's memory in bytes (0 without one); tests watch it drop after a large body. */
  memoryBytes(): number {
    return this.current === null ? 0 : this.current.memory.buffer.byteLength;
  }
}

/** A module from its base64 bytes (the embedded copies Bun compiles at start-up, and tests). */
export function wasmModuleFromBase64(base64: string): WebAssembly.Module {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new WebAssembly.Module(bytes);
}
