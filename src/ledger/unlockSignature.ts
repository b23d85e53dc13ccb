/**
 * The check one signature unlock block must pass for the address it unlocks (TIP-7 §3.4 step 2, iota.go
 * `Ed25519Signature.Valid`): the public key hashes to the address, then the signature verifies over the essence
 * hash. White flag calls this once per distinct input address; both failures are conflict 5.
 */
import type { Ed25519Signature } from "../codec/index.js";
import { blake2b256 } from "../crypto/blake2b.js";
import { equalBytes } from "../primitives/bytes.js";
import type { SignatureVerifier } from "./types.js";

/**
 * True when `signature` unlocks the Ed25519 `address` (32-byte hash) for a transaction whose essence hashes to
 * `essenceHash`. The key is hashed exactly as given (TIP-14: non-canonical encodings are not reduced first), and
 * the address is compared before the costly verification.
 */
export function verifySignatureUnlock(
  address: Uint8Array,
  signature: Ed25519Signature,
  essenceHash: Uint8Array,
  verify: SignatureVerifier,
): boolean {
  if (!equalBytes(blake2b256(signature.publicKey), address)) return false;
  return verify(signature.publicKey, essenceHash, signature.signature);
}
