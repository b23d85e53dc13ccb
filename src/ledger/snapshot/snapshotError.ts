/**
 * Every way reading or writing a snapshot file (TIP-9 as Hornet and Bee write it, chrysalis.md §11) can fail. Reader
 * errors carry the byte offset in the file where the problem sits. docs/errors.md lists them.
 */
import { NodeError } from "../../util/nodeError.js";

export const SNAPSHOT_ERROR_CODES = [
  /** The file could not be opened, read, written, synced or renamed (the operating system's error is the cause). */
  "SNAPSHOT_ERROR_IO",
  /** The version byte is not 1, the only version Hornet 1.x and Bee write. */
  "SNAPSHOT_ERROR_UNSUPPORTED_VERSION",
  /** The type byte is neither 0 (full) nor 1 (delta), or is not the type the caller asked for. */
  "SNAPSHOT_ERROR_INVALID_TYPE",
  /** The header's network id differs from the one the caller expects (the file belongs to another network). */
  "SNAPSHOT_ERROR_NETWORK_ID_MISMATCH",
  /** The file ends in the middle of the header, a record or a milestone payload. */
  "SNAPSHOT_ERROR_TRUNCATED",
  /** Bytes follow the last milestone diff. */
  "SNAPSHOT_ERROR_TRAILING_BYTES",
  /** A count announces more records than the rest of the file can hold (counts corrupt, or the file cut short). */
  "SNAPSHOT_ERROR_COUNT",
  /** An output, spent or treasury record breaks the format: output type, address type, amount 0 or above the
   * supply, amounts summing above the supply, a field of the wrong length (writer). */
  "SNAPSHOT_ERROR_INVALID_RECORD",
  /** A milestone diff's payload is empty, longer than a message can be, or not a valid milestone payload (TIP-8),
   * or (writer) its spent treasury does not match whether the milestone has a receipt. */
  "SNAPSHOT_ERROR_INVALID_MILESTONE",
  /** Header fields handed to the writer are out of range (index not a u32, treasury missing for a full snapshot…),
   * a ledger without a treasury output to write, or (import) a header timestamp above 2^53 − 1. */
  "SNAPSHOT_ERROR_INVALID_HEADER",
  /** A reader section was asked for out of file order (SEPs, outputs, diffs), twice, or after close(). */
  "SNAPSHOT_ERROR_READ_ORDER",
  /** Writing was aborted through the caller's AbortSignal; no file was left under the final name. */
  "SNAPSHOT_ERROR_ABORTED",
  /** A snapshot is loaded only into an empty database, and this one holds data (or an interrupted import). */
  "SNAPSHOT_ERROR_DATABASE_NOT_EMPTY",
  /** The milestone indexes do not follow the loading rules (chrysalis.md §11.3): a diff that neither rolls back
   * the ledger index nor applies the next one, a ledger that does not end at the SEP index, a delta snapshot that
   * does not start at the full snapshot's SEP index. */
  "SNAPSHOT_ERROR_INDEX_MISMATCH",
  /** The outputs and the treasury do not add up to the total supply, or a milestone diff makes or destroys tokens. */
  "SNAPSHOT_ERROR_SUPPLY_MISMATCH",
  /** A milestone diff does not fit the ledger it is loaded onto (outputs or treasury not as the diff says); the
   * import was undone. */
  "SNAPSHOT_ERROR_LEDGER_MISMATCH",
  /** Writing a snapshot needs a milestone diff the ledger no longer holds (pruned) or holds without its milestone. */
  "SNAPSHOT_ERROR_DIFF_UNAVAILABLE",
  /** The ledger moved on (a milestone was confirmed) while a snapshot was written from it; no file was left. */
  "SNAPSHOT_ERROR_LEDGER_CHANGED",
] as const;

export type SnapshotErrorCode = (typeof SNAPSHOT_ERROR_CODES)[number];

export interface SnapshotErrorType {
  code: SnapshotErrorCode;
  /** Byte offset in the file where the failing field starts, when reading. */
  offset?: number | undefined;
}

export class SnapshotError extends NodeError<SnapshotErrorType> {
  constructor(code: SnapshotErrorCode, message: string, offset?: number, options?: { cause?: unknown }) {
    super({ code, offset }, offset === undefined ? message : `byte ${offset}: ${message}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
