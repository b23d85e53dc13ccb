/**
 * Single-shot miner on the calling thread: no worker round trip, so handy for tests and small scores. It yields to
 * the event loop about every 50 ms (ARCHITECTURE.md habit 9), which is also when `signal` is honoured.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { ChunkedMiner } from "./chunkedMiner.js";
import { createCurlKernel, type KernelChoice } from "./createCurlKernel.js";
import { COUNTER_MAX } from "./curlLayout.js";
import { PowError, powAbortedError } from "./powError.js";
import { preparePowJob } from "./powJob.js";

export interface PowResult {
  /** A nonce giving the message (with this nonce in its last 8 bytes) at least the target score. */
  nonce: bigint;
  /** Nonces tried. */
  hashes: number;
  /** Wall time of the search. */
  seconds: number;
}

export interface MineOnThisThreadOptions {
  signal?: AbortSignal;
  /** Default `auto` (WASM SIMD when available). */
  kernel?: KernelChoice;
}

const SLICE_MS = 50;

/** Idle miners by kernel choice; a call takes one, so concurrent calls never share a kernel's mining state. */
const idle = new Map<KernelChoice, ChunkedMiner[]>();

export async function mineOnThisThread(
  message: Uint8Array,
  targetScore: number,
  options: MineOnThisThreadOptions = {},
): Promise<PowResult> {
  const { digest, zeros } = preparePowJob(message, targetScore);
  const choice = options.kernel ?? "auto";
  const signal = options.signal;
  if (signal?.aborted) throw powAbortedError();
  const free = idle.get(choice) ?? [];
  idle.set(choice, free);
  const miner = free.pop() ?? new ChunkedMiner(createCurlKernel(choice));
  const began = performance.now();
  let counter = 0n;
  let hashes = 0;
  try {
    for (;;) {
      miner.kernel.setMiningDigest(digest);
      const r = miner.run(counter, COUNTER_MAX + 1n, zeros, () => signal?.aborted === true, SLICE_MS);
      hashes += r.hashes;
      counter = r.next;
      if (r.nonce !== null) return { nonce: r.nonce, hashes, seconds: (performance.now() - began) / 1000 };
      if (counter > COUNTER_MAX) {
        throw new PowError({ code: "POW_ERROR_NONCE_SPACE_EXHAUSTED" }, "no nonce reaches the target score");
      }
      await yieldToEventLoop();
      if (signal?.aborted) throw powAbortedError();
    }
  } finally {
    free.push(miner);
  }
}
