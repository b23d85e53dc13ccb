/**
 * Solidification (chrysalis.md §12, §13 step 3): a message is solid when every parent is solid or a solid entry
 * point. New messages whose parents are all solid become solid at once; the others wait in a bounded pending set,
 * indexed by the parents they wait for, and the parents that are not even stored are handed to the Requester.
 * When a message turns solid, its waiting children are re-checked with an explicit work list, so a chain of any
 * length solidifies in linear time without recursion (ARCHITECTURE.md habit 3, Bee's `propagate`).
 *
 * The pending set mirrors the UNSOLID table exactly (both change in the same staged batch), so load() after a
 * restart rebuilds it from disk. Messages that never become solid are evicted, oldest first, when the set is full
 * or when they have waited longer than `maxPendingAgeMs`; eviction deletes them from the store, so a later copy
 * (for instance one we request again) is treated as new.
 *
 * The only effects of running this are staged tangle writes (markSolid, deleteMessage), Requester calls and the
 * listener callbacks, all synchronous.
 */
import { bytesToHex } from "../primitives/hex.js";
import type { UnsolidEntry } from "../storage/prefixes.js";
import type { Tangle } from "./tangle.js";

/** Where a missing message should be asked for; the network layer decides how (chrysalis.md §12 "Requests"). */
export interface RequestHint {
  /** The milestone whose cone the message belongs to, or the LMI when unknown (Hornet's request index). */
  milestoneIndex: number;
  /** The peer that sent the child: ask it first. */
  peerId?: string;
}

/** Asks the network for messages we lack. The gossip layer implements it (one request per id until it arrives). */
export interface Requester {
  request(messageId: Uint8Array, hint: RequestHint): void;
}

export type EvictionReason = "capacity" | "age";

export interface SolidifierListener {
  /** `id` just became solid (its metadata is staged); called parents before children. */
  onSolid(id: Uint8Array, idHex: string): void;
  /** `id` was evicted from the pending set and deleted; `bytes` are what was stored. */
  onEvicted(id: Uint8Array, idHex: string, bytes: Uint8Array, reason: EvictionReason): void;
}

export interface SolidifierOptions {
  /**
   * Most unsolid messages kept waiting. Each costs ~300 bytes of memory here plus its stored bytes; 200k covers a
   * fresh node syncing a backlog in reverse order (PERFORMANCE.md: sync at ≥ 5,000 messages/s for ~40 s).
   */
  maxPending: number;
  /**
   * Longest wait for missing parents. Hornet drops a request after 15 s and re-requests while syncing; ten minutes
   * leaves room for a slow catch-up while still freeing messages whose parents nobody has.
   */
  maxPendingAgeMs: number;
}

export const DEFAULT_SOLIDIFIER_OPTIONS: SolidifierOptions = {
  maxPending: 200_000,
  maxPendingAgeMs: 10 * 60 * 1000,
};

export interface SolidifierModules {
  tangle: Tangle;
  requester: Requester;
  listener: SolidifierListener;
  now: () => number;
}

interface Pending {
  readonly id: Uint8Array;
  readonly entry: UnsolidEntry;
  /**
   * How many of its parents it still waits for: it is in exactly that many `waiters` lists. A count rather than a
   * set of hex ids keeps a backlog of 100k pending messages light for the collector (sync in reverse order).
   */
  missing: number;
}

export class Solidifier {
  /** Unsolid messages by hex id, in arrival order (Map order), so the first one is the oldest. */
  private readonly pending = new Map<string, Pending>();
  /** Parent hex id → hex ids of pending children waiting for it (each child once per parent it misses). */
  private readonly waiters = new Map<string, string[]>();
  private readonly options: SolidifierOptions;

