/**
 * The coordinator's tip selection: heaviest branch (chrysalis.md §5.4; Hornet 1.2.8 `pkg/model/mselection`).
 *
 * Every solid message since the last selection is tracked with the set of tracked messages in its past cone (itself
 * included, one bit each). A selection takes, from the tips present when it starts, the tip whose cone holds the most
 * messages, removes that cone from the other tips' sets and repeats, until the best tip adds fewer than
 * `minUnreferencedMessages` (once more than `minRequiredTips` are taken), `maxHeaviestBranchTips` are taken or the
 * time is up; then `randomTips` random tips, so that no one can attract the coordinator with a parasite chain alone.
 * Plain uniform tip selection (TIP-3) would leave fresh messages behind: its pool keeps tips that already have
 * children, and a milestone only has room for a few.
 *
 * One difference from Hornet: after a selection Hornet forgets every tracked message; this keeps those the selected
 * tips do not reach, so a message that arrived in a quiet moment is not left for others' tips to pick up.
 *
 * The only effect of running this is its in-memory state; it creates no timers.
 */
import { bytesToHex } from "../primitives/hex.js";

export interface HeaviestSelectionOptions {
  /** A heaviest-branch tip adding fewer unreferenced messages than this ends the collection (Hornet: 20). */
  minUnreferencedMessages: number;
  /** At most this many heaviest-branch tips per selection (Hornet: 10). */
  maxHeaviestBranchTips: number;
  /** Random tips added once at least one heaviest-branch tip was found (Hornet: 3). */
  randomTips: number;
  /** Heaviest-branch tips are collected for at most this long (Hornet: 100 ms). */
  selectionTimeoutMs: number;
  /**
   * Tracked messages at which the coordinator issues a checkpoint, and the selection with it, to keep the sets small
   * (Hornet `coordinator.checkpoints.maxTrackedMessages`: 10,000). Twice this is a hard cap: past it, new messages
   * are not tracked (they are still approved by the node's ordinary tip selection).
   */
  maxTrackedMessages: number;
}

export const DEFAULT_HEAVIEST_SELECTION: Readonly<HeaviestSelectionOptions> = Object.freeze({
  minUnreferencedMessages: 20,
  maxHeaviestBranchTips: 10,
  randomTips: 3,
  selectionTimeoutMs: 100,
  maxTrackedMessages: 10_000,
});

/** A growable set of small integers. */
class BitSet {
  private words: Uint32Array;

  constructor(bits = 0) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(bits / 32)));
  }

  add(bit: number): void {
    const word = bit >>> 5;
    if (word >= this.words.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.words.length * 2));
      grown.set(this.words);
      this.words = grown;
    }
    this.words[word]! |= 1 << (bit & 31);
  }

  has(bit: number): boolean {
    const word = bit >>> 5;
    return word < this.words.length && (this.words[word]! & (1 << (bit & 31))) !== 0;
  }

  /** this ∪= other */
  union(other: BitSet): void {
    if (other.words.length > this.words.length) {
      const grown = new Uint32Array(other.words.length);
      grown.set(this.words);
      this.words = grown;
    }
    for (let i = 0; i < other.words.length; i++) this.words[i]! |= other.words[i]!;
  }

  /** this −= other */
  subtract(other: BitSet): void {
    const n = Math.min(this.words.length, other.words.length);
    for (let i = 0; i < n; i++) this.words[i]! &= ~other.words[i]!;
  }

  count(): number {
    let total = 0;
    for (let i = 0; i < this.words.length; i++) {
      let v = this.words[i]!;
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      total += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return total;
  }

  copy(): BitSet {
    const c = new BitSet();
    c.words = this.words.slice();
    return c;
  }
}

interface Tracked {
  readonly id: Uint8Array;
  readonly hex: string;
  readonly parents: readonly string[];
  /** This message's bit. */
  readonly bit: number;
  /** The tracked messages in its past cone, itself included. */
  readonly refs: BitSet;
  tip: boolean;
}

export class HeaviestSelector {
  readonly options: Readonly<HeaviestSelectionOptions>;
  /** Insertion order is solidification order: parents come before their children. */
  private tracked = new Map<string, Tracked>();
  private tips = new Set<Tracked>();

