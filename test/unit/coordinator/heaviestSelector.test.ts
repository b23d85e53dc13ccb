/**
 * The heaviest-branch tip selection (Hornet 1.2.8 mselection): heaviest cone first, cones subtracted between picks,
 * the stop rules (threshold once more than minRequiredTips are taken, maxHeaviestBranchTips, the deadline), the random
 * tips, what stays tracked after a selection, retain() and the hard cap.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HeaviestSelectionOptions, HeaviestSelector } from "../../../src/coordinator/heaviestSelector.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { seededRandom } from "../../utils/seededRandom.js";

/** Message ids from names; `track` adds them in the order given. */
class Dag {
  private readonly ids = new Map<string, Uint8Array>();
  constructor(readonly selector: HeaviestSelector) {}

  id(name: string): Uint8Array {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = new Uint8Array(32);
      id.set(new TextEncoder().encode(name).subarray(0, 32));
      this.ids.set(name, id);
    }
    return id;
  }

  name(id: Uint8Array): string {
    for (const [name, known] of this.ids) if (bytesToHex(known) === bytesToHex(id)) return name;
    return "?";
  }

  track(name: string, ...parents: string[]): number {
    return this.selector.track(
      this.id(name),
      parents.map((p) => this.id(p)),
    );
  }

  /** A chain `prefix0 ← prefix1 ← … ← prefix(n−1)`; returns the name of its tip. */
  chain(prefix: string, n: number): string {
    this.track(`${prefix}0`, "genesis");
    for (let i = 1; i < n; i++) this.track(`${prefix}${i}`, `${prefix}${i - 1}`);
    return `${prefix}${n - 1}`;
  }

  select(minRequired: number): string[] {
    return this.selector.selectTips(minRequired).map((id) => this.name(id));
  }
}

function dag(options: Partial<HeaviestSelectionOptions> = {}, now: () => number = () => 0): Dag {
  return new Dag(new HeaviestSelector(options, seededRandom(1), now));
}

describe("HeaviestSelector", () => {
  it("takes the tip with the largest cone first, then the one adding the most of what is left", () => {
    const d = dag({ minUnreferencedMessages: 1, randomTips: 0 });
    const big = d.chain("a", 30);
    const small = d.chain("b", 5);
    // c's cone holds the whole of a and 3 of its own: it outweighs a's tip, which then adds nothing.
    d.track("c0", big);
    d.track("c1", "c0");
    d.track("c2", "c1");
    assert.equal(d.selector.tipCount, 2, "a29 and b4 stopped being tips when children arrived");
    assert.deepEqual(d.select(0), ["c2", small]);
    assert.equal(d.selector.size, 0, "everything the tips reference stops being tracked");
  });

  it("stops at the threshold once more than minRequiredTips are taken, and adds random tips", () => {
    const d = dag({ randomTips: 3 });
    const heavy = d.chain("h", 25);
    for (let i = 0; i < 10; i++) d.track(`x${i}`, "genesis");
    const picked = d.select(0);
    // h24 (25 ≥ 20), then the next best adds 1 < 20 and one tip (> 0 required) is already taken: 3 random tips.
    assert.equal(picked[0], heavy);
    assert.equal(picked.length, 4);
    assert.ok(picked.slice(1).every((n) => n.startsWith("x")));
    assert.equal(d.selector.size, 10 - 3, "the lone messages nobody selected stay tracked for the next selection");
    assert.equal(d.select(0).length, 4);
  });

  it("takes at least minRequiredTips + 1 tips, whatever their weight", () => {
    const d = dag({ randomTips: 0 });
    for (let i = 0; i < 5; i++) d.track(`x${i}`, "genesis");
    assert.equal(d.select(1).length, 2);
    assert.equal(d.select(3).length, 3, "all that are left");
  });

  it("takes at most maxHeaviestBranchTips heaviest tips, then the random ones", () => {
    const d = dag({ maxHeaviestBranchTips: 10, randomTips: 3 });
    const tips = Array.from({ length: 14 }, (_, b) => d.chain(`b${b}-`, 20 + b));
    const picked = d.select(1);
    assert.equal(picked.length, 13);
    // The ten heaviest branches (b4 … b13), heaviest first.
    assert.deepEqual(picked.slice(0, 10), tips.slice(4).reverse());
    assert.ok(picked.slice(10).every((n) => tips.slice(0, 4).includes(n)));
    assert.equal(d.selector.tipCount, 1);
  });

  it("stops collecting heaviest tips at the deadline (after minRequiredTips + 1)", () => {
    // Each reading of the clock is 60 ms after the last: the second pick already runs past the 100 ms deadline.
    let t = 0;
    const slow = dag({ randomTips: 0, selectionTimeoutMs: 100 }, () => (t += 60));
    const fast = dag({ randomTips: 0, selectionTimeoutMs: 100 });
    for (const d of [slow, fast]) for (let b = 0; b < 5; b++) d.chain(`b${b}-`, 30);
    assert.equal(slow.select(0).length, 1);
    assert.equal(fast.select(0).length, 5, "in time, all five branches are heavy enough");
  });

  it("retain() drops messages and recomputes the cones without them", () => {
    const d = dag({ minUnreferencedMessages: 1, randomTips: 0 });
    d.chain("a", 10);
    d.track("y", "genesis");
    d.selector.retain((id) => !d.name(id).startsWith("a") || Number(d.name(id).slice(1)) >= 8);
    assert.equal(d.selector.size, 3);
    // a9's cone is now a8 and a9 only: the lone y (1) and a9 (2) are both taken, a9 first.
    assert.deepEqual(d.select(0), ["a9", "y"]);
  });

  it("ignores duplicates and parents it does not track, and tracks at most twice maxTrackedMessages", () => {
    const d = dag({ maxTrackedMessages: 4 });
    assert.equal(d.track("a", "unknown", "genesis"), 1);
    assert.equal(d.track("a", "genesis"), 1);
    for (let i = 0; i < 20; i++) d.track(`m${i}`, "a");
    assert.equal(d.selector.size, 8);
  });

  it("returns at most `limit` tips, heaviest and random ones together", () => {
    const d = dag({ minUnreferencedMessages: 1, randomTips: 3 });
    for (let b = 0; b < 8; b++) d.chain(`b${b}-`, 3);
    assert.equal(d.select(0).length, 8, "without a limit: every branch is heavy enough");
    for (let b = 0; b < 8; b++) d.chain(`c${b}-`, 3);
    assert.equal(d.selector.selectTips(0, 2).length, 2);
    const light = dag({ randomTips: 3 });
    for (let b = 0; b < 8; b++) light.track(`lone${b}`, "genesis");
    assert.equal(light.selector.selectTips(0, 3).length, 3, "one heaviest, then random ones up to the limit");
  });

  it("returns no tips when nothing is tracked", () => {
    assert.deepEqual(dag().select(1), []);
  });

  it("on a random DAG, every message is referenced by the union of a few selections", () => {
    const random = seededRandom(42);
    const d = dag({}, () => 0);
    const names: string[] = [];
    for (let i = 0; i < 300; i++) {
      const parents = names.length === 0 ? ["genesis"] : [];
      const k = 1 + Math.floor(random() * 3);
      for (let j = 0; j < k && names.length > 0; j++) {
        parents.push(names[Math.max(0, names.length - 1 - Math.floor(random() * 10))]!);
      }
      const name = `m${i}`;
      d.track(name, ...parents);
      names.push(name);
    }
    let selections = 0;
    while (d.selector.size > 0) {
      d.select(1);
      selections++;
      assert.ok(selections < 50, `still ${d.selector.size} tracked after 50 selections`);
    }
  });
});
