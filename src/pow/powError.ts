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

/** Every PoW error code, for docs/errors.md and its test. */
export const POW_ERROR_CODES = [
  "POW_ERROR_INVALID_SCORE",
  "POW_ERROR_MESSAGE_TOO_SHORT",
  "POW_ERROR_TARGET_UNREACHABLE",
  "POW_ERROR_INVALID_THREADS",
  "POW_ERROR_ABORTED",
  "POW_ERROR_POOL_CLOSED",
  "POW_ERROR_NONCE_SPACE_EXHAUSTED",
  "POW_ERROR_WORKER_FAILED",
  "POW_ERROR_WASM_SIMD_UNAVAILABLE",
] as const satisfies readonly PowErrorType["code"][];

/** Compile-time check that the list above names every member of PowErrorType. */
type MissingPowCodes = Exclude<PowErrorType["code"], (typeof POW_ERROR_CODES)[number]>;
const _allPowCodesListed: MissingPowCodes extends never ? true : never = true;
void _allPowCodesListed;

export class PowError extends NodeError<PowErrorType> {}

export function powAbortedError(): PowError {
  return new PowError({ code: "POW_ERROR_ABORTED" }, "the PoW job was aborted");
}
