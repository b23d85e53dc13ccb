/**
 * Pruning (Hornet 1.2.8 `pkg/snapshot/pruning.go`): deletes the messages referenced by milestones up to a target
 * index, the never-referenced messages that arrived while the latest milestone index was at or below it, and the
 * milestone entries, after turning the messages at the new edge of the history into solid entry points so that
 * everything kept stays solid (chrysalis.md §12: a message is solid when every parent is solid or a solid entry point;
 * §6.1: white flag stops at solid entry points; §11.3: the SEP definition).
 *
 * The only effects of running this are staged tangle writes (addSolidEntryPoint, deleteMessage, deleteMilestone,
 * removeSolidEntryPoint, setPruningIndex, and deletes of REFERENCED/ARRIVALS keys whose message is gone), committed
 * chunk by chunk through the tangle's group commit.
 *
 * Crash safety, chunk by chunk (the group commit keeps each chunk in one atomic batch and commits batches in order,
 * so a crash loses at most the last chunks, never part of one):
 *  1. the new solid entry points are staged and made durable before the first delete, so every state a crash can
 *     leave has at least the entry points the kept messages need;
 *  2. milestones are pruned in index order; each chunk holds whole message deletions, and the chunk that finishes
 *     milestone k also moves the pruning index to k, so the index never claims more than is deleted and nothing
 *     above pruning index + 1 is ever deleted;
 *  3. old entry points are removed last. Until then the set is a superset of what is needed, which is safe.
 * Running pruneTo again after a crash or an abort recomputes the entry points from what is stored plus the entry
 * points already in the table, and finishes the deletions: the result equals that of an uninterrupted run.
 *
 * Each chunk is one synchronous stretch of at most `chunkSize` index entries and `chunkBudgetMs`; between chunks the
 * pruner yields to the event loop, so ingestion keeps running (ARCHITECTURE.md habit 9). Commits are pipelined: a
 * chunk commits while the next one is staged, and the pruner waits for chunk n to be durable before it stages chunk
 * n + 2, so at most two chunks are ever staged and LMDB's fsync overlaps the next chunk's work (+25% messages/s in
 * bench/pruning.bench.ts against waiting for each chunk). A run returns only once everything it staged is durable.
 */
import { performance } from "node:perf_hooks";
import { setImmediate as nextTurn } from "node:timers/promises";
import { bytesToHex } from "../primitives/hex.js";
import type { KvRange } from "../storage/kv.js";
import {
  decodeArrivalKey,
  decodeReferencedKey,
  indexedTableBound,
  type StoredMessageMetadata,
  tablePrefix,
} from "../storage/prefixes.js";
import type { Tangle } from "./tangle.js";
import { TangleError } from "./tangleError.js";

/**
 * How far beyond BMD the solid entry point computation looks, in milestones, on each side of the target (Hornet's
 * SolidEntryPointCheckAdditionalThresholdPast/Future and AdditionalPruningThreshold, all 5). A message referenced by
 * milestone m was a non-lazy tip (CMI − OCRI ≤ BMD) when the coordinator picked it, so its parents were referenced at
 * m − BMD − 1 or later; 5 more milestones absorb the coordinator's lag.
 */
export const SEP_CHECK_ADDITIONAL_THRESHOLD = 5;

