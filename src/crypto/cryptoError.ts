/**
 * Typed errors of the crypto layer. Only local misuse and decoding of human input (bech32 text, derivation paths)
 * throw; signature checks on network bytes return false instead.
 */
import { NodeError } from "../util/nodeError.js";

export const CryptoErrorCode = {
  /** TIP-11 / BIP-173 syntax: length, mixed case, separator, character set or 5-to-8-bit padding. */
  INVALID_BECH32: "CRYPTO_ERROR_INVALID_BECH32",
  BECH32_CHECKSUM: "CRYPTO_ERROR_BECH32_CHECKSUM",
  /** The human-readable part is not the one this network uses (`iota` mainnet, `atoi` testnets). */
  BECH32_HRP_MISMATCH: "CRYPTO_ERROR_BECH32_HRP_MISMATCH",
  /** A serialized address is 33 bytes: type byte ‖ 32-byte hash. */
  INVALID_ADDRESS_LENGTH: "CRYPTO_ERROR_INVALID_ADDRESS_LENGTH",
  /** TIP-11: only address type 0 (Ed25519) exists in Chrysalis. */
  UNKNOWN_ADDRESS_TYPE: "CRYPTO_ERROR_UNKNOWN_ADDRESS_TYPE",
  INVALID_DERIVATION_PATH: "CRYPTO_ERROR_INVALID_DERIVATION_PATH",
  /** SLIP-10 defines only hardened derivation for Ed25519. */
  NON_HARDENED_DERIVATION: "CRYPTO_ERROR_NON_HARDENED_DERIVATION",
  INVALID_SEED: "CRYPTO_ERROR_INVALID_SEED",
} as const;
export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

/** Every crypto error code, for docs/errors.md and its test. */
export const CRYPTO_ERROR_CODES: readonly CryptoErrorCode[] = Object.values(CryptoErrorCode);

export class CryptoError extends NodeError<{ code: CryptoErrorCode }> {}
