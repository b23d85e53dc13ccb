import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { TIP_SCORE_LAZY, TIP_SCORE_NON_LAZY, TIP_SCORE_SEMI_LAZY } from "../../../src/tangle/tipScore.js";
import {
  DEFAULT_NON_LAZY_POOL,
  DEFAULT_SEMI_LAZY_POOL,
  isNodeAlmostSynced,
  TipSelector,
  type TipSelectorOptionsInput,
} from "../../../src/tangle/tipSelector.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { seededRandom as seeded } from "../../utils/seededRandom.js";
import { DagBuilder, fakeId } from "./dagBuilder.js";

/**
 * CMI = LMI = 20. r20 referenced at 20 (a fresh cone), o8 at 8 (CMI − 12: non-lazy now, semi-lazy two milestones
 * later), o6 at 6 (CMI − 14: semi-lazy), o3 at 3 (CMI − 17: below max depth).
 */
async function setup(options: TipSelectorOptionsInput = {}, random: () => number = seeded(1)) {
  const dag = await DagBuilder.open();
  const sep = dag.sep(0, 1);
  const r20 = dag.referenced([sep], 20);
  const o8 = dag.referenced([sep], 8);
  const o6 = dag.referenced([sep], 6);
  const o3 = dag.referenced([sep], 3);
  dag.synced(20);
  const clock = { now: 1000 };
  const ts = new TipSelector(options, { view: dag.tangle, now: () => clock.now, random });
  /** Stores a solid message on `parents` and hands it to the selector; returns its id and score. */
  const solid = (parents: Uint8Array[]) => {
    const id = dag.solid(parents);
    return { id, score: ts.onSolid(id, parents) };
  };
  const nonLazy = () => solid([r20]).id;
  const semiLazy = () => solid([r20, o6]).id;
  return { dag, t: dag.tangle, ts, clock, solid, nonLazy, semiLazy, r20, o8, o6, o3 };
}

describe("isNodeAlmostSynced", () => {
  it("needs a known milestone and CMI ≥ LMI − 2", () => {
    assert.equal(isNodeAlmostSynced(0, 0), false);
    assert.equal(isNodeAlmostSynced(0, 1), true);
    assert.equal(isNodeAlmostSynced(0, 2), true);
    assert.equal(isNodeAlmostSynced(8, 10), true);
    assert.equal(isNodeAlmostSynced(7, 10), false);
    assert.equal(isNodeAlmostSynced(10, 10), true);
  });
});

