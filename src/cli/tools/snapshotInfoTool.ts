/**
 * `weaver tool snapshot-info <file>`: the header of a full or delta snapshot file (chrysalis.md §11) and its record
 * counts. The whole file is read and checked to its last byte through the streaming reader (one bounded window), so
 * a snapshot of millions of outputs never sits in memory; a broken file prints its SNAPSHOT_ERROR code and exits 1.
 */
import type { Command } from "commander";
import type { SnapshotType } from "../../ledger/snapshot/snapshotFormat.js";
import { type OpenSnapshotOptions, openSnapshot } from "../../ledger/snapshot/snapshotReader.js";
import { bytesToHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";

export interface SnapshotInfo {
  file: string;
  type: SnapshotType;
  version: number;
  timestamp: number;
  networkId: string;
  sepIndex: number;
  ledgerIndex: number;
  /** The unspent treasury output of a full snapshot; null in a delta. */
  treasury: { milestoneId: string; amount: number } | null;
  solidEntryPoints: number;
  /** Always 0 in a delta snapshot, which has no outputs section. */
  outputs: number;
  milestoneDiffs: number;
}

/** Reads the file once, in file order; the counts are of the records actually read. */
export async function describeSnapshot(file: string, options: OpenSnapshotOptions = {}): Promise<SnapshotInfo> {
  const reader = await openSnapshot(file, options);
  let solidEntryPoints = 0;
  let outputs = 0;
  let milestoneDiffs = 0;
  try {
    for await (const _ of reader.solidEntryPoints()) solidEntryPoints++;
    for await (const batch of reader.outputBatches()) outputs += batch.length;
    for await (const _ of reader.milestoneDiffs()) milestoneDiffs++;
  } finally {
    await reader.close();
  }
  const h = reader.header;
  return {
    file,
    type: h.type,
    version: h.version,
    timestamp: h.timestamp,
    networkId: h.networkId.toString(),
    sepIndex: h.sepIndex,
    ledgerIndex: h.ledgerIndex,
    treasury:
      h.treasury === null ? null : { milestoneId: bytesToHex(h.treasury.milestoneId), amount: h.treasury.amount },
    solidEntryPoints,
    outputs,
    milestoneDiffs,
  };
}

export function registerSnapshotInfoTool(tool: Command): void {
  tool
    .command("snapshot-info")
    .description("check a snapshot file to its last byte and print its header and record counts")
    .argument("<file>", "a full or delta snapshot file")
    .action((file: string) =>
      runTool(async () => {
        process.stdout.write(`${JSON.stringify(await describeSnapshot(file), null, 2)}\n`);
      }),
    );
}
