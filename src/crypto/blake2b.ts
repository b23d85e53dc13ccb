/**
 * BLAKE2b-256: BLAKE2b configured for a 32-byte digest (the digest length is in the parameter block, so this is
 * not BLAKE2b-512 truncated). Node 20's crypto cannot produce it (chrysalis.md §0.3); hash-wasm is the fastest
 * measured implementation here (PERFORMANCE.md §3), @noble/hashes is the test oracle.
 *
 * hash-wasm instantiates its WebAssembly asynchronously, so the hasher is created once with top-level await and
 * every call after module load is synchronous.
 */
import { createBLAKE2b, type IHasher } from "hash-wasm";

export const BLAKE2B_256_LENGTH = 32;

/**
 * One shared hasher. Reusing it is safe because every function below runs init → update → digest synchronously
 * with no await in between (JS is single-threaded per isolate), so no call can observe another's state.
 */
const hasher: IHasher = await createBLAKE2b(256);

export function blake2b256(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
}

/** BLAKE2b-256 of the concatenation of `parts`, without building the concatenation. */
export function blake2b256Parts(...parts: Uint8Array[]): Uint8Array {
  hasher.init();
  for (const p of parts) hasher.update(p);
  return hasher.digest("binary");
}
