/**
 * Argument checks and the derived quantities of one mining job (TIP-12, chrysalis.md §2.1), shared by the worker
 * pool and the calling-thread miner.
 */
import { powDigest, targetTrailingZeros } from "../crypto/powScore.js";
import { CURL_HASH_TRITS, NONCE_LENGTH } from "../params/protocol.js";
import { PowError } from "./powError.js";

export interface PowJob {
  /** TIP-12: BLAKE2b-256 of the message without its 8-byte nonce. */
  digest: Uint8Array;
  /** Trailing zero trits a nonce needs so that the message scores at least the target. */
  zeros: number;
}

/**
 * The smallest z with `3^z / length >= targetScore`, computed exactly as iota.js `PowHelper.score` computes the
 * score (`Math.pow(3, z) / length`), so a nonce with z zeros passes its check even where `ceil(ln / ln 3)`
 * rounds the other way.
 */
export function requiredZeros(length: number, targetScore: number): number {
  let z = Math.max(0, targetTrailingZeros(length, targetScore));
  while (z < CURL_HASH_TRITS && 3 ** z / length < targetScore) z++;
  while (z > 0 && 3 ** (z - 1) / length >= targetScore) z--;
  if (3 ** z / length < targetScore) {
    throw new PowError(
      { code: "POW_ERROR_TARGET_UNREACHABLE", score: targetScore, zeros: z },
      `PoW score ${targetScore} needs more than ${CURL_HASH_TRITS} trailing zero trits for a ${length}-byte message`,
    );
  }
  return z;
}

/** Validates the arguments of a mining request and derives the digest and the trailing zeros to reach. */
export function preparePowJob(message: Uint8Array, targetScore: number): PowJob {
  if (!(message instanceof Uint8Array) || message.length < NONCE_LENGTH) {
    const length = message instanceof Uint8Array ? message.length : 0;
    throw new PowError(
      { code: "POW_ERROR_MESSAGE_TOO_SHORT", length },
      `a message to mine needs at least the ${NONCE_LENGTH}-byte nonce field, got ${length} bytes`,
    );
  }
  if (typeof targetScore !== "number" || !Number.isFinite(targetScore) || targetScore <= 0) {
    throw new PowError(
      { code: "POW_ERROR_INVALID_SCORE", score: targetScore },
      `the target PoW score must be a finite number above 0, got ${targetScore}`,
    );
  }
  return { digest: powDigest(message), zeros: requiredZeros(message.length, targetScore) };
}

/** A copy of `message` with its last 8 bytes replaced by `nonce` (u64, little-endian, TIP-6). */
export function withNonce(message: Uint8Array, nonce: bigint): Uint8Array {
  const out = message.slice();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(out.length - NONCE_LENGTH, nonce, true);
  return out;
}
