/**
 * The mining loop shared by the worker threads and the calling-thread miner: calls a kernel's `mine` in chunks of
 * about 1 ms. Short chunks matter twice (PERFORMANCE.md §1): V8 does not on-stack-replace a running WASM function,
 * so only a fresh call picks up the optimized tier, and the stop check between chunks is what makes cancellation
 * and "another worker found it" quick.
 */
import type { CurlKernel } from "./curlKernel.js";

/** Wall time one chunk aims at. */
const CHUNK_MS = 1;
/** Bounds for the adaptive chunk size, in batches: 4096 × 128 hashes is about 0.15 s even at full speed. */
const MAX_BATCHES = 4096;

export interface ChunkedRunResult {
  nonce: bigint | null;
  hashes: number;
  /** Counter after the last batch run (where a continuation would start). */
  next: bigint;
}

export class ChunkedMiner {
  /** Batches per chunk, adapted after every chunk; kept between jobs because the kernel stays warm. */
  private batches = 1;

  constructor(readonly kernel: CurlKernel) {}

  /**
   * Mines from counter `start` until a nonce with `zeros` trailing zero trits is found, `end` (exclusive) is
   * reached, `shouldStop()` returns true (checked between chunks), or `maxMs` of wall time has passed.
   */
  run(start: bigint, end: bigint, zeros: number, shouldStop: () => boolean, maxMs = Number.POSITIVE_INFINITY) {
    const kernel = this.kernel;
    const began = performance.now();
    let counter = start;
    let hashes = 0;
    while (counter < end && !shouldStop()) {
      const left = end - counter;
      const n = left < BigInt(this.batches) ? Number(left) : this.batches;
      const t0 = performance.now();
      const r = kernel.mine(counter, n, zeros);
      const t1 = performance.now();
      hashes += r.batches * kernel.lanes;
      counter += BigInt(r.batches);
      if (r.nonce !== null) return { nonce: r.nonce, hashes, next: counter } satisfies ChunkedRunResult;
      this.adapt(n, t1 - t0);
      if (t1 - began >= maxMs) break;
    }
    return { nonce: null, hashes, next: counter } satisfies ChunkedRunResult;
  }

  private adapt(batches: number, ms: number): void {
    if (batches < this.batches) return;
    const scaled = ms > 0 ? Math.round((batches * CHUNK_MS) / ms) : batches * 2;
    // Grow at most 2× per chunk, so one fast outlier (timer resolution) cannot make a chunk take far too long.
    this.batches = Math.max(1, Math.min(MAX_BATCHES, scaled, batches * 2));
  }
}
