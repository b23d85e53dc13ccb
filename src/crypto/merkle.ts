/**
 * Merkle tree hash of a milestone's included messages (TIP-4, chrysalis.md §6.3), H = BLAKE2b-256:
 * MTH([]) = H(""), MTH([d]) = H(0x00 ‖ d), MTH(D) = H(0x01 ‖ MTH(D[0..k)) ‖ MTH(D[k..n))) with k the largest power
 * of two strictly less than n. The recursion works on index ranges (no slicing) and is log2(n) deep.
 */
import { ID_LENGTH } from "../params/protocol.js";
import { blake2b256, blake2b256Parts } from "./blake2b.js";

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** TIP-4 root over message ids (32 bytes each) in white-flag order. */
export function merkleRoot(ids: readonly Uint8Array[]): Uint8Array {
  for (const id of ids) {
    if (id.length !== ID_LENGTH) throw new RangeError(`merkleRoot: ids are ${ID_LENGTH} bytes, got ${id.length}`);
  }
  if (ids.length === 0) return blake2b256(new Uint8Array(0));
  return subtreeRoot(ids, 0, ids.length);
}

function subtreeRoot(ids: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) return blake2b256Parts(LEAF_PREFIX, ids[start]!);
  // Largest power of two strictly below n (n ≥ 2): 2^floor(log2(n − 1)).
  const k = 1 << (31 - Math.clz32(n - 1));
  const left = subtreeRoot(ids, start, start + k);
  const right = subtreeRoot(ids, start + k, end);
  return blake2b256Parts(NODE_PREFIX, left, right);
}
