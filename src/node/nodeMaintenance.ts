/**
 * The node's database maintenance: pruning after confirmed milestones (pruning.milestonesToKeep,
 * pruning.targetDatabaseSizeBytes), and pruning and snapshots on request (the control routes, chrysalis.md §10.2 and
 * §11). It is the NodeControl the REST API is given.
 *
 * A prune runs in Hornet's order (its pruneDatabase drops a milestone's ledger diff together with its messages): the
 * tangle's Pruner deletes the messages and milestones and moves the pruning index, crash-safe chunk by chunk on its own
 * (tangle/pruner.ts); then the ledger drops the diffs up to the new pruning index, with the outputs they consumed and
 * their tx-history entries (UtxoLedger.pruneTo). A crash between the two leaves diffs at or below the pruning index:
 * more history than the pruning index says, never less, and nothing reads it (a snapshot starts at the pruning index
 * at the lowest and needs only the diffs above it). The node's start finishes such a ledger prune (pruneLedgerTo)
 * before anything reads the ledger.
 *
 * One job at a time: a prune (the node's own or one asked for) or a snapshot. A request while one runs is refused
 * (API_ERROR_CONTROL_BUSY); the node's own prune waits for the next milestone. Without that, a prune could delete the
 * diffs a snapshot is streaming. Confirmations go on during a snapshot (there is no ledger lock to hold, unlike
 * Hornet): a full snapshot whose ledger moved while it was written is refused by the writer and written again, up to
 * SNAPSHOT_WRITE_ATTEMPTS times.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CreatedSnapshots, NodeControl, PruneRequest, SnapshotRequest } from "../api/apiContext.js";
import { ApiError } from "../api/apiError.js";
import { decodeMilestonePayload } from "../codec/index.js";
import { SnapshotError } from "../ledger/snapshot/snapshotError.js";
import { writeDeltaSnapshotFromLedger, writeFullSnapshotFromLedger } from "../ledger/snapshot/snapshotExport.js";
import type { UtxoLedger } from "../ledger/utxoLedger.js";
import type { Logger } from "../logger/logger.js";
import {
  DEFAULT_PRUNING_OPTIONS,
  type PruneReport,
  type Pruner,
  type SolidEntryPoint,
  sizeTargetIndex,
} from "../tangle/pruner.js";
import type { Tangle } from "../tangle/tangle.js";

/** How often a full snapshot is begun again when milestones confirm while it is written. */
export const SNAPSHOT_WRITE_ATTEMPTS = 3;

export interface NodeMaintenanceModules {
  tangle: Tangle;
  ledger: UtxoLedger;
  pruner: Pruner;
  networkId: bigint;
  /** Where snapshot files go; created when the first one is written. */
  snapshotDir: string;
  logger: Logger;
}

type JobKind = "prune" | "snapshot";

/** The file name of a full snapshot taken at `index` (Hornet names its files after the index too). */
export function fullSnapshotFileName(index: number): string {
  return `full_snapshot_${index}.bin`;
}

/** The file name of a delta snapshot from `fullIndex` up to `deltaIndex`. */
export function deltaSnapshotFileName(fullIndex: number, deltaIndex: number): string {
  return `delta_snapshot_${fullIndex}_${deltaIndex}.bin`;
}

/**
 * Drops the ledger's diffs of milestones up to `index` (UtxoLedger.pruneTo, one bounded chunk at a time, each made
 * durable before the next). Resolves false when `signal` stopped it early; running it again finishes the job.
 */