export interface PruningOptions {
  /**
   * Milestone cones kept below the confirmed milestone index (CMI): after each confirmed milestone the node prunes to
   * CMI − milestonesToKeep. Hornet's pruning.milestones.maxMilestonesToKeep default, 60480, is one week of 10-second
   * milestones. 0 turns pruning by depth off.
   */
  milestonesToKeep: number;
  /**
   * Store size (KvStore.sizeBytes) above which the node prunes further than milestonesToKeep to free space (Hornet's
   * pruning.size.targetSize, 30 GB there). 0 turns pruning by size off, the default here, because the right value
   * depends on the disk and only the operator knows it.
   */
  sizeTargetBytes: number;
  /**
   * How far below sizeTargetBytes a size-triggered prune aims, in percent (Hornet's pruning.size.thresholdPercentage,
   * 10): aiming at the target itself would trigger another prune as soon as a few messages arrive.
   */
  sizeThresholdPercentage: number;
  /**
   * Least time between two size-triggered prunes, in milliseconds (Hornet's pruning.size.cooldownTime, 5 minutes).
   * Data pruning cannot free (the ledger, pending messages) can keep the store above the target; without a cooldown
   * each milestone would start another prune, each cutting a further slice of history, until the BMD window.
   */
  sizeCooldownMs: number;
  /**
   * Below max depth (chrysalis.md §7: 15 milestones). It bounds how far back a message referenced from now on can
   * approve, so pruning never goes above CMI − (BMD + 5) and the solid entry point search looks BMD + 5 milestones
   * around the target.
   */
  belowMaxDepth: number;
  /**
   * Most REFERENCED or ARRIVALS entries handled per chunk (one atomic batch); an entry is usually one message deleted.
   * On lmdb the time budget below usually ends a chunk first (about 85 messages with 300k stored,
   * bench/pruning.bench.ts); throughput was flat from 100 to 500, since each deleteMessage scans the writes staged so
   * far: larger chunks cost more per message, smaller ones commit too little work.
   */
  chunkSize: number;
  /**
   * Longest synchronous stretch of one chunk, in milliseconds: a chunk ends early once it has run this long. A long
   * loop may hold the event loop ~50 ms (ARCHITECTURE.md habit 9); a garbage collection inside a chunk typically adds
   * 10 to 30 ms on this machine (bench/pruning.bench.ts), so 15 ms keeps the sum under it. It matters most when
   * ingestion has staged many writes, which every deleteMessage then scans.
   */
  chunkBudgetMs: number;
}

export const DEFAULT_PRUNING_OPTIONS: PruningOptions = {
  milestonesToKeep: 60_480,
  sizeTargetBytes: 0,
  sizeThresholdPercentage: 10,
  sizeCooldownMs: 5 * 60 * 1000,
  belowMaxDepth: 15,
  chunkSize: 250,
  chunkBudgetMs: 15,
};

export interface PruningModules {
  tangle: Tangle;
  /** True while the solidifier holds the message in its pending set (it evicts those itself, by age). */
  isPending?: (idHex: string) => boolean;
  /** Wall-clock milliseconds, for the size cooldown and the report's duration. */
  now: () => number;
}

export type PruneTrigger = "target" | "depth" | "size";

export interface PruneReport {
  trigger: PruneTrigger;
  /** Pruning index before the run. */
  fromIndex: number;
  targetIndex: number;
  /** Pruning index after the run: the target, or less when the run was aborted. */
  prunedIndex: number;
  /** False when the abort signal stopped the run early; pruneTo again finishes the job. */
  completed: boolean;
  /** Messages deleted in total: referenced plus never referenced. */
  messagesDeleted: number;
  referencedMessagesDeleted: number;
  unreferencedMessagesDeleted: number;
  milestonesDeleted: number;
  solidEntryPointsAdded: number;
  solidEntryPointsRemoved: number;
  /** Solid entry points after the run. */
  solidEntryPointCount: number;
  /** Atomic chunks committed. */
  chunks: number;
  /**
   * Longest synchronous stretch between two yields to the event loop, in milliseconds (wall clock, so it includes
   * garbage collection and time the OS gave other processes). At most about chunkBudgetMs plus one message.
   */
  longestStretchMs: number;
  durationMs: number;
}

export interface PruneOptions {
  /** Stops the run at the next chunk boundary; what is committed stays committed and consistent. */
  signal?: AbortSignal;
}

/** The inputs of Hornet's calcTargetIndexBySize. */
export interface SizeTargetInput {
  confirmedMilestoneIndex: number;
  pruningIndex: number;
  currentBytes: number;
  targetBytes: number;
  thresholdPercentage: number;
}

/**
 * Hornet's size rule: keep the share of the milestones between the pruning index and the CMI that the store would
 * hold at (100 − threshold)% of the target, assuming the bytes spread evenly over them, and prune the rest. Undefined
 * when the store is below the target or the rule is off.
 */
export function sizeTargetIndex(input: SizeTargetInput): number | undefined {
  const { confirmedMilestoneIndex: cmi, pruningIndex, currentBytes, targetBytes, thresholdPercentage } = input;
  if (targetBytes <= 0 || currentBytes < targetBytes) return undefined;
  const keepShare = (targetBytes * ((100 - thresholdPercentage) / 100)) / currentBytes;
  const keep = Math.ceil((cmi - pruningIndex) * keepShare);
  return cmi - keep;
}

interface RunState {
  report: PruneReport;
  /** Entries handled in the current chunk. */
  work: number;
  /** performance.now() when the current chunk began. */
  chunkStartedAt: number;
  /** The commit of the chunk before the last one ended, awaited before the next chunk is staged. */
  previousCommit: Promise<void>;
  signal: AbortSignal | undefined;
}

