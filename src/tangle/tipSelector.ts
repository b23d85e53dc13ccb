/**
 * Uniform random tip selection (URTS, TIP-3) as Hornet 1.2.8 implements it (`pkg/tipselect/urts.go`, plugin
 * `plugins/urts`; chrysalis.md §7). Solid messages are scored against the confirmed milestone index (CMI); lazy ones
 * are dropped, the others kept in a non-lazy and a semi-lazy pool from which tips are drawn uniformly at random.
 *
 * The only effects of running this are changes to the two in-memory pools and the cone-root caching writes of
 * coneRootIndexes.ts. It creates no timers: the composition root calls cleanup() every second (Hornet's
 * `Tipselection[Cleanup]` worker) and updateScores() after each confirmed milestone.
 */
import { compareBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { type ConeRootView, coneRootIndexes } from "./coneRootIndexes.js";
import type { Tangle } from "./tangle.js";
import { TangleError } from "./tangleError.js";
import {
  DEFAULT_TIP_SELECTION_PARAMS,
  TIP_SCORE_LAZY,
  TIP_SCORE_NON_LAZY,
  TIP_SCORE_SEMI_LAZY,
  type TipScore,
  type TipSelectionParams,
  tipScore,
} from "./tipScore.js";

/** Retention rules of one pool (Hornet `tipsel.nonLazy.*` / `tipsel.semiLazy.*`). */
export interface TipPoolOptions {
  /**
   * Pool size above which the rules below are skipped: a tip that gets a child while the pool holds more tips than
   * this is removed at once, to shrink the pool quickly under load.
   */
  retentionRulesTipsLimit: number;
  /** Children after which a tip leaves the pool. */
  maxChildren: number;
  /** How long a tip stays after its first child, in ms (0: no limit). Widens the tangle without letting tips linger. */
  maxReferencedTipAgeMs: number;
  /**
   * Used by selectSpammerTips only. Non-lazy pool: the spammer gets non-lazy tips only while the pool holds at least
   * this many (0: always). Semi-lazy pool: once the pool holds more than this many, the spammer approves semi-lazy tips
   * to pull their old cones forward (0: never).
   */
  spammerTipsThreshold: number;
  /**
   * Hard cap on the pool (not in Hornet): the rules above only remove tips that get children, so a flood of solid
   * messages that nobody approves would grow the pool without bound. Past the cap the oldest tip is dropped.
   */
  maxTips: number;
}

export interface TipSelectorOptions {
  params: TipSelectionParams;
  nonLazy: TipPoolOptions;
  semiLazy: TipPoolOptions;
}

/** Constructor options: any subset, merged field by field over the defaults. */
export interface TipSelectorOptionsInput {
  params?: Partial<TipSelectionParams>;
  nonLazy?: Partial<TipPoolOptions>;
  semiLazy?: Partial<TipPoolOptions>;
}

/**
 * Hornet 1.2.8's non-lazy defaults (chrysalis.md §7 table). TIP-3 recommends removing a tip after X = 2 children or
 * T = 3 s; Hornet keeps the 3 s but lets a non-lazy tip collect up to 30 children while the pool is small (≤ 100), so
 * that many concurrent issuers can approve the same fresh tips.
 */
export const DEFAULT_NON_LAZY_POOL: Readonly<TipPoolOptions> = Object.freeze({
  retentionRulesTipsLimit: 100,
  maxChildren: 30,
  maxReferencedTipAgeMs: 3000,
  spammerTipsThreshold: 0,
  maxTips: 10_000,
});

/**
 * Hornet 1.2.8's semi-lazy defaults: a semi-lazy tip is only worth one or two approvals (they exist to be pulled
 * forward by the spammer or the coordinator), hence 2 children and a small pool.
 */
export const DEFAULT_SEMI_LAZY_POOL: Readonly<TipPoolOptions> = Object.freeze({
  retentionRulesTipsLimit: 20,
  maxChildren: 2,
  maxReferencedTipAgeMs: 3000,
  spammerTipsThreshold: 30,
  maxTips: 10_000,
});

/** Tips returned by one selection (Hornet's `optimalTipCount`, hard-coded there too). */
export const TIPS_PER_SELECTION = 4;

/** Hornet `isNodeAlmostSyncedThreshold`: tip selection works while CMI lags LMI by at most this many milestones. */
export const ALMOST_SYNCED_THRESHOLD = 2;

/** Hornet `IsNodeAlmostSynced`: some milestone is known and CMI ≥ LMI − 2. */
export function isNodeAlmostSynced(cmi: number, lmi: number): boolean {
  return lmi !== 0 && cmi >= lmi - ALMOST_SYNCED_THRESHOLD;
}

export type TipSelectorView = ConeRootView & Pick<Tangle, "latestMilestoneIndex">;

export interface TipSelectorModules {
  view: TipSelectorView;
  /** Milliseconds; only differences are used. */
  now: () => number;
  /** Uniform in [0, 1). */
  random: () => number;
}

export interface TipCount {
  nonLazy: number;
  semiLazy: number;
}

export interface ScoreUpdate {
  /** Tips that became lazy and left both pools. */
  removed: number;
  /** Tips that changed pools. */
  moved: number;
}

export interface SpammerTips {
  /** True when the tips come from the semi-lazy pool. */
  semiLazy: boolean;
  tips: Uint8Array[];
}

interface Tip {
  readonly id: Uint8Array;
  readonly hex: string;
  /** Number of solid children seen while the tip was in this pool. */
  children: number;
  /** now() when the first child arrived, or null. */
  firstChildAt: number | null;
  /** Position in TipPool.slots. */
  slot: number;
}

/**
 * One pool: a Map for lookup by hex id (its insertion order tells the oldest tip) and a dense array for O(1) uniform
 * draws (Hornet walks its Go map to the n-th entry instead, O(pool) per draw).
 */
class TipPool {
  private readonly byHex = new Map<string, Tip>();
  private readonly slots: Tip[] = [];

  constructor(
    readonly name: string,
    readonly options: Readonly<TipPoolOptions>,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  get(hex: string): Tip | undefined {
    return this.byHex.get(hex);
  }

  /** Adds `tip`, then drops the oldest tips while the pool is above maxTips. */
  add(tip: Tip): void {
    tip.slot = this.slots.length;
    this.slots.push(tip);
    this.byHex.set(tip.hex, tip);
    while (this.slots.length > this.options.maxTips) {
      const oldest = this.byHex.keys().next();
      if (oldest.done === true) break;
      this.remove(oldest.value);
    }
  }

  remove(hex: string): Tip | undefined {
    const tip = this.byHex.get(hex);
    if (tip === undefined) return undefined;
    this.byHex.delete(hex);
    const last = this.slots.pop()!;
    if (last !== tip) {
      last.slot = tip.slot;
      this.slots[tip.slot] = last;
    }
    return tip;
  }

  /** A copy of the tips, for loops that remove or move tips. */
  list(): Tip[] {
    return [...this.slots];
  }

  /**
   * min(count, size) distinct tips, each subset equally likely (Floyd's sampling: exactly one draw per tip). Hornet
   * draws with replacement up to (count − 1)·10 times and drops repeats: the same distribution, except that Hornet can
   * come back with fewer tips by bad luck while this never does and needs no retry bound.
   */
  sample(count: number, random: () => number): Tip[] {
    const n = this.slots.length;
    const k = Math.min(count, n);
    const picked = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = Math.min(j, Math.floor(random() * (j + 1)));
      picked.add(picked.has(t) ? j : t);
    }
    const out: Tip[] = [];
    for (const i of picked) out.push(this.slots[i]!);
    return out;
  }
}

export class TipSelector {
  readonly options: Readonly<TipSelectorOptions>;
  private readonly view: TipSelectorView;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly nonLazy: TipPool;
  private readonly semiLazy: TipPool;

  constructor(options: TipSelectorOptionsInput, modules: TipSelectorModules) {
    this.options = {
      params: { ...DEFAULT_TIP_SELECTION_PARAMS, ...options.params },
      nonLazy: { ...DEFAULT_NON_LAZY_POOL, ...options.nonLazy },
      semiLazy: { ...DEFAULT_SEMI_LAZY_POOL, ...options.semiLazy },
    };
    this.view = modules.view;
    this.now = modules.now;
    this.random = modules.random;
    this.nonLazy = new TipPool("non-lazy", this.options.nonLazy);
    this.semiLazy = new TipPool("semi-lazy", this.options.semiLazy);
  }

  get tipCount(): TipCount {
    return { nonLazy: this.nonLazy.size, semiLazy: this.semiLazy.size };
  }

  private get almostSynced(): boolean {
    return isNodeAlmostSynced(this.view.confirmedMilestoneIndex, this.view.latestMilestoneIndex);
  }

  /**
   * A message became solid (Hornet `AddTip`). Scores it and, unless lazy, puts it into its pool; then each parent that
   * is a tip in that same pool is removed when the pool is above its retentionRulesTipsLimit or the parent reaches
   * maxChildren, and otherwise has its first-child time set. Keeping the pools apart stops semi-lazy messages from
   * emptying the non-lazy pool; a lazy message removes nothing, or the pools could run empty.
   *
   * Ignored while the node is not almost synced (Hornet's urts plugin does not add tips during syncing). Returns the
   * score, or null when ignored or already a tip.
   */
  onSolid(id: Uint8Array, parents: readonly Uint8Array[]): TipScore | null {
    if (!this.almostSynced) return null;
    const hex = bytesToHex(id);
    if (this.nonLazy.get(hex) !== undefined || this.semiLazy.get(hex) !== undefined) return null;
    const score = this.score(id);
    if (score === TIP_SCORE_LAZY) return score;
    const pool = score === TIP_SCORE_NON_LAZY ? this.nonLazy : this.semiLazy;
    pool.add({ id: id.slice(), hex, children: 0, firstChildAt: null, slot: -1 });
    const handled = new Set<string>();
    for (const parent of parents) {
      const parentHex = bytesToHex(parent);
      if (handled.has(parentHex)) continue;
      handled.add(parentHex);
      const tip = pool.get(parentHex);
      if (tip !== undefined) this.applyRetention(pool, tip);
    }
    return score;
  }

  private applyRetention(pool: TipPool, tip: Tip): void {
    const o = pool.options;
    if (pool.size > o.retentionRulesTipsLimit) {
      pool.remove(tip.hex);
      return;
    }
    tip.children++;
    if (tip.children >= o.maxChildren) {
      pool.remove(tip.hex);
      return;
    }
    if (o.maxReferencedTipAgeMs !== 0 && tip.firstChildAt === null) tip.firstChildAt = this.now();
  }

  /**
   * Removes the tips whose first child came maxReferencedTipAgeMs or longer ago (Hornet `CleanUpReferencedTips`).
   * Returns how many were removed.
   */
  cleanup(): number {
    const now = this.now();
    let removed = 0;
    for (const pool of [this.nonLazy, this.semiLazy]) {
      const maxAge = pool.options.maxReferencedTipAgeMs;
      for (const tip of pool.list()) {
        if (tip.firstChildAt !== null && now - tip.firstChildAt >= maxAge) {
          pool.remove(tip.hex);
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Rescores every tip at the current CMI after a milestone confirmed (Hornet `UpdateScores`): lazy tips leave, tips
   * whose score changed move to the other pool with their child count and first-child time. Skipped while the node is
   * not almost synced, as in Hornet's urts plugin.
   */
  updateScores(): ScoreUpdate {
    const update: ScoreUpdate = { removed: 0, moved: 0 };
    if (!this.almostSynced) return update;
    const nonLazyTips = this.nonLazy.list();
    const semiLazyTips = this.semiLazy.list();
    this.rescore(this.nonLazy, this.semiLazy, nonLazyTips, update);
    this.rescore(this.semiLazy, this.nonLazy, semiLazyTips, update);
    return update;
  }

  private rescore(from: TipPool, other: TipPool, tips: Tip[], update: ScoreUpdate): void {
    const keep = from === this.nonLazy ? TIP_SCORE_NON_LAZY : TIP_SCORE_SEMI_LAZY;
    for (const tip of tips) {
      const score = this.score(tip.id);
      if (score === keep) continue;
      from.remove(tip.hex);
      if (score === TIP_SCORE_LAZY) {
        update.removed++;
      } else {
        other.add(tip);
        update.moved++;
      }
    }
  }

  /** Hornet `calculateScore`; a message no longer stored (pruned while unsynced) is lazy. */
  private score(id: Uint8Array): TipScore {
    if (this.view.getMetadata(id) === undefined) return TIP_SCORE_LAZY;
    return tipScore(this.view.confirmedMilestoneIndex, coneRootIndexes(this.view, id), this.options.params);
  }

  /**
   * Up to 4 distinct non-lazy tips (fewer only when the pool holds fewer), drawn uniformly and sorted bytewise as
   * TIP-6 wants parents. Throws TANGLE_ERROR_NOT_SYNCED unless CMI ≥ LMI − 2, and TANGLE_ERROR_NO_TIPS if the pool
   * is empty.
   */
  selectTips(): Uint8Array[] {
    this.assertAlmostSynced();
    return this.selectFrom(this.nonLazy);
  }

  /** As selectTips, from the semi-lazy pool (for the spammer and the coordinator). */
  selectSemiLazyTips(): Uint8Array[] {
    this.assertAlmostSynced();
    return this.selectFrom(this.semiLazy);
  }

  /**
   * Tips for a spammer (Hornet `SelectSpammerTips`): semi-lazy tips once the semi-lazy pool holds more than its
   * spammerTipsThreshold (a non-zero threshold), so the spam pulls those cones forward; otherwise non-lazy tips, but
   * only while the non-lazy pool holds at least its spammerTipsThreshold (0: always), else TANGLE_ERROR_NO_TIPS.
   * Hornet also refuses a semi-lazy draw of fewer than 2 tips; with a pool above a threshold ≥ 1 and draws that never
   * come back short, that cannot happen here.
   */
  selectSpammerTips(): SpammerTips {
    this.assertAlmostSynced();
    const semiThreshold = this.semiLazy.options.spammerTipsThreshold;
    if (semiThreshold !== 0 && this.semiLazy.size > semiThreshold) {
      return { semiLazy: true, tips: this.selectFrom(this.semiLazy) };
    }
    const nonLazyThreshold = this.nonLazy.options.spammerTipsThreshold;
    if (nonLazyThreshold !== 0 && this.nonLazy.size < nonLazyThreshold) {
      throw new TangleError(
        "TANGLE_ERROR_NO_TIPS",
        `the non-lazy pool holds ${this.nonLazy.size} tips, below the spammer threshold ${nonLazyThreshold}`,
      );
    }
    return { semiLazy: false, tips: this.selectFrom(this.nonLazy) };
  }

  /** Removes `id` from whichever pool holds it; false if it was no tip. */
  removeTip(id: Uint8Array): boolean {
    const hex = bytesToHex(id);
    return this.nonLazy.remove(hex) !== undefined || this.semiLazy.remove(hex) !== undefined;
  }

  private assertAlmostSynced(): void {
    if (!this.almostSynced) {
      const { confirmedMilestoneIndex: cmi, latestMilestoneIndex: lmi } = this.view;
      throw new TangleError(
        "TANGLE_ERROR_NOT_SYNCED",
        `the node is not synced: confirmed milestone ${cmi}, latest ${lmi}`,
      );
    }
  }

  private selectFrom(pool: TipPool): Uint8Array[] {
    if (pool.size === 0) throw new TangleError("TANGLE_ERROR_NO_TIPS", `the ${pool.name} tip pool is empty`);
    const ids = pool.sample(TIPS_PER_SELECTION, this.random).map((tip) => tip.id.slice());
    return ids.sort(compareBytes);
  }
}
