/**
 * Group commit over a KvStore. Writers put and delete synchronously; every read sees those writes at once, and the
 * writes reach the store in atomic batches, one at a time, in the order they were made. A crash therefore loses at
 * most the last few batches and never leaves half of one: the database always holds a prefix of the state
 * transitions, which is what makes "no revalidation after SIGKILL" possible (ARCHITECTURE.md habit 7).
 *
 * Why: a durable LMDB commit costs an fsync (milliseconds); committing each message alone would cap ingestion at a
 * few hundred messages per second, while one commit per event-loop turn carries thousands.
 *
 * Two generations of staged writes exist at most: the batch being committed and the one being filled. Reads look at
 * the newest generation first, then the committing one, then the store.
 */
import { compareBytes } from "../primitives/bytes.js";
import type { KvOp, KvRange, KvStore } from "./kv.js";
import { StorageError } from "./storageError.js";
import { assertKey } from "./validateOps.js";

/** The read side of a KvStore. */
export type KvReader = Pick<KvStore, "get" | "has" | "iterate" | "count">;

export interface StagedStoreOptions {
  /**
   * Staged ops above which `needsDrain` turns true, so producers can wait for `drain()` instead of growing memory
   * without bound while the disk is slow. Default 20k (~3k messages): LMDB keeps the dirty pages of its largest
   * transaction allocated until close, so bigger batches cost resident memory for good (100k: +120 MB anonymous RSS
   * per 100k messages ingested, bench pipeline.memory.per100k) without making ingestion faster.
   */
  maxStagedOps?: number;
}

const DEFAULT_MAX_STAGED_OPS = 20_000;

/** A backend that can commit a batch whose put values it may keep without copying (LmdbKvStore). */
interface HandOverBatch {
  batchHandingOver(ops: readonly KvOp[]): Promise<void>;
}

function canHandOver(kv: KvStore): kv is KvStore & HandOverBatch {
  return typeof (kv as Partial<HandOverBatch>).batchHandingOver === "function";
}

interface Generation {
  /**
   * mapKey(key) → the op as it will be committed (built once, at staging). Map order is insertion order, which the
   * batch keeps.
   */
  readonly writes: Map<string, KvOp>;
  /**
   * The first INDEXED_PREFIX_LENGTH chars of each staged key → those keys, so a range read with a prefix at least
   * that long (a message's children edges, scanned for every pruned message) looks at its own keys only instead of
   * every staged write. Keys staged twice appear twice; readers dedupe.
   */
  readonly byPrefix: Map<string, string[]>;
  readonly durable: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * One UTF-16 unit per key byte, so distinct keys give distinct strings. fromCharCode over the bytes costs a third
 * of a Buffer round trip for the 33-byte keys that dominate: it neither wraps the key in a Buffer nor forces V8 to
 * move a small key's bytes off the heap (reading `.buffer` does), which the collector would then have to track.
 */
function mapKey(key: Uint8Array): string {
  return String.fromCharCode.apply(null, key as unknown as number[]);
}

/** A table byte plus a 32-byte id: the prefix of every per-message range scan (prefixes.ts). */
const INDEXED_PREFIX_LENGTH = 33;

function newGeneration(): Generation {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const durable = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A generation nobody waits for must not turn a failed commit into an unhandled rejection; `failure` reports it.
  durable.catch(() => undefined);
  return { writes: new Map(), byPrefix: new Map(), durable, resolve, reject };
}

function inRange(key: Uint8Array, range: KvRange): boolean {
  const { prefix, start, end } = range;
  if (
    prefix !== undefined &&
    (key.length < prefix.length || compareBytes(key.subarray(0, prefix.length), prefix) !== 0)
  )
    return false;
  if (start !== undefined && compareBytes(key, start) < 0) return false;
  if (end !== undefined && compareBytes(key, end) >= 0) return false;
  return true;
}

export class StagedStore implements KvReader {
  private current = newGeneration();
  private committing: Generation | null = null;
  private scheduled = false;
  private failed: StorageError | null = null;
  private readonly maxStagedOps: number;
  private drainWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Commits one generation. Staged values are never changed after put() (its contract), so they are handed over. */
  private readonly commitOps: (ops: readonly KvOp[]) => Promise<void>;

