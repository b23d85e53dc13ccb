/**
 * Every way the key-value layer can fail, one stable code per cause. docs/errors.md lists them;
 * test/unit/docs/errorsDoc.test.ts keeps the two in step.
 */
import { NodeError } from "../util/nodeError.js";

export const STORAGE_ERROR_CODES = [
  "STORAGE_ERROR_OPEN_FAILED",
  "STORAGE_ERROR_CLOSED",
  "STORAGE_ERROR_INVALID_OP",
  "STORAGE_ERROR_INVALID_KEY",
  "STORAGE_ERROR_INVALID_VALUE",
  "STORAGE_ERROR_WRITE_FAILED",
  "STORAGE_ERROR_CORRUPT_VALUE",
] as const;

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

export class StorageError extends NodeError<{ code: StorageErrorCode }> {
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super({ code }, message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
