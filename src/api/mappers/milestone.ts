/** TIP-13 milestone shapes (chrysalis.md §10.2): the milestone by index and its UTXO changes. */
import { bytesToHex } from "../../primitives/hex.js";
import type { StoredMilestone } from "../../storage/prefixes.js";

export interface MilestoneJson {
  index: number;
  messageId: string;
  /** Unix seconds (TIP-8). */
  timestamp: number;
}

export interface UtxoChangesJson {
  index: number;
  /** Output ids (68 hex digits: transaction id ‖ u16 LE index). */
  createdOutputs: string[];
  consumedOutputs: string[];
}

export function milestoneToJson(index: number, milestone: Readonly<StoredMilestone>): MilestoneJson {
  // A u64 in storage, but TIP-8 timestamps are unix seconds, far below 2^53.
  return { index, messageId: bytesToHex(milestone.messageId), timestamp: Number(milestone.timestamp) };
}

export function utxoChangesToJson(
  index: number,
  diff: { createdOutputIds: readonly Uint8Array[]; consumedOutputIds: readonly Uint8Array[] },
): UtxoChangesJson {
  return {
    index,
    createdOutputs: diff.createdOutputIds.map(bytesToHex),
    consumedOutputs: diff.consumedOutputIds.map(bytesToHex),
  };
}
