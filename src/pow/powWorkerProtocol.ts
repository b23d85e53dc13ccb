/** Messages between the PoW pool (powPool.ts) and its worker threads (powWorker.ts). */
import type { KernelChoice } from "./createCurlKernel.js";

/** workerData of every PoW worker. */
export interface PowWorkerData {
  kernel: KernelChoice;
}

/**
 * Control word of a job, shared by the pool and all its workers (Int32Array over a SharedArrayBuffer): RUNNING until
 * a worker wins the compare-and-swap to FOUND, or the pool stores STOPPED (abort, close, worker failure). Workers
 * read it between chunks, so everyone stops within about a chunk (1 ms) without a message round trip.
 */
export const CONTROL_RUNNING = 0;
export const CONTROL_FOUND = 1;
export const CONTROL_STOPPED = 2;

export interface PowJobRequest {
  type: "job";
  id: number;
  digest: Uint8Array;
  zeros: number;
  /** This worker's counter range [start, end). */
  start: bigint;
  end: bigint;
  control: SharedArrayBuffer;
}

export type PowWorkerReply =
  | { type: "ready"; kernel: "wasm-simd" | "ts" }
  | { type: "done"; id: number; nonce: bigint | null; hashes: number }
  | { type: "error"; id: number; message: string };
