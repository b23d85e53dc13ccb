/**
 * The genesis snapshot of a new network, as Hornet's `tool snap-gen` builds it (chrysalis.md §11.4): every node of
 * the network loads the same file, and the coordinator's milestone 1 has the null message id as its only parent.
 */
import { ID_LENGTH, OUTPUT_ID_LENGTH, TOKEN_SUPPLY } from "../../params/protocol.js";
import type { LedgerOutput } from "../types.js";
import { SnapshotError } from "./snapshotError.js";
import type { SnapshotDiffRecord, SnapshotHeaderFields } from "./snapshotFormat.js";
import { type WriteSnapshotOptions, type WriteSnapshotResult, writeSnapshot } from "./snapshotWriter.js";

export interface GenesisSnapshotOptions {
  networkId: bigint;
  /** The Ed25519 address (32 bytes) that receives the whole supply minus the treasury. */
  mintAddress: Uint8Array;
  /** Funds left in the treasury for migration (TIP-17); default 0. */
  treasury?: number;
  /** Unix seconds; snap-gen writes the time it runs. */
  timestamp: number;
}

export interface GenesisSnapshot {
  header: SnapshotHeaderFields;
  solidEntryPoints: Uint8Array[];
  outputs: LedgerOutput[];
  milestoneDiffs: SnapshotDiffRecord[];
}

/**
 * Version 1, full, SEP index = ledger index = 0; one SEP, the null message id; one output of supply − treasury to the
 * mint address with a zero message id and a zero output id; the treasury under a zero milestone id; no diffs.
 */
export function genesisSnapshotHeaderAndBody(options: GenesisSnapshotOptions): GenesisSnapshot {
  const { networkId, mintAddress, timestamp } = options;
  const treasury = options.treasury ?? 0;
  if (!(mintAddress instanceof Uint8Array) || mintAddress.length !== 32) {
    throw new SnapshotError("SNAPSHOT_ERROR_INVALID_RECORD", "the mint address must be a 32-byte Ed25519 address");
  }
  // The mint output must hold something (an output amount is never 0).
  if (!Number.isSafeInteger(treasury) || treasury < 0 || treasury >= TOKEN_SUPPLY) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_RECORD",
      `treasury ${treasury} must be in 0..${TOKEN_SUPPLY - 1}: the mint address needs at least 1`,
    );
  }
  return {
    header: {
      type: "full",
      timestamp,
      networkId,
      sepIndex: 0,
      ledgerIndex: 0,
      treasury: { milestoneId: new Uint8Array(ID_LENGTH), amount: treasury },
    },
    solidEntryPoints: [new Uint8Array(ID_LENGTH)],
    outputs: [
      {
        outputId: new Uint8Array(OUTPUT_ID_LENGTH),
        messageId: new Uint8Array(ID_LENGTH),
        output: { type: 0, address: { type: 0, address: mintAddress.slice() }, amount: TOKEN_SUPPLY - treasury },
      },
    ],
    milestoneDiffs: [],
  };
}

/** Writes the genesis snapshot to `path` (atomically, see writeSnapshot). */
export async function writeGenesisSnapshot(
  path: string,
  options: GenesisSnapshotOptions,
  writeOptions: WriteSnapshotOptions = {},
): Promise<WriteSnapshotResult> {
  const { header, ...sources } = genesisSnapshotHeaderAndBody(options);
  return writeSnapshot(path, header, sources, writeOptions);
}
