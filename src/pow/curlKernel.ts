/**
 * The interface both bitsliced Curl-P-81 kernels implement (WASM SIMD with 128 lanes, pure TS with 32 lanes).
 * A kernel is a synchronous, non-reentrant object owning its scratch state: use one per thread.
 */
export interface CurlKernel {
  readonly kind: "wasm-simd" | "ts";
  /** Independent Curl states hashed by one transform. */
  readonly lanes: number;

  /** Sets all 729 state trits of every lane to 0 (call before `setInput` when not every lane is used). */
  clearInputs(): void;
  /**
   * Sets the first `trits.length` (≤ 729) state trits of one lane; the others keep their value. One absorb of a
   * 243-trit block into a fresh sponge is `clearInputs()` + `setInput(lane, block)`.
   */
  setInput(lane: number, trits: Int8Array): void;
  /** Runs the 81 Curl-P-81 rounds on every lane's state. */
  transform(): void;
  /** Trit `index` (0..728) of `lane`'s state after the last `transform`; trits 0..242 are the hash. */
  outputTrit(lane: number, index: number): number;
  /** TIP-12: number of trailing zero trits of the last hash of `lane`, counted from trit 242 downwards. */
  trailingZeros(lane: number): number;

  /** Fixes the 192 digest trits for `mine` (TIP-12: b1t6 of the BLAKE2b-256 PoW digest). */
  setMiningDigest(digest: Uint8Array): void;
  /**
   * Tries `batches` consecutive counters from `counter` (each batch: one nonce per lane, see `nonceOf`) and returns
   * the first nonce whose hash has at least `zeros` trailing zero trits, or null.
   */
  mine(counter: bigint, batches: number, zeros: number): MineChunkResult;
}

export interface MineChunkResult {
  /** The nonce found, or null. */
  nonce: bigint | null;
  /** Batches run, each `lanes` hashes: all of them, or up to and including the batch of the nonce found. */
  batches: number;
}
