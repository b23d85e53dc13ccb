/**
 * Bootstraps an empty database from a full snapshot file and an optional delta snapshot file (chrysalis.md §11.3,
 * Hornet `snapshot_read.go`); a new network's genesis (§11.4, genesisSnapshot.ts) is a full file like any other.
 *
 * Corrupt files change nothing: a first pass reads both files to their last byte and checks everything that can be
 * checked without writing (the reader's structure, counts and amount checks; the order of the diffs' milestone
 * indexes; each diff's token balance; the treasury through the receipts; the total supply). Only then does a second
 * pass streams the records into the ledger a reader batch at a time, with at most two batches staged or committing
 * (Loader.chunkDone), so a million outputs never sit in memory. What the first pass cannot see (a diff that does not fit the outputs, an output id
 * twice) fails in the second pass; everything the import wrote is then deleted, which leaves the database empty as
 * it was.
 *
 * Crash safety: HEALTH SNAPSHOT_IMPORT_IN_PROGRESS is durable before the first write and deleted in the import's
 * last batch, together with the milestone indexes. A database that holds the marker was left by an interrupted
 * import: snapshotImportInterrupted() tells, discardInterruptedSnapshotImport() empties it again.
 */
import { performance } from "node:perf_hooks";
import { TOKEN_SUPPLY } from "../../params/protocol.js";
import { equalBytes } from "../../primitives/bytes.js";
import { bytesToHex } from "../../primitives/hex.js";
import {
  HEALTH_FIELD_DATABASE_VERSION,
  HEALTH_FIELD_DIRTY,
  HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS,
  healthKey,
} from "../../storage/prefixes.js";
import type { KvReader, StagedStore } from "../../storage/stagedStore.js";
import { diffOfSnapshotMilestone, type LedgerDiff } from "../ledgerDiff.js";
import { LedgerError } from "../ledgerError.js";
import type { TreasuryOutputState } from "../types.js";
import type { UtxoLedger } from "../utxoLedger.js";
import { SnapshotError } from "./snapshotError.js";
import type { SnapshotHeader, SnapshotMilestoneDiff, SnapshotType } from "./snapshotFormat.js";
import { openSnapshot, type SnapshotReader } from "./snapshotReader.js";

/**
 * What the import sets on the tangle (src/tangle/tangle.ts's Tangle has these methods; the ledger layer may not
 * import it). It writes through the same store as the ledger.
 */
export interface SnapshotImportTarget {
  addSolidEntryPoint(id: Uint8Array, milestoneIndex: number): void;
  removeSolidEntryPoint(id: Uint8Array): void;
  solidEntryPoints(): Iterable<[Uint8Array, number]>;
  setConfirmedMilestoneIndex(index: number): void;
  setLatestMilestoneIndex(index: number): void;
  setPruningIndex(index: number): void;
}

/** The store the ledger and the target write through (the tangle's StagedStore). */
export type SnapshotImportStore = Pick<StagedStore, "get" | "put" | "del" | "iterate" | "drain" | "durable">;

export interface ImportSnapshotsOptions {
  fullPath: string;
  /** A delta snapshot on top of the full one: its ledger index is the full file's SEP index. */
  deltaPath?: string | undefined;
  /** This node's network id: files of another network are refused. */
  networkId: bigint;
  ledger: UtxoLedger;
  target: SnapshotImportTarget;
  store: SnapshotImportStore;
  /** Bytes read from a file at a time, and so the outputs staged between two drain() calls (default 1 MiB, about
   * 9,700 outputs). */
  readChunkSize?: number | undefined;
}

export interface SnapshotImportReport {
  /** The SEP index of the last file loaded: the node's snapshot index, CMI, LMI and pruning index. */
  sepIndex: number;
  /** The ledger index after the import (equal to sepIndex). */
  ledgerIndex: number;
  /** Solid entry points stored (those of the last file loaded, which replace the full file's). */
  solidEntryPoints: number;
  /** Unspent outputs loaded from the full file. */
  outputs: number;
  diffsApplied: number;
  diffsRolledBack: number;
  durationMs: number;
}

