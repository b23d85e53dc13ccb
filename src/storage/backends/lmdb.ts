/**
 * The default on-disk KvStore, on LMDB through lmdb-js (PERFORMANCE.md §3: 31k durable writes/s in batches of
 * 1000, 330k synchronous point reads/s). Reads are synchronous, which suits tangle walks; writes go through one
 * lmdb-js batch per KvStore.batch, which LMDB commits as one transaction.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { open, type RangeOptions, type RootDatabase } from "lmdb";
import { compareBytes } from "../../primitives/bytes.js";
import { resolveBounds, resolveLimit } from "../keyRange.js";
import type { KvOp, KvRange, KvStore } from "../kv.js";
import { StorageError } from "../storageError.js";
import { assertKey, validateOps } from "../validateOps.js";

/** File name of the database inside the store's directory; LMDB keeps `<name>-lock` beside it. */
export const LMDB_FILE_NAME = "weaver.mdb";

export interface LmdbKvStoreOptions {
  /** Directory that holds the database; created when missing. */
  path: string;
}

type Db = RootDatabase<Uint8Array, Uint8Array>;

/** Keys are never empty (validateOps), so no key sorts below this one. */
const SMALLEST_KEY = Uint8Array.of(0);

/**
 * A plain Uint8Array copy of `length` bytes. lmdb-js' reusable buffer reports the value's size in `length` but spans
 * its whole 16 MiB area underneath, so copying through the typed-array constructor would copy all of it.
 */
function copyOut(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length).slice();
}

/** The part of lmdb-js' getStats() (LMDB's MDB_stat of the main database) that sizeBytes reads. */
interface TreeStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

function isTreeStats(x: unknown): x is TreeStats {
  if (typeof x !== "object" || x === null) return false;
  const s = x as Record<string, unknown>;
  return (
    typeof s.pageSize === "number" &&
    typeof s.treeBranchPageCount === "number" &&
    typeof s.treeLeafPageCount === "number" &&
    typeof s.overflowPages === "number"
  );
}

export class LmdbKvStore implements KvStore {
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(private readonly db: Db) {}