describe("TipSelector", () => {
  it("has Hornet 1.2.8's retention defaults", () => {
    const pick = (o: typeof DEFAULT_NON_LAZY_POOL) => [
      o.retentionRulesTipsLimit,
      o.maxChildren,
      o.maxReferencedTipAgeMs,
      o.spammerTipsThreshold,
    ];
    assert.deepEqual(pick(DEFAULT_NON_LAZY_POOL), [100, 30, 3000, 0]);
    assert.deepEqual(pick(DEFAULT_SEMI_LAZY_POOL), [20, 2, 3000, 30]);
    assert.ok(DEFAULT_NON_LAZY_POOL.maxTips >= 1000 && DEFAULT_SEMI_LAZY_POOL.maxTips >= 1000);
  });

  it("puts non-lazy and semi-lazy messages into their pools and drops lazy ones", async () => {
    const { ts, solid, r20, o6, o3 } = await setup();
    assert.equal(solid([r20]).score, TIP_SCORE_NON_LAZY);
    assert.equal(solid([r20, o6]).score, TIP_SCORE_SEMI_LAZY);
    assert.equal(solid([r20, o3]).score, TIP_SCORE_LAZY);
    assert.equal(solid([o3]).score, TIP_SCORE_LAZY);
    assert.deepEqual(ts.tipCount, { nonLazy: 1, semiLazy: 1 });
  });

  it("scores an unknown message lazy and ignores a message that already is a tip", async () => {
    const { ts, nonLazy } = await setup();
    assert.equal(ts.onSolid(fakeId(5), []), TIP_SCORE_LAZY);
    const tip = nonLazy();
    assert.equal(ts.onSolid(tip, []), null);
    assert.deepEqual(ts.tipCount, { nonLazy: 1, semiLazy: 0 });
  });

  it("adds nothing and selects nothing while the node is not almost synced", async () => {
    const { dag, t, ts, solid, r20 } = await setup();
    t.setLatestMilestoneIndex(23);
    assert.equal(solid([r20]).score, null);
    assert.deepEqual(ts.tipCount, { nonLazy: 0, semiLazy: 0 });
    assert.equal(
      errorCodeOf(() => ts.selectTips()),
      "TANGLE_ERROR_NOT_SYNCED",
    );
    assert.equal(
      errorCodeOf(() => ts.selectSemiLazyTips()),
      "TANGLE_ERROR_NOT_SYNCED",
    );
    t.setLatestMilestoneIndex(22);
    assert.equal(solid([r20]).score, TIP_SCORE_NON_LAZY);
    assert.equal(ts.selectTips().length, 1);
    dag.synced(0);
    assert.equal(
      errorCodeOf(() => ts.selectTips()),
      "TANGLE_ERROR_NOT_SYNCED",
    );
  });

  it("throws TANGLE_ERROR_NO_TIPS when the non-lazy pool is empty, even with semi-lazy tips", async () => {
    const { ts, semiLazy } = await setup();
    assert.equal(
      errorCodeOf(() => ts.selectTips()),
      "TANGLE_ERROR_NO_TIPS",
    );
    const s = semiLazy();
    assert.equal(
      errorCodeOf(() => ts.selectTips()),
      "TANGLE_ERROR_NO_TIPS",
    );
    assert.deepEqual(ts.selectSemiLazyTips(), [s]);
  });

  it("selects 4 distinct tips sorted bytewise, or all of them when fewer", async () => {
    const { ts, nonLazy } = await setup();
    const a = nonLazy();
    const b = nonLazy();
    assert.deepEqual(ts.selectTips(), [a, b].sort(compareBytes));
    const all = new Set([a, b].map(bytesToHex));
    for (let i = 0; i < 8; i++) all.add(bytesToHex(nonLazy()));
    for (let round = 0; round < 50; round++) {
      const tips = ts.selectTips();
      assert.equal(tips.length, 4);
      assert.equal(new Set(tips.map(bytesToHex)).size, 4);
      for (let i = 1; i < tips.length; i++) assert.ok(compareBytes(tips[i - 1]!, tips[i]!) < 0);
      for (const tip of tips) assert.ok(all.has(bytesToHex(tip)));
    }
  });

  it("still returns 4 distinct tips when the random source repeats itself", async () => {
    for (const value of [0, 0.999999, 0.5]) {
      const { ts, nonLazy } = await setup({}, () => value);
      for (let i = 0; i < 6; i++) nonLazy();
      assert.equal(new Set(ts.selectTips().map(bytesToHex)).size, 4);
    }
  });

  it("draws every tip about equally often", async () => {
    const { ts, nonLazy } = await setup({}, seeded(7));
    const counts = new Map<string, number>();
    for (let i = 0; i < 10; i++) counts.set(bytesToHex(nonLazy()), 0);
    const rounds = 2000;
    for (let r = 0; r < rounds; r++) {
      for (const tip of ts.selectTips()) counts.set(bytesToHex(tip), counts.get(bytesToHex(tip))! + 1);
    }
    // Each tip is in a 4-of-10 draw with probability 0.4: 800 expected, standard deviation about 22.
    for (const n of counts.values()) assert.ok(n > 700 && n < 900, `count ${n}`);
  });

  it("removes a non-lazy tip once it has 30 children", async () => {
    const { ts, solid, r20 } = await setup();
    const parent = solid([r20]).id;
    for (let i = 0; i < 29; i++) solid([parent]);
    assert.equal(ts.removeTip(parent), true, "still a tip after 29 children");
    const again = solid([r20]).id;
    for (let i = 0; i < 30; i++) solid([again]);
    assert.equal(ts.removeTip(again), false, "removed at the 30th child");
  });

  it("removes a semi-lazy tip at its 2nd child; a child in the other pool leaves a tip alone", async () => {
    const { ts, solid, semiLazy, nonLazy, o6 } = await setup({ nonLazy: { maxChildren: 1 } });
    const parent = semiLazy();
    // A child of a semi-lazy tip inherits its old OCRI, so it is semi-lazy too.
    assert.equal(solid([parent]).score, TIP_SCORE_SEMI_LAZY);
    assert.equal(ts.tipCount.semiLazy, 2);
    solid([parent]);
    assert.equal(ts.removeTip(parent), false);
    const tip = nonLazy();
    assert.equal(solid([tip, o6]).score, TIP_SCORE_SEMI_LAZY);
    assert.equal(ts.tipCount.nonLazy, 1, "a semi-lazy child does not count against a non-lazy tip");
    assert.equal(solid([tip]).score, TIP_SCORE_NON_LAZY);
    assert.equal(ts.removeTip(tip), false, "maxChildren 1: gone at its first non-lazy child");
  });

  it("removes a tip at its first child while the pool is above retentionRulesTipsLimit", async () => {
    const { ts, solid, r20 } = await setup({ nonLazy: { retentionRulesTipsLimit: 3 } });
    const parents = [solid([r20]).id, solid([r20]).id];
    solid([parents[0]!]);
    // 3 tips in the pool: not above the limit, so the parent keeps its place with one child.
    assert.equal(ts.tipCount.nonLazy, 3);
    solid([r20]);
    solid([parents[1]!]);
    // 5 tips after adding the child: above the limit, so the parent goes at once.
    assert.equal(ts.tipCount.nonLazy, 4);
    assert.equal(ts.removeTip(parents[1]!), false);
    assert.equal(ts.removeTip(parents[0]!), true);
  });

  it("applies Hornet's default size limit of 100", async () => {
    const { ts, nonLazy, solid } = await setup();
    const first = nonLazy();
    for (let i = 0; i < 99; i++) nonLazy();
    solid([first]);
    assert.equal(ts.tipCount.nonLazy, 100, "101 tips after the child: the parent left at its first child");
    assert.equal(ts.removeTip(first), false);
  });

  it("removes tips once their first child is maxReferencedTipAge old", async () => {
    const { ts, clock, solid, nonLazy } = await setup();
    const referenced = nonLazy();
    const lonely = nonLazy();
    solid([referenced]);
    clock.now = 2000;
    solid([referenced]);
    clock.now = 3999;
    assert.equal(ts.cleanup(), 0);
    clock.now = 4000;
    assert.equal(ts.cleanup(), 1, "3 s after the first child, not the second");
    assert.equal(ts.removeTip(referenced), false);
    clock.now = 1_000_000;
    ts.cleanup();
    assert.equal(ts.removeTip(lonely), true, "a tip without children never ages out");
  });

  it("never ages tips out when maxReferencedTipAgeMs is 0", async () => {
    const { ts, clock, solid, nonLazy } = await setup({ nonLazy: { maxReferencedTipAgeMs: 0 } });
    const parent = nonLazy();
    solid([parent]);
    clock.now = 1_000_000;
    assert.equal(ts.cleanup(), 0);
    assert.equal(ts.removeTip(parent), true);
  });

  it("moves tips between pools and drops lazy ones when a milestone confirms", async () => {
    const { dag, t, ts, solid, r20, o8 } = await setup();
    const aging = solid([r20, o8]).id;
    const fresh = solid([r20]).id;
    const semi = solid([r20, o8]).id;
    dag.synced(21);
    assert.deepEqual(ts.updateScores(), { removed: 0, moved: 0 });
    assert.deepEqual(ts.tipCount, { nonLazy: 3, semiLazy: 0 });
    dag.synced(22);
    // CMI − OCRI = 14 for the two tips on o8: semi-lazy now.
    assert.deepEqual(ts.updateScores(), { removed: 0, moved: 2 });
    assert.deepEqual(ts.tipCount, { nonLazy: 1, semiLazy: 2 });
    // The confirming milestone 23 references `semi`: its indexes become 23, and it is non-lazy again.
    t.markReferenced(semi, 23, 0);
    dag.synced(23);
    assert.deepEqual(ts.updateScores(), { removed: 0, moved: 1 });
    assert.deepEqual(ts.tipCount, { nonLazy: 2, semiLazy: 1 });
    dag.synced(29);
    // CMI − YCRI = 9 for the tips whose youngest root is 20: lazy.
    assert.deepEqual(ts.updateScores(), { removed: 2, moved: 0 });
    assert.equal(ts.removeTip(aging), false);
    assert.equal(ts.removeTip(fresh), false);
    assert.equal(ts.removeTip(semi), true);
  });

  it("does not rescore while the node is not almost synced", async () => {
    const { t, ts, nonLazy } = await setup();
    nonLazy();
    t.setConfirmedMilestoneIndex(40);
    t.setLatestMilestoneIndex(50);
    assert.deepEqual(ts.updateScores(), { removed: 0, moved: 0 });
    assert.deepEqual(ts.tipCount, { nonLazy: 1, semiLazy: 0 });
  });

  it("caps each pool at maxTips, dropping the oldest tips", async () => {
    const { ts, nonLazy } = await setup({ nonLazy: { maxTips: 5 } });
    const ids = Array.from({ length: 7 }, () => nonLazy());
    assert.equal(ts.tipCount.nonLazy, 5);
    assert.equal(ts.removeTip(ids[0]!), false);
    assert.equal(ts.removeTip(ids[1]!), false);
    for (const id of ids.slice(2)) assert.equal(ts.removeTip(id), true);
  });

  it("removeTip removes from either pool", async () => {
    const { ts, nonLazy, semiLazy } = await setup();
    const a = nonLazy();
    const b = semiLazy();
    assert.equal(ts.removeTip(b), true);
    assert.equal(ts.removeTip(a), true);
    assert.equal(ts.removeTip(a), false);
    assert.deepEqual(ts.tipCount, { nonLazy: 0, semiLazy: 0 });
  });

  it("gives the spammer semi-lazy tips above their threshold, non-lazy ones from their threshold on", async () => {
    const { ts, nonLazy, semiLazy } = await setup({
      semiLazy: { spammerTipsThreshold: 2 },
      nonLazy: { spammerTipsThreshold: 2 },
    });
    semiLazy();
    semiLazy();
    nonLazy();
    assert.equal(
      errorCodeOf(() => ts.selectSpammerTips()),
      "TANGLE_ERROR_NO_TIPS",
    );
    nonLazy();
    assert.deepEqual(
      ts.selectSpammerTips().semiLazy,
      false,
      "2 semi-lazy tips are not above the threshold; 2 non-lazy tips reach theirs",
    );
    semiLazy();
    const spam = ts.selectSpammerTips();
    assert.equal(spam.semiLazy, true);
    assert.equal(spam.tips.length, 3);
  });

  it("with the defaults, the spammer always gets non-lazy tips until 31 semi-lazy tips pile up", async () => {
    const { ts, nonLazy, semiLazy } = await setup();
    nonLazy();
    for (let i = 0; i < 30; i++) semiLazy();
    assert.equal(ts.selectSpammerTips().semiLazy, false);
    semiLazy();
    assert.equal(ts.selectSpammerTips().semiLazy, true);
  });
});
