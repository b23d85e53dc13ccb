/**
 * Writes snapshot files from the ledger in the database (chrysalis.md §11, as Hornet's snapshot writer lays them
 * out): a full snapshot holds the UTXO set at the ledger index and the diffs back down to the SEP index; a delta
 * snapshot holds the diffs from a full snapshot's SEP index up to its own. The solid entry points come from the
 * caller (the tangle's pruner computes them: tangle/pruner.ts solidEntryPointsFor).
 *
 * The UTXO set and the diffs are streamed out of the store while the file is written, so the ledger must not move
 * meanwhile (Hornet holds its ledger lock): a confirmation during a full snapshot's write is detected and the file
 * refused, and so is a diff pruned during the write. Either way nothing is left under the final name
 * (snapshotWriter.ts). A delta's diffs do not change once stored, so confirmations may go on while it is written.
 */

import type { LedgerDiff } from "../ledgerDiff.js";
import { LedgerError } from "../ledgerError.js";
import type { UtxoLedger } from "../utxoLedger.js";
import { SnapshotError } from "./snapshotError.js";
import type { SnapshotDiffRecord, SnapshotHeaderFields } from "./snapshotFormat.js";
import { type WriteSnapshotOptions, type WriteSnapshotResult, writeSnapshot } from "./snapshotWriter.js";

interface CommonExportOptions {
  ledger: UtxoLedger;
  networkId: bigint;
  /** The message ids of the solid entry points at the SEP index. */
  solidEntryPoints: Iterable<Uint8Array>;
  /** Unix seconds; Hornet writes the timestamp of the SEP index's milestone. */
  timestamp: number;
  /** Stops the write between records; nothing is left under the final name. */
  signal?: AbortSignal | undefined;
}

export interface FullSnapshotExportOptions extends CommonExportOptions {
  /** The milestone the snapshot is taken at: the ledger index or below. */
  sepIndex: number;
}

export interface DeltaSnapshotExportOptions extends CommonExportOptions {
  /** The SEP index of the full snapshot this delta builds on: the delta's ledger index. */
  fullSepIndex: number;
  /** The delta's own SEP index: from fullSepIndex up to the ledger index. */
  sepIndex: number;
}

function checkIndex(what: string, index: number, low: number, high: number): void {
  if (!Number.isInteger(index) || index < low || index > high) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_HEADER",
      `the ${what} ${index} must be a milestone index in ${low}..${high}`,
    );
  }
}

/** Every diff of milestones `low`..`high` must be stored with its milestone payload before the file is begun. */
function checkDiffsStored(ledger: UtxoLedger, low: number, high: number): void {
  for (let i = low; i <= high; i++) {
    const stored = ledger.milestoneDiff(i);
    if (stored === undefined || stored.milestonePayloadBytes === null) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_DIFF_UNAVAILABLE",
        `the snapshot needs the diff of milestone ${i}, which the ledger ` +
          `${stored === undefined ? "no longer holds (pruned)" : "holds without its milestone payload"}`,
      );
    }
  }
}

function recordOf(diff: LedgerDiff): SnapshotDiffRecord {
  const payload = diff.milestonePayloadBytes;
  if (payload === null) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_DIFF_UNAVAILABLE",
      `the diff of milestone ${diff.milestoneIndex} is stored without its milestone payload`,
    );
  }
  return {
    milestonePayloadBytes: payload,
    // The file names only the treasury a receipt spent; the new one follows from the milestone (TIP-17).
    spentTreasury: diff.treasury?.spent ?? null,
    created: diff.created,
    consumed: diff.consumed,
  };
}

/**
 * The stored diffs from `from` to `to` in that direction (none when `count` is 0), then, for a full snapshot, a check
 * that the ledger is still at `ledgerIndex`, the index of the outputs written before.
 */
function* diffRecords(
  ledger: UtxoLedger,
  from: number,
  to: number,
  count: number,
  ledgerIndex: number | null,
): Generator<SnapshotDiffRecord> {
  if (count > 0) {
    try {
      for (const diff of ledger.storedDiffs(from, to)) yield recordOf(diff);
    } catch (e) {
      if (!(e instanceof LedgerError)) throw e;
      throw new SnapshotError(
        "SNAPSHOT_ERROR_DIFF_UNAVAILABLE",
        `a diff between milestones ${from} and ${to} went missing while the snapshot was written: ${e.message}`,
        undefined,
        { cause: e },
      );
    }
  }
  if (ledgerIndex !== null && ledger.ledgerIndex !== ledgerIndex) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_LEDGER_CHANGED",
      `the ledger moved from milestone ${ledgerIndex} to ${ledger.ledgerIndex} while the snapshot was written`,
    );
  }
}

function writeOptions(signal: AbortSignal | undefined): WriteSnapshotOptions {
  return signal === undefined ? {} : { signal };
}

/**
 * Writes a full snapshot of the ledger to `path`: header ledger index = the ledger index, the unspent outputs and
 * the treasury, then the diffs from the ledger index down to sepIndex + 1 (chrysalis.md §11.3), each with its
 * milestone payload. Refuses (SNAPSHOT_ERROR_DIFF_UNAVAILABLE) when one of those diffs is no longer stored.
 */
export async function writeFullSnapshotFromLedger(
  path: string,
  options: FullSnapshotExportOptions,
): Promise<WriteSnapshotResult> {
  const { ledger, networkId, solidEntryPoints, sepIndex, timestamp, signal } = options;
  const ledgerIndex = ledger.ledgerIndex;
  checkIndex("SEP index", sepIndex, 0, ledgerIndex);
  const treasury = ledger.treasury();
  if (treasury === undefined) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_HEADER",
      "the ledger holds no treasury output: it was never loaded from a snapshot",
    );
  }
  checkDiffsStored(ledger, sepIndex + 1, ledgerIndex);
  const header: SnapshotHeaderFields = { type: "full", timestamp, networkId, sepIndex, ledgerIndex, treasury };
  return writeSnapshot(
    path,
    header,
    {
      solidEntryPoints,
      outputs: ledger.unspentOutputs(),
      milestoneDiffs: diffRecords(ledger, ledgerIndex, sepIndex + 1, ledgerIndex - sepIndex, ledgerIndex),
    },
    writeOptions(signal),
  );
}

/**
 * Writes a delta snapshot to `path`: header ledger index = fullSepIndex, then the diffs fullSepIndex + 1 .. sepIndex
 * in ascending order (chrysalis.md §11.3), each with its milestone payload.
 */
export async function writeDeltaSnapshotFromLedger(
  path: string,
  options: DeltaSnapshotExportOptions,
): Promise<WriteSnapshotResult> {
  const { ledger, networkId, solidEntryPoints, fullSepIndex, sepIndex, timestamp, signal } = options;
  checkIndex("SEP index", sepIndex, 0, ledger.ledgerIndex);
  checkIndex("full snapshot's SEP index", fullSepIndex, 0, sepIndex);
  checkDiffsStored(ledger, fullSepIndex + 1, sepIndex);
  const header: SnapshotHeaderFields = {
    type: "delta",
    timestamp,
    networkId,
    sepIndex,
    ledgerIndex: fullSepIndex,
    treasury: null,
  };
  return writeSnapshot(
    path,
    header,
    {
      solidEntryPoints,
      milestoneDiffs: diffRecords(ledger, fullSepIndex + 1, sepIndex, sepIndex - fullSepIndex, null),
    },
    writeOptions(signal),
  );
}
