/**
 * Failures of milestone configuration and milestone building. An invalid milestone *received* is not an error: the
 * validator returns a verdict for it (chrysalis.md §5.3). docs/errors.md lists these codes; test/unit/docs/errorsDoc
 * keeps it in step.
 */
import { NodeError } from "../util/nodeError.js";

export const MILESTONE_ERROR_CODES = [
  /** The key-range config is not a non-empty array of `{key, start, end}` objects. */
  "MILESTONE_ERROR_KEY_RANGES_FORMAT",
  /** A key-range key is not a 32-byte Ed25519 public key (64 hex characters, no `0x`). */
  "MILESTONE_ERROR_KEY_RANGE_KEY",
  /** A key-range start or end is not an integer milestone index in 0..2^32-1. */
  "MILESTONE_ERROR_KEY_RANGE_INDEX",
  /** A key range ends before it starts (end ≠ 0 and end < start). */
  "MILESTONE_ERROR_KEY_RANGE_ORDER",
  /** The same key with the same start and end is configured twice. */
  "MILESTONE_ERROR_KEY_RANGE_DUPLICATE",
  /** The signature threshold (`protocol.milestonePublicKeyCount`) is not an integer in 1..255. */
  "MILESTONE_ERROR_INVALID_THRESHOLD",
  /** A milestone field given to the builder is out of range or has the wrong length. */
  "MILESTONE_ERROR_INVALID_FIELD",
  /** After removing duplicates the milestone would have no parent or more than 8. */
  "MILESTONE_ERROR_PARENTS_COUNT",
  /** The builder got no signer or more than 255. */
  "MILESTONE_ERROR_SIGNERS_COUNT",
  /** Two signers have the same public key. */
  "MILESTONE_ERROR_DUPLICATE_SIGNER",
  /** The receipt given to the builder breaks a TIP-17 syntax rule. */
  "MILESTONE_ERROR_INVALID_RECEIPT",
  /** The milestone payload would be under 218 bytes, which iota.js 1.8.6 cannot deserialize (client-compat.md §8). */
  "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
  /** The milestone would not fit in a message of at most 32 KiB (TIP-6). */
  "MILESTONE_ERROR_MESSAGE_TOO_LARGE",
  /** A signer returned something that is not a valid signature of the essence hash under its public key. */
  "MILESTONE_ERROR_SIGNER_FAILED",
  /** A signing seed is not 32 bytes. */
  "MILESTONE_ERROR_INVALID_SEED",
  /**
   * The payload given to the message builder is not a syntactically valid milestone payload (TIP-8), or the message
   * bytes given to the validator carry no payload while the message carries a milestone.
   */
  "MILESTONE_ERROR_INVALID_PAYLOAD",
] as const;

export type MilestoneErrorCode = (typeof MILESTONE_ERROR_CODES)[number];

export interface MilestoneErrorType {
  code: MilestoneErrorCode;
  /** Which input is wrong, for example `keyRanges[3].end` or `signers[1]`. */
  path: string;
}

export class MilestoneError extends NodeError<MilestoneErrorType> {
  constructor(code: MilestoneErrorCode, path: string, message: string) {
    super({ code, path }, `${path}: ${message}`);
  }
}