export async function pruneLedgerTo(
  ledger: Pick<UtxoLedger, "pruneTo">,
  store: { durable(): Promise<void> },
  index: number,
  signal?: AbortSignal,
): Promise<boolean> {
  for (;;) {
    const finished = ledger.pruneTo(index);
    await store.durable();
    if (finished) return true;
    if (signal?.aborted === true) return false;
  }
}

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class NodeMaintenance implements NodeControl {
  private job: { kind: JobKind; done: Promise<void> } | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly modules: NodeMaintenanceModules) {}

  /**
   * Called after each confirmed milestone: prunes when the pruner's rules ask for it (Pruner.maybePrune), in the
   * background. Failures are logged; the next milestone tries again.
   */
  onMilestoneConfirmed(): void {
    if (this.job !== null || this.abort.signal.aborted) return;
    const { pruner, logger } = this.modules;
    const run = pruner.maybePrune();
    // maybePrune queues its run before its first await: not pruning now means it found nothing to do.
    if (!pruner.isPruning) {
      run.catch((e: unknown) => logger.error("Pruning failed", { error: messageOf(e) }));
      return;
    }
    this.exclusive("prune", async () => {
      const report = await run;
      if (report !== null) await this.finishPrune(report);
    }).catch((e: unknown) => logger.error("Pruning failed", { error: messageOf(e) }));
  }

  prune(request: PruneRequest): Promise<{ index: number }> {
    return this.exclusive("prune", async () => {
      const report = await this.modules.pruner.pruneTo(this.pruneTarget(request), { signal: this.abort.signal });
      await this.finishPrune(report);
      return { index: report.prunedIndex };
    });
  }

  createSnapshot(request: SnapshotRequest): Promise<CreatedSnapshots> {
    return this.exclusive("snapshot", async () => {
      const { tangle, pruner, snapshotDir } = this.modules;
      const highest = tangle.confirmedMilestoneIndex - pruner.futureThreshold;
      if (request.fullIndex === undefined && highest < tangle.pruningIndex) {
        throw invalid(
          `no snapshot can be taken yet: its solid entry points need ${pruner.futureThreshold} confirmed milestones ` +
            `after it (BMD + 5), above the pruning index ${tangle.pruningIndex}; the confirmed milestone index is ` +
            `${tangle.confirmedMilestoneIndex}`,
        );
      }
      const fullIndex = request.fullIndex ?? highest;
      const { deltaIndex } = request;
      if (deltaIndex !== undefined && deltaIndex <= fullIndex) {
        const why = request.fullIndex === undefined ? " (by default the highest index a snapshot can be taken at)" : "";
        throw invalid(`deltaIndex ${deltaIndex} must be above fullIndex ${fullIndex}${why}`);
      }
      const fullSeps = await pruner.solidEntryPointsFor(fullIndex);
      const deltaSeps = deltaIndex === undefined ? null : await pruner.solidEntryPointsFor(deltaIndex);
      const fullTimestamp = this.milestoneTimestamp(fullIndex);
      const deltaTimestamp = deltaIndex === undefined ? 0 : this.milestoneTimestamp(deltaIndex);
      await mkdir(snapshotDir, { recursive: true });
      const fullFilePath = join(snapshotDir, fullSnapshotFileName(fullIndex));
      await this.writeFull(fullFilePath, fullIndex, fullSeps, fullTimestamp);
      if (deltaIndex === undefined || deltaSeps === null) return { fullIndex, fullFilePath };
      const deltaFilePath = join(snapshotDir, deltaSnapshotFileName(fullIndex, deltaIndex));
      const result = await writeDeltaSnapshotFromLedger(deltaFilePath, {
        ledger: this.modules.ledger,
        networkId: this.modules.networkId,
        solidEntryPoints: idsOf(deltaSeps),
        fullSepIndex: fullIndex,
        sepIndex: deltaIndex,
        timestamp: deltaTimestamp,
        signal: this.abort.signal,
      });
      this.modules.logger.info("Delta snapshot written", {
        file: deltaFilePath,
        fullIndex,
        deltaIndex,
        milestoneDiffs: result.milestoneDiffCount,
        bytes: result.bytes,
      });
      return { fullIndex, fullFilePath, delta: { index: deltaIndex, filePath: deltaFilePath } };
    });
  }

  /** Resolves once no prune or snapshot runs (tests). */
  async idle(): Promise<void> {
    while (this.job !== null) await this.job.done;
  }

  /** Stops a running prune or snapshot at its next chunk or record, refuses new ones, and waits for the end. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  /**
   * Runs `work` as the one job, refusing while another runs or the node closes. Synchronous up to work's first
   * await, so a caller that checks `job` right after sees this one.
   */
  private async exclusive<T>(kind: JobKind, work: () => Promise<T>): Promise<T> {
    if (this.abort.signal.aborted) {
      throw new ApiError("API_ERROR_CONTROL_UNAVAILABLE", "the node is closing");
    }
    if (this.job !== null) {
      throw new ApiError(
        "API_ERROR_CONTROL_BUSY",
        `${this.job.kind === "prune" ? "a prune" : "a snapshot"} is running; retry once it is done`,
      );
    }
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.job = { kind, done };
    try {
      return await work();
    } finally {
      this.job = null;
      release();
    }
  }

  private pruneTarget(request: PruneRequest): number {
    const { tangle, pruner } = this.modules;
    const cmi = tangle.confirmedMilestoneIndex;
    switch (request.by) {
      case "index":
        return request.index;
      case "depth":
        if (request.depth > cmi) {
          throw invalid(`depth ${request.depth} is more than the confirmed milestone index ${cmi}`);
        }
        return cmi - request.depth;
      case "size": {
        const currentBytes = tangle.store.sizeBytes();
        const target = sizeTargetIndex({
          confirmedMilestoneIndex: cmi,
          pruningIndex: tangle.pruningIndex,
          currentBytes,
          targetBytes: request.targetBytes,
          thresholdPercentage: DEFAULT_PRUNING_OPTIONS.sizeThresholdPercentage,
        });
        if (target === undefined) {
          throw invalid(
            `the database holds ${currentBytes} bytes, less than the target ${request.targetBytes}: nothing to prune`,
          );
        }
        // As Hornet does: as close to the size target as the solid entry points allow.
        return Math.min(target, cmi - pruner.futureThreshold);
      }
    }
  }

  private async finishPrune(report: PruneReport): Promise<void> {
    const { tangle, ledger, logger } = this.modules;
    const ledgerDone = await pruneLedgerTo(ledger, tangle, report.prunedIndex, this.abort.signal);
    logger.info("Pruned", {
      trigger: report.trigger,
      fromIndex: report.fromIndex,
      prunedIndex: report.prunedIndex,
      completed: report.completed && ledgerDone,
      messages: report.messagesDeleted,
      milestones: report.milestonesDeleted,
      solidEntryPoints: report.solidEntryPointCount,
      durationMs: Math.round(report.durationMs),
    });
  }

  /** Writes the full snapshot, again while milestones confirm during the write (see the file comment). */
  private async writeFull(
    path: string,
    sepIndex: number,
    seps: Map<string, SolidEntryPoint>,
    timestamp: number,
  ): Promise<void> {
    const { ledger, networkId, logger } = this.modules;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await writeFullSnapshotFromLedger(path, {
          ledger,
          networkId,
          solidEntryPoints: idsOf(seps),
          sepIndex,
          timestamp,
          signal: this.abort.signal,
        });
        logger.info("Full snapshot written", {
          file: path,
          sepIndex,
          ledgerIndex: ledger.ledgerIndex,
          outputs: result.outputCount,
          solidEntryPoints: result.sepCount,
          milestoneDiffs: result.milestoneDiffCount,
          bytes: result.bytes,
        });
        return;
      } catch (e) {
        const moved = e instanceof SnapshotError && e.code === "SNAPSHOT_ERROR_LEDGER_CHANGED";
        if (!moved || attempt >= SNAPSHOT_WRITE_ATTEMPTS) throw e;
        logger.debug("The ledger moved while the full snapshot was written; writing it again", { attempt });
      }
    }
  }

  /** Unix seconds of milestone `index`, which the snapshot header carries (Hornet writes the target's timestamp). */
  private milestoneTimestamp(index: number): number {
    const { tangle, ledger } = this.modules;
    const stored = tangle.getMilestone(index);
    if (stored !== undefined) return Number(stored.timestamp);
    const payload = ledger.milestoneDiff(index)?.milestonePayloadBytes;
    if (payload !== undefined && payload !== null) return decodeMilestonePayload(payload, "trusted").timestamp;
    const info = ledger.snapshotInfo();
    if (info !== undefined && info.snapshotIndex === index) return info.timestamp;
    throw invalid(`milestone ${index} is pruned, its timestamp with it: take the snapshot at a later milestone`);
  }
}

function idsOf(seps: Map<string, SolidEntryPoint>): Uint8Array[] {
  return [...seps.values()].map((s) => s.id);
}
