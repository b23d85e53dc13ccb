/** Turns a KvRange into plain [lower, upper) bounds, the form both backends walk. */
import { compareBytes } from "../primitives/bytes.js";
import type { KvRange } from "./kv.js";
import { StorageError } from "./storageError.js";

export interface KeyBounds {
  /** Inclusive; undefined = from the first key. */
  lower: Uint8Array | undefined;
  /** Exclusive; undefined = to the last key. */
  upper: Uint8Array | undefined;
}

/**
 * The smallest key greater than every key that starts with `prefix`: drop trailing 0xff bytes and increment the last
 * remaining one. Undefined when the prefix is empty or all 0xff (no key sorts above its extensions).
 */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const out = prefix.slice(0, end);
  out[end - 1]!++;
  return out;
}

function assertBound(name: string, b: unknown): asserts b is Uint8Array | undefined {
  if (b !== undefined && !(b instanceof Uint8Array)) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `range ${name} is not a Uint8Array`);
  }
}

/** Bounds of the range, or undefined when it is certainly empty. */
export function resolveBounds(range: KvRange): KeyBounds | undefined {
  assertBound("prefix", range.prefix);
  assertBound("start", range.start);
  assertBound("end", range.end);
  let lower = range.start;
  let upper = range.end;
  const prefix = range.prefix;
  if (prefix !== undefined && prefix.length > 0) {
    if (lower === undefined || compareBytes(prefix, lower) > 0) lower = prefix;
    const prefixUpper = prefixUpperBound(prefix);
    if (prefixUpper !== undefined && (upper === undefined || compareBytes(prefixUpper, upper) < 0)) upper = prefixUpper;
  }
  if (lower !== undefined && lower.length === 0) lower = undefined;
  // No key sorts below the empty key.
  if (upper !== undefined && upper.length === 0) return undefined;
  if (lower !== undefined && upper !== undefined && compareBytes(lower, upper) >= 0) return undefined;
  return { lower, upper };
}

/** The range's limit as a count: Infinity when absent; must be a non-negative integer. */
export function resolveLimit(range: KvRange): number {
  const limit = range.limit;
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new StorageError("STORAGE_ERROR_INVALID_OP", `range limit ${limit} is not a non-negative integer`);
  }
  return limit;
}
