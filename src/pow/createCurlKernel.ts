import type { CurlKernel } from "./curlKernel.js";
import { TsCurlKernel } from "./tsCurlKernel.js";
import { WasmCurlKernel, wasmSimdSupported } from "./wasmCurlKernel.js";

/** Which kernel to use: `auto` picks WASM SIMD when the runtime validates a SIMD module, else the TS fallback. */
export type KernelChoice = "auto" | "wasm" | "ts";

export function createCurlKernel(choice: KernelChoice = "auto"): CurlKernel {
  if (choice === "ts" || (choice === "auto" && !wasmSimdSupported())) return new TsCurlKernel();
  return new WasmCurlKernel();
}