  /** Opens (or creates) the store in `options.path`; throws STORAGE_ERROR_OPEN_FAILED when LMDB cannot. */
  static open(options: LmdbKvStoreOptions): LmdbKvStore {
    try {
      mkdirSync(options.path, { recursive: true });
      const db = open<Uint8Array, Uint8Array>({
        path: join(options.path, LMDB_FILE_NAME),
        // Raw bytes in and out: keys compare as unsigned bytes (LMDB's default memcmp order), values are our own
        // fixed layouts (prefixes.ts), so msgpack or ordered-binary would only add work and change the order.
        keyEncoding: "binary",
        encoding: "binary",
        // Durability: every commit fsyncs data and meta pages before the batch promise resolves, so a resolved
        // batch survives a power cut and a SIGKILL at any moment leaves the last committed transaction (LMDB's
        // copy-on-write B+tree never overwrites live pages). noSync/noMetaSync would trade that for speed.
        noSync: false,
        noMetaSync: false,
        // overlappingSync (lmdb-js' default off Windows) resolves writes at commit and flushes afterwards, relying
        // on a boot-id check to pick a safe meta page after a crash. Plain LMDB commits keep "resolved = durable"
        // literally true and need no extra recovery logic.
        overlappingSync: false,
        // A writemap lets a stray write through the map corrupt pages; the malloc'd default cannot.
        useWritemap: false,
        // lmdb-js' object cache would hand out shared objects; callers get fresh copies instead.
        cache: false,
        compression: false,
      });
      return new LmdbKvStore(db);
    } catch (e) {
      throw new StorageError(
        "STORAGE_ERROR_OPEN_FAILED",
        `cannot open LMDB store in ${options.path}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }

  get(key: Uint8Array): Uint8Array | undefined {
    this.assertOpen();
    assertKey(key);
    // getBinaryFast returns a buffer lmdb-js reuses on the next read; the copy is what the caller keeps.
    const v = this.db.getBinaryFast(key);
    return v === undefined ? undefined : copyOut(v);
  }

  has(key: Uint8Array): boolean {
    this.assertOpen();
    assertKey(key);
    return this.db.getBinaryFast(key) !== undefined;
  }

  batch(ops: readonly KvOp[]): Promise<void> {
    // lmdb-js may read a put's value buffer only when the write thread commits, so it gets a private copy the
    // caller cannot change in the meantime.
    return this.write(ops, true);
  }

  /**
   * batch() for a caller that hands its put values over: it never changes them again, so lmdb-js may read them in
   * place when it commits. StagedStore's staged values are such (its put() contract), and skipping the copy saves
   * an allocation per op on the ingestion path.
   */
  batchHandingOver(ops: readonly KvOp[]): Promise<void> {
    return this.write(ops, false);
  }

  private async write(ops: readonly KvOp[], copyValues: boolean): Promise<void> {
    this.assertOpen();
    validateOps(ops);
    const done = this.db.batch(() => {
      for (const op of ops) {
        if (op.type === "put") void this.db.put(op.key, copyValues ? op.value.slice() : op.value);
        else void this.db.remove(op.key);
      }
    });
    this.pending.add(done);
    try {
      await done;
    } catch (e) {
      throw new StorageError(
        "STORAGE_ERROR_WRITE_FAILED",
        `LMDB batch of ${ops.length} ops failed and was rolled back: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    } finally {
      this.pending.delete(done);
    }
  }

  iterate(range: KvRange = {}): IterableIterator<[Uint8Array, Uint8Array]> {
    this.assertOpen();
    const limit = resolveLimit(range);
    const bounds = resolveBounds(range);
    if (bounds === undefined || limit === 0) return [][Symbol.iterator]();
    const { lower, upper } = bounds;
    const db = this.db;
    if (!range.reverse) {
      const opts: RangeOptions = {};
      if (lower !== undefined) opts.start = lower;
      if (upper !== undefined) opts.end = upper;
      if (limit !== Number.POSITIVE_INFINITY) opts.limit = limit;
      return (function* () {
        for (const { key, value } of db.getRange(opts)) {
          yield [copyOut(key), copyOut(value)] as [Uint8Array, Uint8Array];
        }
      })();
    }
    // In reverse, lmdb-js starts at `start` (inclusive) and stops before `end`, so the upper bound is skipped here
    // and the lower one passed as an inclusive end. Without an end it stops above the key 0x00, so the smallest
    // possible key stands in for "no lower bound".
    const opts: RangeOptions = { reverse: true, end: lower ?? SMALLEST_KEY, inclusiveEnd: true };
    if (upper !== undefined) opts.start = upper;
    return (function* () {
      let left = limit;
      for (const { key, value } of db.getRange(opts)) {
        if (upper !== undefined && compareBytes(key, upper) >= 0) continue;
        if (left-- === 0) return;
        yield [copyOut(key), copyOut(value)] as [Uint8Array, Uint8Array];
      }
    })();
  }

  count(prefix?: Uint8Array): number {
    this.assertOpen();
    if (prefix === undefined) return this.db.getKeysCount();
    const bounds = resolveBounds({ prefix });
    if (bounds === undefined) return 0;
    const opts: RangeOptions = {};
    if (bounds.lower !== undefined) opts.start = bounds.lower;
    if (bounds.upper !== undefined) opts.end = bounds.upper;
    return this.db.getKeysCount(opts);
  }

  /**
   * Pages of the database's B+tree (branch, leaf and overflow pages) times the page size, from LMDB's own statistics.
   * Pages freed by deletes leave this count and are reused by later writes, while the file keeps its high-water size,
   * so this is the measure that size-based pruning can actually lower.
   */
  sizeBytes(): number {
    this.assertOpen();
    const stats: unknown = this.db.getStats();
    if (!isTreeStats(stats)) {
      throw new StorageError("STORAGE_ERROR_CORRUPT_VALUE", "LMDB returned statistics without page counts");
    }
    return (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages) * stats.pageSize;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("STORAGE_ERROR_CLOSED", "the LMDB store is closed");
  }
}