/** Keys a freshly opened database holds (Tangle.open writes them); everything else was written by the import. */
const BASE_KEYS = [healthKey(HEALTH_FIELD_DATABASE_VERSION), healthKey(HEALTH_FIELD_DIRTY)];
const IMPORT_MARKER_KEY = healthKey(HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS);
/** Keys deleted per step when an import is undone, with a drain() between steps. */
const WIPE_CHUNK = 10_000;
/** Solid entry points staged between two drain() calls. */
const SEP_CHUNK = 10_000;

type Step = "apply" | "rollback";

/** Where the ledger stands while the files are checked (first pass) or loaded (second pass). */
interface LedgerPosition {
  ledgerIndex: number;
  treasury: TreasuryOutputState;
}

/** What the first pass learnt about one file. */
interface CheckedFile {
  path: string;
  header: SnapshotHeader;
  steps: Step[];
}

function isBaseKey(key: Uint8Array): boolean {
  return BASE_KEYS.some((k) => equalBytes(k, key));
}

/** True when the database holds the remains of a snapshot import that did not finish (a crash or a failed undo). */
export function snapshotImportInterrupted(kv: Pick<KvReader, "get">): boolean {
  return kv.get(IMPORT_MARKER_KEY) !== undefined;
}

function sameTreasury(a: TreasuryOutputState, b: TreasuryOutputState): boolean {
  return a.amount === b.amount && equalBytes(a.milestoneId, b.milestoneId);
}

function treasuryText(t: TreasuryOutputState): string {
  return `${bytesToHex(t.milestoneId)} holding ${t.amount}`;
}

function sumAmounts(outputs: ReadonlyArray<{ output: { amount: number } }>): number {
  let sum = 0;
  for (const o of outputs) sum += o.output.amount;
  return sum;
}

function diffLabel(path: string, d: { milestoneIndex: number }): string {
  return `${path}: the diff of milestone ${d.milestoneIndex}`;
}

/** The diff in the ledger's form; a receipt without a spent treasury (or the reverse) is a broken record. */
function ledgerDiffOf(path: string, d: SnapshotMilestoneDiff): LedgerDiff {
  try {
    return diffOfSnapshotMilestone(d);
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    throw new SnapshotError("SNAPSHOT_ERROR_INVALID_MILESTONE", `${diffLabel(path, d)}: ${e.message}`, undefined, {
      cause: e,
    });
  }
}

/**
 * MUST (chrysalis.md §11.3): a diff rolls back the ledger index or applies the one after it; a delta file only
 * applies (its diffs run upward).
 */
function stepOf(type: SnapshotType, ledgerIndex: number, path: string, milestoneIndex: number): Step {
  if (type === "full" && milestoneIndex === ledgerIndex && milestoneIndex > 0) return "rollback";
  if (milestoneIndex === ledgerIndex + 1) return "apply";
  const allowed = type === "full" ? `${ledgerIndex} (roll back) or ${ledgerIndex + 1} (apply)` : `${ledgerIndex + 1}`;
  throw new SnapshotError(
    "SNAPSHOT_ERROR_INDEX_MISMATCH",
    `${path}: a diff of milestone ${milestoneIndex} follows ledger index ${ledgerIndex}; only milestone ${allowed} fits`,
  );
}

/**
 * Moves `at` over one diff as the ledger will: tokens neither made nor lost (TIP-17: what the outputs gain, the
 * treasury gives), and a receipt's treasury is the one the ledger holds at that point.
 */
function checkDiff(path: string, diff: LedgerDiff, step: Step, at: LedgerPosition): void {
  const label = diffLabel(path, diff);
  const outputs = sumAmounts(diff.created) - sumAmounts(diff.consumed);
  const t = diff.treasury;
  const treasury = t === null ? 0 : t.spent.amount - t.created.amount;
  if (outputs !== treasury) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_SUPPLY_MISMATCH",
      `${label} changes the outputs by ${outputs} but the treasury by ${-treasury}`,
    );
  }
  if (t !== null) {
    const [before, after] = step === "apply" ? [t.spent, t.created] : [t.created, t.spent];
    if (!sameTreasury(at.treasury, before)) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_LEDGER_MISMATCH",
        `${label}: its receipt ${step === "apply" ? "spends" : "created"} treasury ${treasuryText(before)}, ` +
          `the ledger holds ${treasuryText(at.treasury)} at that point`,
      );
    }
    at.treasury = after;
  }
  at.ledgerIndex = step === "apply" ? diff.milestoneIndex : diff.milestoneIndex - 1;
}

