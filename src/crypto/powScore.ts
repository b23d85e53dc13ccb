/**
 * Message PoW score (TIP-12, chrysalis.md §2.1):
 * `score = 3^z / len(message)`, where z is the number of trailing zero trits of
 * Curl-P-81(b1t6(BLAKE2b-256(message without its 8-byte nonce)) ‖ b1t6(nonce bytes) ‖ 000).
 */
import { CURL_HASH_TRITS, NONCE_LENGTH } from "../params/protocol.js";
import { BLAKE2B_256_LENGTH, blake2b256 } from "./blake2b.js";
import { curlP81B1t6TrailingZeros } from "./curlP81.js";

/**
 * ln 3 rounded correctly to a double, as Go's `math.Log(3)` and iota.js `PowHelper.LN3` have it. V8's
 * `Math.log(3)` is one ulp lower, which could move `targetTrailingZeros` at an exact power of three.
 */
const LN3 = 1.0986122886681098;

const U64_MAX = (1n << 64n) - 1n;

/** Curl input bytes: the 32-byte digest then the 8 nonce bytes (240 trits, padded by Curl to 243). */
const curlInput = new Uint8Array(BLAKE2B_256_LENGTH + NONCE_LENGTH);
const curlInputView = new DataView(curlInput.buffer);

/** TIP-12: the PoW digest is BLAKE2b-256 of every byte of the message except the trailing 8-byte nonce. */
export function powDigest(message: Uint8Array): Uint8Array {
  if (message.length < NONCE_LENGTH) throw new RangeError(`PoW: a message of ${message.length} bytes has no nonce`);
  return blake2b256(message.subarray(0, message.length - NONCE_LENGTH));
}

/**
 * Trailing zero trits of the PoW hash for a digest and a nonce (8 little-endian bytes, or a u64). Uses the shared
 * Curl scratch state, so it is synchronous and not reentrant.
 */
export function powTrailingZeros(digest: Uint8Array, nonce: Uint8Array | bigint): number {
  if (digest.length !== BLAKE2B_256_LENGTH) throw new RangeError(`PoW: digest must be ${BLAKE2B_256_LENGTH} bytes`);
  curlInput.set(digest, 0);
  if (typeof nonce === "bigint") {
    if (nonce < 0n || nonce > U64_MAX) throw new RangeError(`PoW: nonce ${nonce} is not a u64`);
    curlInputView.setBigUint64(BLAKE2B_256_LENGTH, nonce, true);
  } else {
    if (nonce.length !== NONCE_LENGTH) throw new RangeError(`PoW: nonce must be ${NONCE_LENGTH} bytes`);
    curlInput.set(nonce, BLAKE2B_256_LENGTH);
  }
  return curlP81B1t6TrailingZeros(curlInput);
}

/** TIP-12 score from a digest, a nonce and the length of the whole message (nonce included). */
export function powScoreOfDigest(digest: Uint8Array, nonce: Uint8Array | bigint, messageLength: number): number {
  return 3 ** powTrailingZeros(digest, nonce) / messageLength;
}

/**
 * TIP-12 score of a serialized message (nonce = its last 8 bytes). A message shorter than a nonce scores 0, which
 * no minimum accepts, so untrusted bytes never make this throw.
 */
export function powScore(message: Uint8Array): number {
  if (message.length < NONCE_LENGTH) return 0;
  const digest = blake2b256(message.subarray(0, message.length - NONCE_LENGTH));
  return powScoreOfDigest(digest, message.subarray(message.length - NONCE_LENGTH), message.length);
}

/** Trailing zero trits of a hash (counted from the last trit down), as TIP-12 counts them. */
export function trailingZeroTrits(hash: Int8Array): number {
  let z = 0;
  for (let i = hash.length - 1; i >= 0 && hash[i] === 0; i--) z++;
  return z;
}

/**
 * Trailing zeros a miner must reach so that a message of `length` bytes scores at least `targetScore`:
 * `ceil(ln(length · targetScore) / ln 3)` (iota.go `Mine`, iota.js `PowHelper.calculateTargetZeros`), at most 243.
 */
export function targetTrailingZeros(length: number, targetScore: number): number {
  return Math.min(CURL_HASH_TRITS, Math.ceil(Math.log(length * targetScore) / LN3));
}