  constructor(
    options: Partial<HeaviestSelectionOptions>,
    private readonly random: () => number,
    private readonly now: () => number,
  ) {
    this.options = { ...DEFAULT_HEAVIEST_SELECTION, ...options };
  }

  /** Messages tracked since the last selection that no selection has covered yet. */
  get size(): number {
    return this.tracked.size;
  }

  get tipCount(): number {
    return this.tips.size;
  }

  /**
   * A solid message (called in solidification order). Its parents stop being tips; parents that are not tracked
   * (referenced before, or not seen) are left out of its set. Returns the number of tracked messages.
   */
  track(id: Uint8Array, parents: readonly Uint8Array[]): number {
    this.add(id, bytesToHex(id), parents.map(bytesToHex));
    return this.tracked.size;
  }

  private add(id: Uint8Array, hex: string, parents: readonly string[]): void {
    if (this.tracked.has(hex) || this.tracked.size >= 2 * this.options.maxTrackedMessages) return;
    const bit = this.tracked.size;
    const refs = new BitSet(bit + 1);
    refs.add(bit);
    for (const parentHex of parents) {
      const parent = this.tracked.get(parentHex);
      if (parent === undefined) continue;
      refs.union(parent.refs);
      if (parent.tip) {
        parent.tip = false;
        this.tips.delete(parent);
      }
    }
    const entry: Tracked = { id: id.slice(), hex, parents, bit, refs, tip: true };
    this.tracked.set(hex, entry);
    this.tips.add(entry);
  }

  /**
   * Tips that together reference the most tracked messages (see the file comment), at least `minRequiredTips + 1`
   * when that many tips exist and at most `limit`; [] when there is no tip. Everything the returned tips reference
   * stops being tracked.
   */
  selectTips(minRequiredTips: number, limit = Number.POSITIVE_INFINITY): Uint8Array[] {
    // A frozen view with copies of the sets: the collection subtracts from them.
    const working = new Map<Tracked, BitSet>();
    for (const tip of this.tips) working.set(tip, tip.refs.copy());
    if (working.size === 0) return [];
    const covered = new BitSet(this.tracked.size);
    const selected: Tracked[] = [];
    const take = (tip: Tracked): void => {
      const refs = working.get(tip)!;
      working.delete(tip);
      for (const other of working.values()) other.subtract(refs);
      covered.union(tip.refs);
      selected.push(tip);
    };
    const deadline = this.now() + this.options.selectionTimeoutMs;
    const heaviest = Math.min(this.options.maxHeaviestBranchTips, limit);
    for (let i = 0; i < heaviest && working.size > 0; i++) {
      const timedOut = this.now() > deadline;
      let best: Tracked[] = [];
      let bestCount = -1;
      for (const [tip, refs] of working) {
        const count = refs.count();
        if (count > bestCount) {
          best = [tip];
          bestCount = count;
        } else if (count === bestCount) {
          best.push(tip);
        }
      }
      if (selected.length > minRequiredTips && (bestCount < this.options.minUnreferencedMessages || timedOut)) break;
      take(best[Math.floor(this.random() * best.length)]!);
    }
    for (let i = 0; i < this.options.randomTips && working.size > 0 && selected.length < limit; i++) {
      const tips = [...working.keys()];
      take(tips[Math.floor(this.random() * tips.length)]!);
    }
    this.rebuild((t) => !covered.has(t.bit));
    return selected.map((t) => t.id);
  }

  /** Keeps only the tracked messages for which `keep` holds (after a confirmation: the unreferenced ones). */
  retain(keep: (id: Uint8Array) => boolean): void {
    this.rebuild((t) => keep(t.id));
  }

  /** Tracks the kept messages again in their order, with fresh bits (a dropped parent leaves the child's set). */
  private rebuild(keep: (t: Tracked) => boolean): void {
    const kept = [...this.tracked.values()].filter(keep);
    if (kept.length === this.tracked.size) return;
    this.tracked = new Map();
    this.tips = new Set();
    for (const t of kept) this.add(t.id, t.hex, t.parents);
  }
}
