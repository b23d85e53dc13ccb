/**
 * In-memory KvStore with the same semantics as the lmdb backend (sorted unsigned-byte iteration, atomic batches,
 * copies in and out), for tests and tools that need no disk. Nothing survives close().
 */
import { compareBytes } from "../../primitives/bytes.js";
import { resolveBounds, resolveLimit } from "../keyRange.js";
import type { KvOp, KvRange, KvStore } from "../kv.js";
import { StorageError } from "../storageError.js";
import { assertKey, validateOps } from "../validateOps.js";

interface Entry {
  readonly key: Uint8Array;
  /** Never mutated in place: a put replaces the entry, so snapshots taken by iterate() stay valid. */
  readonly value: Uint8Array;
}

/** Map key for a byte key; latin1 maps each byte to one UTF-16 unit, so distinct keys give distinct strings. */
function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
}

export class MemoryKvStore implements KvStore {
  private readonly byKey = new Map<string, Entry>();
  /** Entries sorted by key (unsigned byte order). */
  private readonly sorted: Entry[] = [];
  /** Sum of key and value lengths of every entry, kept up to date by batch() so sizeBytes() costs nothing. */
  private bytes = 0;
  private closed = false;

  get(key: Uint8Array): Uint8Array | undefined {
    this.assertOpen();
    assertKey(key);
    return this.byKey.get(mapKey(key))?.value.slice();
  }

  has(key: Uint8Array): boolean {
    this.assertOpen();
    assertKey(key);
    return this.byKey.has(mapKey(key));
  }

  async batch(ops: readonly KvOp[]): Promise<void> {
    this.assertOpen();
    validateOps(ops);
    for (const op of ops) {
      const k = mapKey(op.key);
      if (op.type === "put") {
        const entry: Entry = { key: op.key.slice(), value: op.value.slice() };
        const previous = this.byKey.get(k);
        this.byKey.set(k, entry);
        const i = this.lowerIndex(op.key);
        if (previous !== undefined) {
          this.sorted[i] = entry;
          this.bytes += entry.value.length - previous.value.length;
        } else {
          this.sorted.splice(i, 0, entry);
          this.bytes += entry.key.length + entry.value.length;
        }
      } else {
        const previous = this.byKey.get(k);
        if (previous === undefined) continue;
        this.byKey.delete(k);
        this.sorted.splice(this.lowerIndex(op.key), 1);
        this.bytes -= previous.key.length + previous.value.length;
      }
    }
  }

  iterate(range: KvRange = {}): IterableIterator<[Uint8Array, Uint8Array]> {
    this.assertOpen();
    const limit = resolveLimit(range);
    const bounds = resolveBounds(range);
    if (bounds === undefined || limit === 0) return [][Symbol.iterator]();
    const from = bounds.lower === undefined ? 0 : this.lowerIndex(bounds.lower);
    const to = bounds.upper === undefined ? this.sorted.length : this.lowerIndex(bounds.upper);
    const n = Math.min(to - from, limit);
    // A snapshot of the entries in range, so later batches do not shift the walk (LMDB reads a snapshot too).
    const picked = range.reverse ? this.sorted.slice(to - n, to).reverse() : this.sorted.slice(from, from + n);
    return (function* () {
      for (const e of picked) yield [e.key.slice(), e.value.slice()] as [Uint8Array, Uint8Array];
    })();
  }

  count(prefix?: Uint8Array): number {
    this.assertOpen();
    if (prefix === undefined) return this.sorted.length;
    const bounds = resolveBounds({ prefix });
    if (bounds === undefined) return 0;
    const from = bounds.lower === undefined ? 0 : this.lowerIndex(bounds.lower);
    const to = bounds.upper === undefined ? this.sorted.length : this.lowerIndex(bounds.upper);
    return to - from;
  }

  /** Key and value bytes held (no per-entry overhead), so it returns to 0 once every key is deleted. */
  sizeBytes(): number {
    this.assertOpen();
    return this.bytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.byKey.clear();
    this.sorted.length = 0;
    this.bytes = 0;
  }

  /** Index of the first entry whose key is >= `key`. */
  private lowerIndex(key: Uint8Array): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.sorted[mid]!.key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError("STORAGE_ERROR_CLOSED", "the memory store is closed");
  }
}
