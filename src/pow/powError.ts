import { NodeError } from "../util/nodeError.js";

/** Stable codes of every PoW failure (ARCHITECTURE.md habit 4). */
export type PowErrorType =
  | { code: "POW_ERROR_INVALID_SCORE"; score: number }
  | { code: "POW_ERROR_MESSAGE_TOO_SHORT"; length: number }
  | { code: "POW_ERROR_TARGET_UNREACHABLE"; score: number; zeros: number }
  | { code: "POW_ERROR_INVALID_THREADS"; threads: number }
  | { code: "POW_ERROR_ABORTED" }
  | { code: "POW_ERROR_POOL_CLOSED" }
  | { code: "POW_ERROR_NONCE_SPACE_EXHAUSTED" }
  | { code: "POW_ERROR_WORKER_FAILED"; reason: string }
  | { code: "POW_ERROR_WASM_SIMD_UNAVAILABLE" };

export class PowError extends NodeError<PowErrorType> {}

export function powAbortedError(): PowError {
  return new PowError({ code: "POW_ERROR_ABORTED" }, "the PoW job was aborted");
}