  constructor(
    private readonly kv: KvStore,
    options: StagedStoreOptions = {},
  ) {
    this.maxStagedOps = options.maxStagedOps ?? DEFAULT_MAX_STAGED_OPS;
    this.commitOps = canHandOver(kv) ? (ops) => kv.batchHandingOver(ops) : (ops) => kv.batch(ops);
  }

  /** Stages a put; `value` is kept as given, so the caller must not mutate it afterwards. */
  put(key: Uint8Array, value: Uint8Array): void {
    this.stage(key, value);
  }

  del(key: Uint8Array): void {
    this.stage(key, null);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const staged = this.lookup(key);
    // A copy, as KvStore.get promises: callers may keep or mutate what they get.
    if (staged !== undefined) return staged === null ? undefined : staged.slice();
    return this.kv.get(key);
  }

  has(key: Uint8Array): boolean {
    const staged = this.lookup(key);
    if (staged !== undefined) return staged !== null;
    return this.kv.has(key);
  }

  count(prefix?: Uint8Array): number {
    if (this.failed) throw this.failed;
    let n = this.kv.count(prefix);
    for (const [key, value] of this.stagedFinal(prefix === undefined ? {} : { prefix })) {
      n += (value !== null ? 1 : 0) - (this.kv.has(key) ? 1 : 0);
    }
    return n;
  }

  /** The store's range merged with the staged writes (staged ones win), with KvStore.iterate's semantics. */
  iterate(range: KvRange = {}): IterableIterator<[Uint8Array, Uint8Array]> {
    // Checked at the call, not at the first next(): once a batch failed, memory is ahead of the disk.
    if (this.failed) throw this.failed;
    return this.merged(range);
  }

  private *merged(range: KvRange): IterableIterator<[Uint8Array, Uint8Array]> {
    const reverse = range.reverse === true;
    const staged = this.stagedFinal(range);
    if (reverse) staged.reverse();
    const order = (a: Uint8Array, b: Uint8Array) => (reverse ? compareBytes(b, a) : compareBytes(a, b));
    const { limit, ...unlimited } = range;
    let left = limit ?? Number.POSITIVE_INFINITY;
    if (left <= 0) return;
    let s = 0;
    for (const [key, value] of this.kv.iterate(unlimited)) {
      while (s < staged.length && order(staged[s]![0], key) < 0) {
        const [sk, sv] = staged[s++]!;
        if (sv === null) continue;
        yield [sk.slice(), sv.slice()];
        if (--left === 0) return;
      }
      if (s < staged.length && compareBytes(staged[s]![0], key) === 0) {
        const sv = staged[s++]![1];
        if (sv === null) continue;
        yield [key, sv.slice()];
      } else {
        yield [key, value];
      }
      if (--left === 0) return;
    }
    for (; s < staged.length; s++) {
      const [sk, sv] = staged[s]!;
      if (sv === null) continue;
      yield [sk.slice(), sv.slice()];
      if (--left === 0) return;
    }
  }

  sizeBytes(): number {
    return this.kv.sizeBytes();
  }

  /** Ops staged and not yet committed (both generations). */
  get stagedOps(): number {
    return this.current.writes.size + (this.committing?.writes.size ?? 0);
  }

  /** True while more ops are staged than `maxStagedOps`: producers should await drain(). */
  get needsDrain(): boolean {
    return this.stagedOps > this.maxStagedOps;
  }