interface ReadOptions {
  networkId: bigint;
  readChunkSize?: number | undefined;
}

async function withReader<T>(
  path: string,
  type: SnapshotType,
  options: ReadOptions,
  use: (reader: SnapshotReader) => Promise<T>,
): Promise<T> {
  const { networkId, readChunkSize } = options;
  const reader = await openSnapshot(path, {
    expectedNetworkId: networkId,
    expectedType: type,
    ...(readChunkSize === undefined ? {} : { chunkSize: readChunkSize }),
  });
  try {
    return await use(reader);
  } finally {
    await reader.close();
  }
}

/**
 * First pass over one file: reads every record (the reader checks structure, counts, amounts and trailing bytes)
 * and follows the ledger position through the diffs. `start` is null for the full file (it starts at its header) and
 * the full file's end position for the delta.
 */
async function checkFile(
  path: string,
  type: SnapshotType,
  options: ReadOptions,
  start: LedgerPosition | null,
): Promise<{ file: CheckedFile; end: LedgerPosition }> {
  return withReader(path, type, options, async (reader) => {
    const header = reader.header;
    // The snapshot info keeps the timestamp as a safe integer (ledgerRecords.ts); Unix seconds are far below that.
    if (!Number.isSafeInteger(header.timestamp)) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_INVALID_HEADER",
        `${path}: the timestamp ${header.timestamp} is not a time in Unix seconds`,
        2,
      );
    }
    for await (const _ of reader.solidEntryPoints());
    let at: LedgerPosition;
    if (start === null) {
      // A full header always carries the treasury (snapshotFormat.ts decodeSnapshotHeader).
      const treasury = header.treasury!;
      let total = treasury.amount;
      for await (const batch of reader.outputBatches()) total += sumAmounts(batch);
      // MUST (TIP-9): the UTXO set and the treasury hold the whole supply.
      if (total !== TOKEN_SUPPLY) {
        throw new SnapshotError(
          "SNAPSHOT_ERROR_SUPPLY_MISMATCH",
          `${path}: the outputs and the treasury add up to ${total}, not the total supply ${TOKEN_SUPPLY}`,
        );
      }
      at = { ledgerIndex: header.ledgerIndex, treasury };
    } else {
      // MUST (chrysalis.md §11.3): a delta builds on the full snapshot's SEP index.
      if (header.ledgerIndex !== start.ledgerIndex) {
        throw new SnapshotError(
          "SNAPSHOT_ERROR_INDEX_MISMATCH",
          `${path}: the delta snapshot's ledger index is ${header.ledgerIndex}, but the full snapshot ends at its ` +
            `SEP index ${start.ledgerIndex}`,
        );
      }
      at = { ...start };
    }
    const steps: Step[] = [];
    for await (const d of reader.milestoneDiffs()) {
      const step = stepOf(type, at.ledgerIndex, path, d.milestoneIndex);
      checkDiff(path, ledgerDiffOf(path, d), step, at);
      steps.push(step);
    }
    // MUST (chrysalis.md §11.3): after its diffs the ledger is at the file's SEP index.
    if (at.ledgerIndex !== header.sepIndex) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_INDEX_MISMATCH",
        `${path}: its diffs leave the ledger at milestone ${at.ledgerIndex}, not at its SEP index ${header.sepIndex}`,
      );
    }
    return { file: { path, header, steps }, end: at };
  });
}

/** The first key of the store that a fresh database does not hold, if any. */
function foreignKey(store: SnapshotImportStore): Uint8Array | undefined {
  for (const [key] of store.iterate()) if (!isBaseKey(key)) return key;
  return undefined;
}

function checkEmpty(store: SnapshotImportStore): void {
  if (snapshotImportInterrupted(store)) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_DATABASE_NOT_EMPTY",
      "the database holds the remains of an interrupted snapshot import; discard them " +
        "(discardInterruptedSnapshotImport) or delete the database, then import again",
    );
  }
  const key = foreignKey(store);
  if (key !== undefined) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_DATABASE_NOT_EMPTY",
      `a snapshot is loaded only into an empty database, and this one holds data (key ${bytesToHex(key)})`,
    );
  }
}

