/**
 * Failures of the ledger layer. None of them is a conflicting transaction (that is a verdict, see conflictReason.ts):
 * each one means the node cannot go on safely (a milestone that disagrees with our ledger, a broken invariant) or a
 * refused input (a snapshot that does not fit). docs/errors.md lists them; test/unit/docs/errorsDoc.test.ts keeps it
 * in step.
 */
import { NodeError } from "../util/nodeError.js";

export const LEDGER_ERROR_CODES = [
  /** TIP-4: the Merkle root of the included messages differs from the milestone's inclusionMerkleProof. Fatal. */
  "LEDGER_ERROR_MERKLE_MISMATCH",
  /** TIP-17: a milestone's receipt does not fit the treasury or the earlier receipts. Fatal. */
  "LEDGER_ERROR_RECEIPT_INVALID",
  /** A milestone was applied or rolled back out of order (not ledger index + 1, or not the ledger index). */
  "LEDGER_ERROR_INDEX_MISMATCH",
  /** A stored ledger record could not be decoded, or an invariant of the stored ledger does not hold. */
  "LEDGER_ERROR_CORRUPT",
] as const;

export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

export class LedgerError extends NodeError<{ code: LedgerErrorCode }> {
  constructor(code: LedgerErrorCode, message: string) {
    super({ code }, message);
  }
}
