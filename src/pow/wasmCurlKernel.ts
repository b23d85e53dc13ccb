/**
 * Loader and TypeScript side of the 128-lane WASM SIMD kernel (wasm/curlKernelWat.ts). The module is compiled once
 * per thread, synchronously, on first use; each `WasmCurlKernel` has its own instance and memory.
 */
import { readFileSync } from "node:fs";
import { B1T6_TABLE } from "../primitives/ternary.js";
import type { CurlKernel, MineChunkResult } from "./curlKernel.js";
import {
  CURL_HASH_TRITS,
  CURL_STATE_TRITS,
  DIGEST_TRITS,
  LANE_BYTE_TRITS,
  NONCE_TRITS,
  nonceOf,
  WASM_B1T6,
  WASM_COUNTER,
  WASM_LANES,
  WASM_STATE0,
  WASM_TEMPLATE,
  WASM_TRIT_BYTES,
} from "./curlLayout.js";
import { PowError } from "./powError.js";
import { type WasmApi, type WasmMemory, wasmApi } from "./wasmApi.js";

interface KernelExports {
  memory: WasmMemory;
  transform(): void;
  mine(batches: number, zeros: number): number;
}

/** The smallest module using a v128 instruction: `(func (result v128) (v128.const i64x2 0 0))`. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 11,
]);

/** Whether this runtime supports WebAssembly fixed-width SIMD. */
export function wasmSimdSupported(): boolean {
  return wasmApi?.validate(SIMD_PROBE) === true;
}

let compiled: object | undefined;

function kernelModule(api: WasmApi): object {
  if (compiled === undefined) {
    compiled = new api.Module(readFileSync(new URL("./wasm/curlKernel.wasm", import.meta.url)));
  }
  return compiled;
}

const T32 = WASM_TRIT_BYTES / 4;
const TEMPLATE32 = WASM_TEMPLATE / 4;
const STATE0_32 = WASM_STATE0 / 4;

export class WasmCurlKernel implements CurlKernel {
  readonly kind = "wasm-simd";
  readonly lanes = WASM_LANES;
  private readonly exports: KernelExports;
  /** Views of the instance memory; it never grows, so they stay valid. */
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor() {
    if (wasmApi === undefined || !wasmSimdSupported()) {
      throw new PowError({ code: "POW_ERROR_WASM_SIMD_UNAVAILABLE" }, "this runtime has no WebAssembly SIMD");
    }
    const instance = new wasmApi.Instance(kernelModule(wasmApi), {});
    this.exports = instance.exports as unknown as KernelExports;
    const buffer = this.exports.memory.buffer;
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    // b1t6 rows of every byte value as (l, H) masks: l is set for 0 and −1, H only for −1.
    for (let b = 0; b < 256; b++) {
      for (let t = 0; t < 6; t++) {
        const v = B1T6_TABLE[b * 6 + t]!;
        this.bytes[WASM_B1T6 + b * 12 + 2 * t] = v !== 1 ? 0xff : 0;
        this.bytes[WASM_B1T6 + b * 12 + 2 * t + 1] = v === -1 ? 0xff : 0;
      }
    }
    this.setAll(0, CURL_STATE_TRITS, 0);
  }

  /** Sets trits [from, to) of the template to `v` in every lane. */
  private setAll(from: number, to: number, v: number): void {
    const l = v !== 1 ? -1 : 0;
    const h = v === -1 ? -1 : 0;
    for (let i = from; i < to; i++) {
      const w = TEMPLATE32 + i * T32;
      this.words.fill(l, w, w + 4);
      this.words.fill(h, w + 4, w + 8);
    }
  }

  clearInputs(): void {
    this.setAll(0, CURL_STATE_TRITS, 0);
  }

  setInput(lane: number, trits: Int8Array): void {
    this.setLaneRange(lane, trits, 0, Math.min(trits.length, CURL_STATE_TRITS));
  }

  transform(): void {
    this.exports.transform();
  }

  outputTrit(lane: number, index: number): number {
    const w = STATE0_32 + index * T32 + (lane >>> 5);
    const bit = 1 << (lane & 31);
    const l = (this.words[w]! & bit) !== 0;
    const h = (this.words[w + 4]! & bit) !== 0;
    return l === h ? 0 : h ? 1 : -1;
  }

  trailingZeros(lane: number): number {
    const bit = 1 << (lane & 31);
    let w = STATE0_32 + (CURL_HASH_TRITS - 1) * T32 + (lane >>> 5);
    let z = 0;
    while (z < CURL_HASH_TRITS && (this.words[w]! & this.words[w + 4]! & bit) !== 0) {
      z++;
      w -= T32;
    }
    return z;
  }

  setMiningDigest(digest: Uint8Array): void {
    // Digest trits are the same in every lane.
    for (let b = 0; b < digest.length; b++) {
      for (let t = 0; t < 6; t++) this.setAll(b * 6 + t, b * 6 + t + 1, B1T6_TABLE[digest[b]! * 6 + t]!);
    }
    // The lowest nonce byte is the lane number (nonceOf), so its trits differ per lane but not per batch.
    const trits = new Int8Array(DIGEST_TRITS + LANE_BYTE_TRITS);
    for (let lane = 0; lane < WASM_LANES; lane++) {
      trits.set(B1T6_TABLE.subarray(lane * 6, lane * 6 + 6), DIGEST_TRITS);
      this.setLaneRange(lane, trits, DIGEST_TRITS, DIGEST_TRITS + LANE_BYTE_TRITS);
    }
    // TIP-12: three zero trits after the nonce, and the capacity starts at zero.
    this.setAll(DIGEST_TRITS + NONCE_TRITS, CURL_STATE_TRITS, 0);
  }

  private setLaneRange(lane: number, trits: Int8Array, from: number, to: number): void {
    const words = this.words;
    const bit = 1 << (lane & 31);
    for (let i = from; i < to; i++) {
      const w = TEMPLATE32 + i * T32 + (lane >>> 5);
      const v = trits[i]!;
      words[w] = v !== 1 ? words[w]! | bit : words[w]! & ~bit;
      words[w + 4] = v === -1 ? words[w + 4]! | bit : words[w + 4]! & ~bit;
    }
  }

  mine(counter: bigint, batches: number, zeros: number): MineChunkResult {
    this.view.setBigUint64(WASM_COUNTER, counter, true);
    const lane = this.exports.mine(batches, zeros);
    const end = this.view.getBigUint64(WASM_COUNTER, true);
    if (lane < 0) return { nonce: null, batches };
    return { nonce: nonceOf(end, lane), batches: Number(end - counter) + 1 };
  }
}