  constructor(
    options: Partial<SolidifierOptions>,
    private readonly modules: SolidifierModules,
  ) {
    this.options = { ...DEFAULT_SOLIDIFIER_OPTIONS, ...options };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Parents waited for that are not stored (what is, or should be, requested). */
  get missingCount(): number {
    let n = 0;
    for (const parent of this.waiters.keys()) if (!this.pending.has(parent)) n++;
    return n;
  }

  isPending(idHex: string): boolean {
    return this.pending.has(idHex);
  }

  /**
   * Rebuilds the pending set from the UNSOLID table after a start. Messages whose parents turned out solid (which a
   * consistent database never has, but costs nothing to handle) are solidified now.
   */
  load(hint: RequestHint): void {
    const entries = [...this.modules.tangle.unsolidMessages()].sort((a, b) => a[1].arrivedAt - b[1].arrivedAt);
    for (const [id, entry] of entries) this.pending.set(bytesToHex(id), { id, entry, missing: 0 });
    const ready: string[] = [];
    for (const [idHex, p] of this.pending) {
      this.collectMissing(idHex, p, this.modules.tangle.getParents(p.id) ?? [], hint);
      if (p.missing === 0) ready.push(idHex);
    }
    for (const idHex of ready) this.solidifyFrom(idHex);
  }

  /**
   * Solidifies or parks a message the caller has just stored (unsolid), given its parents (the caller decoded them
   * already). Returns true if it became solid now.
   */
  add(id: Uint8Array, idHex: string, parents: readonly Uint8Array[], entry: UnsolidEntry, hint: RequestHint): boolean {
    this.evictExpired();
    const p: Pending = { id, entry, missing: 0 };
    this.collectMissing(idHex, p, parents, hint);
    if (p.missing > 0 && this.pending.size >= this.options.maxPending) this.evictOldest("capacity");
    this.pending.set(idHex, p);
    if (p.missing > 0) return false;
    this.solidifyFrom(idHex);
    return true;
  }

  /** Evicts messages that waited longer than maxPendingAgeMs. Cheap when none did: it looks at the oldest only. */
  evictExpired(): void {
    const limit = this.modules.now() - this.options.maxPendingAgeMs;
    for (const [idHex, p] of this.pending) {
      if (p.entry.arrivedAt > limit) return;
      this.evict(idHex, p, "age");
    }
  }

  private evictOldest(reason: EvictionReason): void {
    const first = this.pending.entries().next();
    if (!first.done) this.evict(first.value[0], first.value[1], reason);
  }

  private evict(idHex: string, p: Pending, reason: EvictionReason): void {
    this.pending.delete(idHex);
    // The waiters lists it is in are those of its missing parents, a subset of its parents.
    if (p.missing > 0) {
      for (const parent of this.modules.tangle.getParents(p.id) ?? []) {
        const parentHex = bytesToHex(parent);
        const list = this.waiters.get(parentHex);
        const at = list?.indexOf(idHex) ?? -1;
        if (list === undefined || at < 0) continue;
        list.splice(at, 1);
        if (list.length === 0) this.waiters.delete(parentHex);
      }
    }
    const bytes = this.modules.tangle.deleteMessage(p.id, p.entry.lmiAtArrival, true);
    // Children waiting for this one keep waiting: it is missing again, exactly as before it arrived.
    if (bytes !== undefined) this.modules.listener.onEvicted(p.id, idHex, bytes, reason);
  }

  private collectMissing(idHex: string, p: Pending, parents: readonly Uint8Array[], hint: RequestHint): void {
    const { tangle, requester } = this.modules;
    for (const parent of parents) {
      // Metadata says solid only once the message has left the pending set (solidifyFrom), so this answers the
      // common case (a gossip parent that is already solid) before paying for its hex id.
      if (tangle.getMetadata(parent)?.solid === true) continue;
      const parentHex = bytesToHex(parent);
      if (!this.pending.has(parentHex) && tangle.solidEntryPointIndexByHex(parentHex) !== undefined) continue;
      p.missing++;
      const list = this.waiters.get(parentHex);
      if (list !== undefined) {
        list.push(idHex);
        continue;
      }
      this.waiters.set(parentHex, [idHex]);
      // First child to miss a parent that is not stored at all: ask for it once; the Requester retries.
      if (!this.pending.has(parentHex) && !tangle.hasMessage(parent)) requester.request(parent.slice(), hint);
    }
  }

  /** Marks `startHex` solid and everything waiting that it completes, in topological order. */
  private solidifyFrom(startHex: string): void {
    const { tangle, listener } = this.modules;
    const work = [startHex];
    for (let i = 0; i < work.length; i++) {
      const idHex = work[i]!;
      const p = this.pending.get(idHex);
      if (p === undefined) continue;
      this.pending.delete(idHex);
      tangle.markSolid(p.id);
      listener.onSolid(p.id, idHex);
      const children = this.waiters.get(idHex);
      if (children === undefined) continue;
      this.waiters.delete(idHex);
      for (const childHex of children) {
        const child = this.pending.get(childHex);
        if (child === undefined) continue;
        if (--child.missing === 0) work.push(childHex);
      }
    }
  }
}
