/**
 * Batched PoW validation (TIP-12): the scores of many messages at once, one bitsliced transform per `lanes`
 * messages (128 with WASM SIMD) instead of one Curl transform each (PERFORMANCE.md §2).
 *
 * Not reentrant: it owns one kernel and fills it synchronously; use one validator per thread.
 */
import { powDigest } from "../crypto/powScore.js";
import { CURL_HASH_TRITS, NONCE_LENGTH } from "../params/protocol.js";
import { b1t6EncodeInto } from "../primitives/ternary.js";
import { createCurlKernel, type KernelChoice } from "./createCurlKernel.js";
import type { CurlKernel } from "./curlKernel.js";
import { DIGEST_TRITS } from "./curlLayout.js";
import { PowError } from "./powError.js";

export class PowBatchValidator {
  private readonly kernel: CurlKernel;
  /** One lane's input: digest trits, nonce trits, then TIP-12's three zero trits (never written). */
  private readonly trits = new Int8Array(CURL_HASH_TRITS);

  constructor(kernel: KernelChoice = "auto") {
    // The kernel's capacity trits start at zero and this class only ever writes the first 243 trits of a lane.
    this.kernel = createCurlKernel(kernel);
  }

  get lanes(): number {
    return this.kernel.lanes;
  }

  /**
   * TIP-12 trailing zero trits for each (digest, nonce) pair: `digests[i]` is a 32-byte PoW digest and
   * `nonces[i]` the 8 nonce bytes (little-endian, as they appear in the message).
   */
  trailingZeros(digests: readonly Uint8Array[], nonces: readonly Uint8Array[]): Uint8Array {
    const out = new Uint8Array(digests.length);
    const kernel = this.kernel;
    const lanes = kernel.lanes;
    for (let base = 0; base < digests.length; base += lanes) {
      const n = Math.min(lanes, digests.length - base);
      for (let lane = 0; lane < n; lane++) {
        b1t6EncodeInto(digests[base + lane]!, this.trits, 0);
        b1t6EncodeInto(nonces[base + lane]!, this.trits, DIGEST_TRITS);
        kernel.setInput(lane, this.trits);
      }
      kernel.transform();
      for (let lane = 0; lane < n; lane++) out[base + lane] = kernel.trailingZeros(lane);
    }
    return out;
  }

  /** TIP-12 scores (`3^z / length`, as iota.js `PowHelper.score`) of whole messages, nonce included. */
  scores(messages: readonly Uint8Array[]): Float64Array {
    const digests: Uint8Array[] = [];
    const nonces: Uint8Array[] = [];
    for (const m of messages) {
      if (m.length < NONCE_LENGTH) {
        throw new PowError(
          { code: "POW_ERROR_MESSAGE_TOO_SHORT", length: m.length },
          `a message needs at least the ${NONCE_LENGTH}-byte nonce field to have a PoW score, got ${m.length} bytes`,
        );
      }
      digests.push(powDigest(m));
      nonces.push(m.subarray(m.length - NONCE_LENGTH));
    }
    const zeros = this.trailingZeros(digests, nonces);
    const out = new Float64Array(messages.length);
    for (let i = 0; i < messages.length; i++) out[i] = 3 ** zeros[i]! / messages[i]!.length;
    return out;
  }
}
