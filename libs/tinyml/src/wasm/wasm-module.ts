/** Compiles the interpreter's WebAssembly kernels once each; null where WebAssembly SIMD is unavailable. */
const compiled = new Map<string, WebAssembly.Module | null>();

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
  return bytes;
}

export function compileWasm(hex: string): WebAssembly.Module | null {
  const cached = compiled.get(hex);
  if (cached !== undefined) return cached;
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  const bytes = hexBytes(hex);
  const module = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  compiled.set(hex, module);
  return module;
}

export const WASM_PAGE_BYTES = 65536;

/** A fresh instance of `module` with its own memory of at least `bytes`. */
export function instantiate(
  module: WebAssembly.Module,
  bytes: number,
): { memory: WebAssembly.Memory; exports: WebAssembly.Exports } {
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES)) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports };
}

export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