/** A solid entry point: a message id and the index of the milestone that referenced it. */
export interface SolidEntryPoint {
  id: Uint8Array;
  index: number;
}

/** The smallest key after `key` (for resuming a range walk after it). */
function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

export class Pruner {
  private readonly options: PruningOptions;
  /** Runs queued or in progress; pruneTo calls wait for each other. */
  private queued = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** When the last size-triggered prune ended (undefined: never). */
  private lastSizePruneAt: number | undefined;

  constructor(
    options: Partial<PruningOptions>,
    private readonly modules: PruningModules,
  ) {
    this.options = { ...DEFAULT_PRUNING_OPTIONS, ...options };
    if (!Number.isInteger(this.options.chunkSize) || this.options.chunkSize < 1) {
      throw new RangeError(`pruning chunkSize ${this.options.chunkSize} is not a positive integer`);
    }
    if (!(this.options.chunkBudgetMs > 0)) {
      throw new RangeError(`pruning chunkBudgetMs ${this.options.chunkBudgetMs} is not a positive number`);
    }
  }

  /** True while a prune runs or waits to run. */
  get isPruning(): boolean {
    return this.queued > 0;
  }

  /**
   * Milestones above the target needed before pruning to it: its solid entry points are the messages with a child
   * referenced above it, and those children are referenced up to BMD + 5 milestones later (Hornet's
   * solidEntryPointCheckThresholdFuture).
   */
  get futureThreshold(): number {
    return this.options.belowMaxDepth + SEP_CHECK_ADDITIONAL_THRESHOLD;
  }

  /** Milestones below the target searched for solid entry points (Hornet's solidEntryPointCheckThresholdPast). */
  get pastThreshold(): number {
    return this.options.belowMaxDepth + SEP_CHECK_ADDITIONAL_THRESHOLD;
  }

  /**
   * Prunes everything up to milestone `targetIndex`. Rejects with TANGLE_ERROR_PRUNING_TARGET unless the target is
   * above the pruning index and at most CMI − (BMD + 5). Waits for a prune already running.
   */
  pruneTo(targetIndex: number, options: PruneOptions = {}): Promise<PruneReport> {
    return this.enqueue(() => this.run(targetIndex, "target", options.signal));
  }

  /**
   * Called after each confirmed milestone: prunes to CMI − milestonesToKeep, or further when the store is above the
   * size target (at most once per cooldown), never above CMI − (BMD + 5). Like Hornet it prunes in steps of at least
   * BMD + 6 milestones, so each solid entry point search (2 × (BMD + 5) milestones around the target) is paid for by
   * as many pruned milestones, and, like Hornet, only while the node is synced (CMI = LMI): while it catches up,
   * ingestion needs the disk more. Returns null when there is nothing to do or a prune is already running.
   */
  async maybePrune(): Promise<PruneReport | null> {
    const { tangle, now } = this.modules;
    const cmi = tangle.confirmedMilestoneIndex;
    if (this.queued > 0 || cmi !== tangle.latestMilestoneIndex) return null;
    const { milestonesToKeep, sizeTargetBytes, sizeThresholdPercentage, sizeCooldownMs } = this.options;
    const pruningIndex = tangle.pruningIndex;
    let target = 0;
    let trigger: PruneTrigger = "depth";
    if (milestonesToKeep > 0 && cmi > milestonesToKeep) target = cmi - milestonesToKeep;
    const cooledDown = this.lastSizePruneAt === undefined || now() - this.lastSizePruneAt > sizeCooldownMs;
    if (sizeTargetBytes > 0 && cooledDown) {
      const bySize = sizeTargetIndex({
        confirmedMilestoneIndex: cmi,
        pruningIndex,
        currentBytes: tangle.store.sizeBytes(),
        targetBytes: sizeTargetBytes,
        thresholdPercentage: sizeThresholdPercentage,
      });
      if (bySize !== undefined && bySize > target) {
        target = bySize;
        trigger = "size";
      }
    }
    target = Math.min(target, cmi - this.futureThreshold);
    if (target < pruningIndex + this.futureThreshold + 1) return null;
    const report = await this.enqueue(() => this.run(target, trigger, undefined));
    if (trigger === "size") this.lastSizePruneAt = now();
    return report;
  }