function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

/**
 * Empties a database that was empty before an import: resets the target's and the ledger's in-memory state, deletes
 * every key but the fresh database's own in chunks, and deletes the marker last, once the rest is durable.
 */
async function undoImport(ledger: UtxoLedger, target: SnapshotImportTarget, store: SnapshotImportStore): Promise<void> {
  for (const [id] of [...target.solidEntryPoints()]) target.removeSolidEntryPoint(id);
  target.setConfirmedMilestoneIndex(0);
  target.setLatestMilestoneIndex(0);
  target.setPruningIndex(0);
  ledger.setLedgerIndex(0);
  let start: Uint8Array | undefined;
  for (;;) {
    const keys: Uint8Array[] = [];
    for (const [key] of store.iterate(start === undefined ? { limit: WIPE_CHUNK } : { start, limit: WIPE_CHUNK })) {
      keys.push(key);
    }
    for (const key of keys) {
      if (!isBaseKey(key) && !equalBytes(key, IMPORT_MARKER_KEY)) store.del(key);
    }
    if (keys.length < WIPE_CHUNK) break;
    start = keyAfter(keys[keys.length - 1]!);
    await store.drain();
  }
  await store.durable();
  store.del(IMPORT_MARKER_KEY);
  await store.durable();
}

/**
 * Empties a database left by an interrupted import (snapshotImportInterrupted), so that the import can run again.
 * `ledger` and `target` must be the objects opened on `store` (their in-memory state is reset too). Returns false,
 * and does nothing, when no import was interrupted.
 */
export async function discardInterruptedSnapshotImport(options: {
  ledger: UtxoLedger;
  target: SnapshotImportTarget;
  store: SnapshotImportStore;
}): Promise<boolean> {
  if (!snapshotImportInterrupted(options.store)) return false;
  await undoImport(options.ledger, options.target, options.store);
  return true;
}

/** The file must not have changed between the two passes. */
function checkSameHeader(file: CheckedFile, header: SnapshotHeader): void {
  const a = file.header;
  if (
    a.sepIndex !== header.sepIndex ||
    a.ledgerIndex !== header.ledgerIndex ||
    a.sepCount !== header.sepCount ||
    a.outputCount !== header.outputCount ||
    a.milestoneDiffCount !== header.milestoneDiffCount
  ) {
    throw new SnapshotError("SNAPSHOT_ERROR_IO", `${file.path} changed while it was being imported`);
  }
}

/** A ledger refusal in the second pass, with where it happened. */
function ledgerMismatch(what: string, e: unknown): unknown {
  if (!(e instanceof LedgerError)) return e;
  return new SnapshotError(
    "SNAPSHOT_ERROR_LEDGER_MISMATCH",
    `${what} does not fit the ledger: ${e.message}; the import was undone`,
    undefined,
    { cause: e },
  );
}

class Loader {
  readonly report: SnapshotImportReport = {
    sepIndex: 0,
    ledgerIndex: 0,
    solidEntryPoints: 0,
    outputs: 0,
    diffsApplied: 0,
    diffsRolledBack: 0,
    durationMs: 0,
  };

