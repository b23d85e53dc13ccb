/**
 * Checks shared by every backend, run before a backend touches its data, so an invalid op leaves the store unchanged
 * and both backends reject exactly the same inputs.
 */
import type { KvOp } from "./kv.js";
import { StorageError } from "./storageError.js";

/**
 * LMDB's default compiled-in maximum key size. lmdb-js is built with a larger limit (1978), but our longest key
 * (an indexation entry) is 98 bytes, and holding every backend to the portable limit keeps the memory backend from
 * accepting keys a standard LMDB build would reject.
 */
export const KV_KEY_LENGTH_MAX = 511;

export function assertKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new StorageError("STORAGE_ERROR_INVALID_KEY", "key is not a Uint8Array");
  // LMDB rejects empty keys (MDB_BAD_VALSIZE).
  if (key.length === 0 || key.length > KV_KEY_LENGTH_MAX) {
    throw new StorageError(
      "STORAGE_ERROR_INVALID_KEY",
      `key length ${key.length} is outside 1..${KV_KEY_LENGTH_MAX} bytes`,
    );
  }
}

export function validateOps(ops: readonly KvOp[]): void {
  if (!Array.isArray(ops)) throw new StorageError("STORAGE_ERROR_INVALID_OP", "batch ops must be an array");
  for (let i = 0; i < ops.length; i++) {
    const op: unknown = ops[i];
    if (typeof op !== "object" || op === null) {
      throw new StorageError("STORAGE_ERROR_INVALID_OP", `batch op ${i} is not an object`);
    }
    const { type, key } = op as { type?: unknown; key?: unknown };
    if (type !== "put" && type !== "del") {
      throw new StorageError("STORAGE_ERROR_INVALID_OP", `batch op ${i} has type ${String(type)}, not put or del`);
    }
    assertKey(key);
    if (type === "put" && !((op as { value?: unknown }).value instanceof Uint8Array)) {
      throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `batch op ${i} puts a value that is not a Uint8Array`);
    }
  }
}