  /**
   * The solid entry points of a snapshot taken at milestone `targetIndex` (chrysalis.md §11.3: Hornet's snapshot
   * writer uses the pruning rule), by hex id, each with the index of the milestone that referenced it. Nothing is
   * written. Rejects with TANGLE_ERROR_PRUNING_TARGET above CMI − (BMD + 5), as Hornet does, and below the pruning
   * index, whose messages are gone. Waits for a prune already running, and a prune waits for it.
   */
  solidEntryPointsFor(targetIndex: number): Promise<Map<string, SolidEntryPoint>> {
    const run = this.tail.then(async () => {
      const { tangle } = this.modules;
      const pruningIndex = tangle.pruningIndex;
      const highest = tangle.confirmedMilestoneIndex - this.futureThreshold;
      if (!Number.isInteger(targetIndex) || targetIndex < pruningIndex || targetIndex > highest) {
        throw new TangleError(
          "TANGLE_ERROR_PRUNING_TARGET",
          `snapshot target ${targetIndex} is not a milestone index in ${pruningIndex}..${highest}: its messages must ` +
            `not be pruned, and its solid entry points need the ${this.futureThreshold} milestones after it ` +
            `confirmed (BMD + ${SEP_CHECK_ADDITIONAL_THRESHOLD})`,
        );
      }
      const state = newRunState("target", pruningIndex, targetIndex, tangle.solidEntryPointCount, undefined);
      // Without an abort signal the search always runs to its end.
      return (await this.neededSolidEntryPoints(targetIndex, state)) ?? new Map<string, SolidEntryPoint>();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private enqueue(job: () => Promise<PruneReport>): Promise<PruneReport> {
    this.queued++;
    const run = this.tail.then(job).finally(() => {
      this.queued--;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(targetIndex: number, trigger: PruneTrigger, signal: AbortSignal | undefined): Promise<PruneReport> {
    const { tangle, now } = this.modules;
    const startedAt = now();
    const fromIndex = tangle.pruningIndex;
    this.validateTarget(targetIndex, fromIndex);
    const state = newRunState(trigger, fromIndex, targetIndex, tangle.solidEntryPointCount, signal);
    const { report } = state;
    const finish = async (): Promise<PruneReport> => {
      noteStretch(state, performance.now() - state.chunkStartedAt);
      await tangle.durable();
      report.prunedIndex = tangle.pruningIndex;
      report.messagesDeleted = report.referencedMessagesDeleted + report.unreferencedMessagesDeleted;
      report.solidEntryPointCount = tangle.solidEntryPointCount;
      report.durationMs = now() - startedAt;
      return report;
    };
    if (signal?.aborted) return finish();

    const needed = await this.neededSolidEntryPoints(targetIndex, state);
    if (needed === null) return finish();
    for (const [hex, sep] of needed) {
      if (tangle.solidEntryPointIndexByHex(hex) !== undefined) continue;
      tangle.addSolidEntryPoint(sep.id, sep.index);
      report.solidEntryPointsAdded++;
    }
    // Durable before the first delete is even staged (crash safety, point 1).
    const stretch = performance.now() - state.chunkStartedAt;
    report.chunks++;
    await tangle.durable();
    if (!(await this.yieldTurn(state, stretch))) return finish();

    let arrivalsCursor = tablePrefix("ARRIVALS");
    for (let k = fromIndex + 1; k <= targetIndex; k++) {
      if (!(await this.pruneReferencedAt(k, state))) return finish();
      const cursor = await this.pruneArrivalsUpTo(k, arrivalsCursor, state);
      if (cursor === null) return finish();
      arrivalsCursor = cursor;
      if (tangle.getMilestone(k) !== undefined) {
        tangle.deleteMilestone(k);
        report.milestonesDeleted++;
      }
      tangle.setPruningIndex(k);
    }

    // Old entry points go last, once nothing left behind them can need them (crash safety, point 3).
    for (const [id, index] of [...tangle.solidEntryPoints()]) {
      if (index <= targetIndex && !needed.has(bytesToHex(id))) {
        tangle.removeSolidEntryPoint(id);
        report.solidEntryPointsRemoved++;
      }
    }
    report.chunks++;
    report.completed = true;
    return finish();
  }

  private validateTarget(targetIndex: number, pruningIndex: number): void {
    const cmi = this.modules.tangle.confirmedMilestoneIndex;
    const highest = cmi - this.futureThreshold;
    if (!Number.isInteger(targetIndex) || targetIndex <= pruningIndex) {
      throw new TangleError(
        "TANGLE_ERROR_PRUNING_TARGET",
        `pruning target ${targetIndex} is not a milestone index above the pruning index ${pruningIndex}`,
      );
    }
    if (targetIndex > highest) {
      throw new TangleError(
        "TANGLE_ERROR_PRUNING_TARGET",
        `pruning target ${targetIndex} is above ${highest}: its solid entry points need the ${this.futureThreshold} ` +
          `milestones after it confirmed (BMD + ${SEP_CHECK_ADDITIONAL_THRESHOLD}), and the CMI is ${cmi}`,
      );
    }
  }

  /**
   * The solid entry points the history above `targetIndex` needs, by hex id (null when aborted). Hornet's rule: a
   * message referenced at or below the target with a child referenced above it. Two sources:
   *
   *  - stored messages referenced in the BMD + 5 milestones up to the target (Hornet's forEachSolidEntryPoint), each
   *    checked through its children. Children that are not referenced do not count, as in Hornet: the target is at
   *    least BMD + 5 below the CMI, so such a child has OCRI ≤ target < CMI − BMD, is below max depth for good, and
   *    no milestone can reference it (the coordinator picks non-lazy tips only, whose cones stay within BMD). Its
   *    parent is never needed to solidify a milestone's cone or to walk one; keeping it would only let lazy spam
   *    anchor on pruned history.
   *  - entry points already in the table at or below the target, whose messages were mostly deleted earlier (with
   *    their children edges): kept if a message referenced above the target, and at most BMD + 5 milestones above
   *    the newest of them, lists one as a parent. That covers a prune resumed after a crash or an abort, whose first
   *    run deleted some of its own new entry points' messages. Entry points above the target come from such an
   *    unfinished run with a higher target and stay until a prune passes them. maybePrune's steps of BMD + 6 make
   *    this scan empty in normal operation.
   */
  private async neededSolidEntryPoints(
    targetIndex: number,
    state: RunState,
  ): Promise<Map<string, SolidEntryPoint> | null> {
    const { tangle } = this.modules;
    const needed = new Map<string, SolidEntryPoint>();
    const from = Math.max(tangle.pruningIndex + 1, targetIndex - this.pastThreshold);
    const forward = await this.walk(
      { start: indexedTableBound("REFERENCED", from), end: indexedTableBound("REFERENCED", targetIndex + 1) },
      state,
      false,
      (key) => {
        const { index, messageId } = decodeReferencedKey(key);
        for (const child of tangle.childrenOf(messageId)) {
          if (referencedAfter(tangle.getMetadata(child), targetIndex)) {
            needed.set(bytesToHex(messageId), { id: messageId, index });
            return;
          }
        }
      },
    );
    if (!forward) return null;

    const old = new Map<string, number>();
    let newestOld = 0;
    for (const [id, index] of tangle.solidEntryPoints()) {
      const hex = bytesToHex(id);
      if (index > targetIndex || needed.has(hex)) continue;
      old.set(hex, index);
      newestOld = Math.max(newestOld, index);
    }
    const end = Math.min(newestOld + this.futureThreshold, tangle.confirmedMilestoneIndex);
    if (old.size === 0 || end <= targetIndex) return needed;
    const backward = await this.walk(
      { start: indexedTableBound("REFERENCED", targetIndex + 1), end: indexedTableBound("REFERENCED", end + 1) },
      state,
      false,
      (key) => {
        const { messageId } = decodeReferencedKey(key);
        for (const parent of tangle.getParents(messageId) ?? []) {
          const hex = bytesToHex(parent);
          const index = old.get(hex);
          if (index === undefined) continue;
          needed.set(hex, { id: parent, index });
          old.delete(hex);
        }
      },
      () => old.size === 0,
    );
    return backward ? needed : null;
  }

  /** Deletes the messages milestone k referenced. False when aborted. */
  private async pruneReferencedAt(k: number, state: RunState): Promise<boolean> {
    const { tangle } = this.modules;
    const { report } = state;
    return this.walk(
      { start: indexedTableBound("REFERENCED", k), end: indexedTableBound("REFERENCED", k + 1) },
      state,
      true,
      (key) => {
        const { messageId } = decodeReferencedKey(key);
        if (tangle.deleteMessage(messageId) !== undefined) report.referencedMessagesDeleted++;
        // deleteMessage drops the entry through the metadata; this also drops one whose metadata says otherwise.
        tangle.store.del(key);
      },
    );
  }

  /**
   * Handles the ARRIVALS entries from `cursor` up to LMI k (Hornet's unreferenced-messages pruning): a message never
   * referenced goes with its entry, unless it is still unsolid (the solidifier owns it and evicts it by age); the entry
   * of a referenced message goes alone (the message leaves with its milestone, through REFERENCED). Returns where the
   * next walk starts, or null when aborted.
   */
  private async pruneArrivalsUpTo(k: number, cursor: Uint8Array, state: RunState): Promise<Uint8Array | null> {
    const { tangle, isPending } = this.modules;
    const { report } = state;
    let next = cursor;
    const done = await this.walk({ start: cursor, end: indexedTableBound("ARRIVALS", k + 1) }, state, true, (key) => {
      next = keyAfter(key);
      const { index, messageId } = decodeArrivalKey(key);
      const meta = tangle.getMetadata(messageId);
      if (meta !== undefined && !meta.referenced) {
        if (!meta.solid || isPending?.(bytesToHex(messageId)) === true) return;
        if (tangle.deleteMessage(messageId, index) !== undefined) report.unreferencedMessagesDeleted++;
      }
      tangle.store.del(key);
    });
    return done ? next : null;
  }

  /**
   * Visits the keys of `range` in chunks (at most chunkSize visits or chunkBudgetMs each), resuming after the last
   * key visited. With `writes` a chunk ends with a durable commit; without, only with a turn of the event loop. The
   * walk ends early once `done` turns true. Resolves false when the abort signal stopped it.
   */
  private async walk(
    range: { start: Uint8Array; end: Uint8Array },
    state: RunState,
    writes: boolean,
    visit: (key: Uint8Array) => void,
    done: () => boolean = () => false,
  ): Promise<boolean> {
    const store = this.modules.tangle.store;
    const { chunkSize, chunkBudgetMs } = this.options;
    const overBudget = () => performance.now() - state.chunkStartedAt >= chunkBudgetMs;
    let start = range.start;
    for (;;) {
      if (state.work >= chunkSize || overBudget()) {
        const go = writes ? await this.endChunk(state) : await this.yieldTurn(state);
        if (!go) return false;
      }
      const room = chunkSize - state.work;
      const slice: KvRange = { start, end: range.end, limit: room };
      const keys: Uint8Array[] = [];
      for (const [key] of store.iterate(slice)) keys.push(key);
      let visited = 0;
      while (visited < keys.length) {
        state.work++;
        visit(keys[visited++]!);
        if (done()) return true;
        if (overBudget()) break;
      }
      if (visited === keys.length && keys.length < room) return true;
      start = keyAfter(keys[visited - 1]!);
    }
  }

  /**
   * Hands the chunk to the group commit, waits for the previous chunk to be durable, lets the event loop run, and
   * tells whether to go on.
   */
  private async endChunk(state: RunState): Promise<boolean> {
    const stretch = performance.now() - state.chunkStartedAt;
    const commit = this.modules.tangle.durable();
    await state.previousCommit;
    state.previousCommit = commit;
    state.report.chunks++;
    return this.yieldTurn(state, stretch);
  }

  private async yieldTurn(state: RunState, stretch = performance.now() - state.chunkStartedAt): Promise<boolean> {
    noteStretch(state, stretch);
    await nextTurn();
    state.work = 0;
    state.chunkStartedAt = performance.now();
    return state.signal?.aborted !== true;
  }
}

/** The state of a fresh run from `fromIndex` to `targetIndex`: nothing done yet. */
function newRunState(
  trigger: PruneTrigger,
  fromIndex: number,
  targetIndex: number,
  solidEntryPointCount: number,
  signal: AbortSignal | undefined,
): RunState {
  return {
    report: {
      trigger,
      fromIndex,
      targetIndex,
      prunedIndex: fromIndex,
      completed: false,
      messagesDeleted: 0,
      referencedMessagesDeleted: 0,
      unreferencedMessagesDeleted: 0,
      milestonesDeleted: 0,
      solidEntryPointsAdded: 0,
      solidEntryPointsRemoved: 0,
      solidEntryPointCount,
      chunks: 0,
      longestStretchMs: 0,
      durationMs: 0,
    },
    work: 0,
    chunkStartedAt: performance.now(),
    previousCommit: Promise.resolve(),
    signal,
  };
}

function noteStretch(state: RunState, ms: number): void {
  if (ms > state.report.longestStretchMs) state.report.longestStretchMs = ms;
}

function referencedAfter(meta: StoredMessageMetadata | undefined, index: number): boolean {
  return meta?.referenced === true && meta.referencedByMilestoneIndex > index;
}
