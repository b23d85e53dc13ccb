/**
 * The part of the WebAssembly JS API this package uses. The tsconfig `lib` has no DOM and @types/node 20 does not
 * declare the `WebAssembly` namespace, so the global is typed here once.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