  /** Resolves once the staged ops are back under the limit (at once if they are). */
  drain(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.needsDrain) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /**
   * A promise that resolves when every write staged so far is durable, and rejects with STORAGE_ERROR_WRITE_FAILED
   * if its batch fails. It schedules a commit if none is pending.
   */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.current.writes.size === 0) return this.committing?.durable ?? Promise.resolve();
    this.schedule();
    return this.current.durable;
  }

  /** Commits everything staged and waits for it (used before close and by tests). */
  async flush(): Promise<void> {
    await this.durable();
    // A generation staged while the previous one committed may still be queued.
    if (this.current.writes.size > 0 || this.committing) await this.flush();
  }

  /** The error that stopped all writing, if a batch failed. The in-memory state above is then ahead of the disk. */
  get failure(): StorageError | null {
    return this.failed;
  }

  private stage(key: Uint8Array, value: Uint8Array | null): void {
    if (this.failed) throw this.failed;
    assertKey(key);
    const k = mapKey(key);
    const gen = this.current;
    if (key.length >= INDEXED_PREFIX_LENGTH && !gen.writes.has(k)) {
      const p = k.slice(0, INDEXED_PREFIX_LENGTH);
      const list = gen.byPrefix.get(p);
      if (list === undefined) gen.byPrefix.set(p, [k]);
      else list.push(k);
    }
    gen.writes.set(k, value === null ? { type: "del", key } : { type: "put", key, value });
    this.schedule();
  }

  private lookup(key: Uint8Array): Uint8Array | null | undefined {
    if (this.failed) throw this.failed;
    if (this.current.writes.size === 0 && this.committing === null) return undefined;
    const k = mapKey(key);
    const w = this.current.writes.get(k) ?? this.committing?.writes.get(k);
    return w === undefined ? undefined : w.type === "put" ? w.value : null;
  }

  /** Staged keys in `range` (prefix/start/end only) with their newest value, sorted ascending. */
  private stagedFinal(range: KvRange): Array<[Uint8Array, Uint8Array | null]> {
    const final = new Map<string, [Uint8Array, Uint8Array | null]>();
    const indexed =
      range.prefix !== undefined && range.prefix.length >= INDEXED_PREFIX_LENGTH
        ? mapKey(range.prefix.subarray(0, INDEXED_PREFIX_LENGTH))
        : undefined;
    for (const gen of [this.committing, this.current]) {
      if (gen === null) continue;
      if (indexed === undefined) {
        for (const [k, w] of gen.writes) {
          if (inRange(w.key, range)) final.set(k, [w.key, w.type === "put" ? w.value : null]);
        }
        continue;
      }
      // Keys shorter than the indexed prefix cannot match a prefix this long, so the index sees every candidate.
      for (const k of gen.byPrefix.get(indexed) ?? []) {
        const w = gen.writes.get(k)!;
        if (inRange(w.key, range)) final.set(k, [w.key, w.type === "put" ? w.value : null]);
      }
    }
    return [...final.values()].sort((a, b) => compareBytes(a[0], b[0]));
  }

  private releaseDrainWaiters(): Array<{ resolve: () => void; reject: (e: unknown) => void }> {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    return waiters;
  }

  private schedule(): void {
    if (this.scheduled || this.committing !== null) return;
    this.scheduled = true;
    // setImmediate lets everything the current event-loop turn stages join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.commitNext();
    });
  }

  private async commitNext(): Promise<void> {
    if (this.committing !== null || this.failed || this.current.writes.size === 0) return;
    const gen = this.current;
    this.committing = gen;
    this.current = newGeneration();
    const ops = [...gen.writes.values()];
    try {
      await this.commitOps(ops);
    } catch (e) {
      this.failed =
        e instanceof StorageError && e.code === "STORAGE_ERROR_WRITE_FAILED"
          ? e
          : new StorageError("STORAGE_ERROR_WRITE_FAILED", `a staged batch of ${ops.length} ops failed`, { cause: e });
      this.committing = null;
      gen.reject(this.failed);
      this.current.reject(this.failed);
      for (const w of this.releaseDrainWaiters()) w.reject(this.failed);
      return;
    }
    this.committing = null;
    gen.resolve();
    if (!this.needsDrain) for (const w of this.releaseDrainWaiters()) w.resolve();
    if (this.current.writes.size > 0) void this.commitNext();
  }
}
