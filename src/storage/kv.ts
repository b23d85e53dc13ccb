/**
 * The key-value contract every storage backend meets (ARCHITECTURE.md §2.2, habit 11). Keys and values are raw bytes;
 * keys sort by unsigned byte order (0x7f before 0x80, a prefix before its extensions), so big-endian integers in keys
 * iterate in numeric order. test/conformance/kvStore.test.ts runs one suite against every backend.
 */

/** One write of a batch. A later op on the same key wins over an earlier one. */
export type KvOp = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

/**
 * A key range. All bounds combine: a key is visited when it starts with `prefix`, is >= `start` and is < `end`.
 * `reverse` only changes the order of the visit (descending), never which keys are in range; `limit` caps the number
 * of pairs yielded.
 */
export interface KvRange {
  prefix?: Uint8Array;
  /** Inclusive lower bound. */
  start?: Uint8Array;
  /** Exclusive upper bound. */
  end?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

export interface KvStore {
  /** The value stored under `key`, as a fresh copy the caller may keep and mutate; undefined if absent. */
  get(key: Uint8Array): Uint8Array | undefined;
  has(key: Uint8Array): boolean;
  /**
   * Applies every op in ONE atomic transaction. The only effects of running this are the puts and deletes listed:
   * either all of them or, when the promise rejects, none. The promise resolves once the transaction is durable (a
   * crash after that keeps it; a crash before keeps the store as it was). Invalid ops reject with
   * STORAGE_ERROR_INVALID_* before anything is written.
   */
  batch(ops: readonly KvOp[]): Promise<void>;
  /**
   * [key, value] pairs in the range, in unsigned byte order of keys (descending with `reverse`), each a fresh copy.
   * The walk reads one consistent snapshot only if the caller does not await between steps.
   */
  iterate(range?: KvRange): IterableIterator<[Uint8Array, Uint8Array]>;
  /** Number of keys that start with `prefix` (all keys when omitted). */
  count(prefix?: Uint8Array): number;
  /**
   * Bytes the stored data occupies now, for size-based pruning: it shrinks when keys are deleted (unlike a database
   * file, which LMDB never truncates). A backend's own measure (pages in use, or key and value bytes), so compare it
   * only with values from the same backend.
   */
  sizeBytes(): number;
  /** Waits for pending batches, then releases the store. Every later call fails with STORAGE_ERROR_CLOSED. */
  close(): Promise<void>;
}
