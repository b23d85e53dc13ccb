/**
 * Failures of the tangle layer that are broken invariants or refused databases, never expected outcomes (an unknown
 * parent is a state, not an error). docs/errors.md lists them; test/unit/docs/errorsDoc.test.ts keeps it in step.
 */
import { NodeError } from "../util/nodeError.js";

export const TANGLE_ERROR_CODES = [
  /** The database was written by a layout version this build does not read. */
  "TANGLE_ERROR_DATABASE_VERSION",
  /** The tangle was used after close(). */
  "TANGLE_ERROR_CLOSED",
  /** A metadata change was asked for a message that is not stored. */
  "TANGLE_ERROR_UNKNOWN_MESSAGE",
  /** Tip selection was asked while the node is not almost synced (chrysalis.md §7). */
  "TANGLE_ERROR_NOT_SYNCED",
  /** Tip selection found no non-lazy tip. */
  "TANGLE_ERROR_NO_TIPS",
  /** A pruning target at or below the pruning index, or above CMI − (BMD + 5) (Hornet's solid entry point window). */
  "TANGLE_ERROR_PRUNING_TARGET",
] as const;

export type TangleErrorCode = (typeof TANGLE_ERROR_CODES)[number];

export class TangleError extends NodeError<{ code: TangleErrorCode }> {
  constructor(code: TangleErrorCode, message: string) {
    super({ code }, message);
  }
}
