/**
 * Why white flag refused a transaction (chrysalis.md §10.4): the codes Hornet and Bee store in message metadata and
 * serve over REST. TIP-13's own numbering differs and no node uses it. A conflict is a verdict, never an error: the
 * message stays referenced and the rest of the milestone is applied.
 */
export const ConflictReason = {
  NONE: 0,
  /** An input was spent by an earlier milestone. */
  INPUT_UTXO_ALREADY_SPENT: 1,
  /** An input was spent by an earlier transaction of the same milestone (the white-flag double spend). */
  INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE: 2,
  /** An input does not exist in the ledger nor earlier in this milestone. */
  INPUT_UTXO_NOT_FOUND: 3,
  /** The inputs do not add up to the outputs. */
  INPUT_OUTPUT_SUM_MISMATCH: 4,
  /** A signature does not verify, or a public key does not hash to the address it unlocks. */
  INVALID_SIGNATURE: 5,
  /** Booking the transaction would leave an address with more dust outputs than its allowance permits (TIP-15). */
  INVALID_DUST_ALLOWANCE: 6,
  /** Any other semantic failure (for example a second signature block for an address already unlocked). */
  SEMANTIC_VALIDATION_FAILED: 255,
} as const;

export type ConflictReason = (typeof ConflictReason)[keyof typeof ConflictReason];

export const CONFLICT_REASONS: readonly ConflictReason[] = Object.values(ConflictReason);