  /** The commit of the chunk before the last one, awaited before the next chunk is staged. */
  private previousCommit: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ImportSnapshotsOptions,
    private readonly store: SnapshotImportStore,
  ) {}

  /**
   * Ends a chunk of staged writes (one reader batch of outputs, about 29,000 ops): its commit starts, and the one of
   * the chunk before is awaited. At most two chunks are staged or committing at a time, and the next one is decoded
   * and staged while one commits, as the pruner does. Awaiting drain() after each chunk kept lmdb idle while a chunk
   * was staged and the CPU idle while it committed: 1M outputs took 68 s instead of 49 s (random output ids).
   * Chunks of several batches were not faster for files in output id order, and held twice the memory.
   */
  private async chunkDone(): Promise<void> {
    const commit = this.store.durable();
    // Awaited at the next chunk; if this one fails first, the failure surfaces through the store there instead.
    commit.catch(() => undefined);
    await this.previousCommit;
    this.previousCommit = commit;
  }

  /** Second pass over one file. `withSeps`: the full file's SEPs are skipped when a delta replaces them. */
  async load(file: CheckedFile, withSeps: boolean): Promise<void> {
    const { ledger, target } = this.options;
    const type = file.header.type;
    await withReader(file.path, type, this.options, async (reader) => {
      const header = reader.header;
      checkSameHeader(file, header);
      if (withSeps) {
        // MUST (chrysalis.md §11.3): every SEP is stored with the header's SEP index.
        for await (const sep of reader.solidEntryPoints()) {
          target.addSolidEntryPoint(sep, header.sepIndex);
          if (++this.report.solidEntryPoints % SEP_CHUNK === 0) await this.store.drain();
        }
      }
      if (type === "full") {
        for await (const batch of reader.outputBatches()) {
          try {
            ledger.importUnspentOutputs(batch);
          } catch (e) {
            throw ledgerMismatch(`${file.path}: the outputs from number ${this.report.outputs} on`, e);
          }
          this.report.outputs += batch.length;
          await this.chunkDone();
        }
        ledger.setTreasury(header.treasury!);
        ledger.setLedgerIndex(header.ledgerIndex);
      }
      let n = 0;
      for await (const d of reader.milestoneDiffs()) {
        const step = file.steps[n++];
        const diff = ledgerDiffOf(file.path, d);
        try {
          if (step === "rollback") ledger.rollbackDiff(diff);
          else ledger.applyDiff(diff);
        } catch (e) {
          throw ledgerMismatch(diffLabel(file.path, d), e);
        }
        if (step === "rollback") this.report.diffsRolledBack++;
        else this.report.diffsApplied++;
        await this.store.drain();
      }
    });
    if (ledger.ledgerIndex !== file.header.sepIndex) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_INDEX_MISMATCH",
        `${file.path}: the ledger ended at ${ledger.ledgerIndex}, not at the SEP index ${file.header.sepIndex}`,
      );
    }
  }
}

/**
 * Loads the full snapshot at `fullPath` (and the delta at `deltaPath`) into an empty database (chrysalis.md §11.3):
 * solid entry points at the SEP index, the UTXO set and treasury, the diffs rolled back or applied, then CMI = LMI =
 * pruning index = SEP index and the snapshot info, in one last batch. Throws SnapshotError, and leaves the database
 * as it was, when a file is refused or does not fit (see the file comment).
 */
export async function importSnapshots(options: ImportSnapshotsOptions): Promise<SnapshotImportReport> {
  const startedAt = performance.now();
  const { fullPath, deltaPath, networkId, ledger, target, store } = options;
  checkEmpty(store);

  const full = await checkFile(fullPath, "full", options, null);
  const delta = deltaPath === undefined ? null : await checkFile(deltaPath, "delta", options, full.end);
  const last = (delta ?? full).file.header;

  store.put(IMPORT_MARKER_KEY, Uint8Array.of(1));
  await store.durable();
  const loader = new Loader(options, store);
  try {
    await loader.load(full.file, delta === null);
    if (delta !== null) await loader.load(delta.file, true);
    // MUST (TIP-9): the unspent outputs and the treasury hold exactly the supply; checked on what was stored.
    const supply = ledger.totalSupplyCheck();
    if (supply !== TOKEN_SUPPLY) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_SUPPLY_MISMATCH",
        `the imported ledger holds ${supply}, not the total supply ${TOKEN_SUPPLY}; the import was undone`,
      );
    }
    // MUST (chrysalis.md §11.3): snapshot index = pruning index = SEP index; the node confirms from there on.
    target.setConfirmedMilestoneIndex(last.sepIndex);
    target.setLatestMilestoneIndex(last.sepIndex);
    target.setPruningIndex(last.sepIndex);
    ledger.setSnapshotInfo({
      networkId,
      snapshotIndex: last.sepIndex,
      entryPointIndex: last.sepIndex,
      timestamp: last.timestamp,
    });
    store.del(IMPORT_MARKER_KEY);
    await store.durable();
  } catch (e) {
    // A store that failed cannot be emptied: the marker stays and tells the next start (snapshotImportInterrupted).
    await undoImport(ledger, target, store).catch(() => undefined);
    throw e;
  }
  const report = loader.report;
  report.sepIndex = last.sepIndex;
  report.ledgerIndex = ledger.ledgerIndex;
  report.durationMs = performance.now() - startedAt;
  return report;
}
