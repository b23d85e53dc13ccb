import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { coneRootIndexes } from "../../../src/tangle/coneRootIndexes.js";
import { DagBuilder, fakeId, MapConeView } from "./dagBuilder.js";

/** SEP s(5); referenced a(7) and b(9) on s; CMI 10. */
async function smallDag() {
  const dag = await DagBuilder.open();
  const t = dag.tangle;
  const s = dag.sep(0, 5);
  const a = dag.referenced([s], 7);
  const b = dag.referenced([s], 9);
  dag.synced(10);
  return { dag, t, s, a, b };
}

describe("coneRootIndexes", () => {
  it("gives a referenced message its own milestone index", async () => {
    const { t, a, b } = await smallDag();
    assert.deepEqual(coneRootIndexes(t, a), { ycri: 7, ocri: 7 });
    assert.deepEqual(coneRootIndexes(t, b), { ycri: 9, ocri: 9 });
  });

  it("gives a solid entry point its SEP index", async () => {
    const { t, s } = await smallDag();
    assert.deepEqual(coneRootIndexes(t, s), { ycri: 5, ocri: 5 });
  });

  it("takes the max and min over referenced messages and entry points at the cone's boundary", async () => {
    const { dag, t, s, a, b } = await smallDag();
    const x = dag.solid([a, b]);
    const y = dag.solid([x, s]);
    const z = dag.solid([y]);
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 9, ocri: 7 });
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 9, ocri: 5 });
    assert.deepEqual(coneRootIndexes(t, z), { ycri: 9, ocri: 5 });
  });

  it("does not walk below a referenced message", async () => {
    const { dag, t, s } = await smallDag();
    const old = dag.referenced([s], 2);
    const mid = dag.referenced([old], 8);
    const x = dag.solid([mid]);
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 8, ocri: 8 });
  });

  it("caches the pair on the message and on every unreferenced message it walked, tagged with the CMI", async () => {
    const { dag, t, a, b } = await smallDag();
    const w = dag.solid([a]);
    const x = dag.solid([w, b]);
    const y = dag.solid([x]);
    assert.equal(t.getMetadata(w)!.coneRootCalculationIndex, 0);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 9, ocri: 7 });
    for (const [id, ycri, ocri] of [
      [w, 7, 7],
      [x, 9, 7],
      [y, 9, 7],
    ] as const) {
      const m = t.getMetadata(id)!;
      assert.deepEqual([m.ycri, m.ocri, m.coneRootCalculationIndex], [ycri, ocri, 10], bytesToHex(id));
    }
  });

  it("stops at a cached pair computed at the current CMI", async () => {
    const { dag, t, a } = await smallDag();
    const x = dag.solid([a]);
    // A pair that no walk could produce proves that the cache, not the cone, answered.
    t.setMetadata(x, { ...t.getMetadata(x)!, ycri: 3, ocri: 2, coneRootCalculationIndex: 10 });
    const y = dag.solid([x]);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 3, ocri: 2 });
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 3, ocri: 2 });
  });

  it("recomputes a pair cached at an older CMI and re-tags it", async () => {
    const { dag, t, a, b } = await smallDag();
    const x = dag.solid([a, b]);
    t.setMetadata(x, { ...t.getMetadata(x)!, ycri: 3, ocri: 2, coneRootCalculationIndex: 10 });
    dag.synced(11);
    const y = dag.solid([x]);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 9, ocri: 7 });
    const m = t.getMetadata(x)!;
    assert.deepEqual([m.ycri, m.ocri, m.coneRootCalculationIndex], [9, 7, 11]);
  });

  it("sees messages referenced since the last CMI once the cache is stale", async () => {
    const { dag, t, a } = await smallDag();
    const x = dag.solid([a]);
    const y = dag.solid([x]);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 7, ocri: 7 });
    t.markReferenced(x, 11, 0);
    dag.synced(11);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 11, ocri: 11 });
  });

  it("neither trusts nor writes a cache while CMI is 0, where fresh metadata would look current", async () => {
    const dag = await DagBuilder.open();
    const t = dag.tangle;
    // An entry point above CMI 0 cannot happen in a node; here it shows whether the cone was walked.
    const s = dag.sep(0, 3);
    const w = dag.solid([s]);
    const x = dag.solid([w]);
    assert.equal(t.confirmedMilestoneIndex, 0);
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 3, ocri: 3 });
    assert.deepEqual(coneRootIndexes(t, w), { ycri: 3, ocri: 3 });
    assert.equal(t.getMetadata(x)!.ycri, 0);
    dag.synced(1);
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 3, ocri: 3 });
    assert.equal(t.getMetadata(x)!.coneRootCalculationIndex, 1);
  });

  it("returns what it found but caches nothing above a missing message", async () => {
    const { dag, t, a, b } = await smallDag();
    const missing = fakeId(99);
    const x = dag.solid([a, missing]);
    const w = dag.solid([b]);
    const y = dag.solid([x, w]);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 9, ocri: 7 });
    assert.equal(t.getMetadata(y)!.coneRootCalculationIndex, 0);
    assert.equal(t.getMetadata(x)!.coneRootCalculationIndex, 0);
    // A sibling cone that is complete is still cached.
    assert.equal(t.getMetadata(w)!.coneRootCalculationIndex, 10);
  });

  it("returns what it found but caches nothing above an unsolid message", async () => {
    const { dag, t, a, b } = await smallDag();
    const u = dag.store([a]);
    const y = dag.solid([u, b]);
    assert.deepEqual(coneRootIndexes(t, y), { ycri: 9, ocri: 7 });
    assert.equal(t.getMetadata(y)!.coneRootCalculationIndex, 0);
    assert.equal(t.getMetadata(u)!.coneRootCalculationIndex, 0);
  });

  it("returns (0, 0) when no index is found", async () => {
    const { dag, t } = await smallDag();
    const x = dag.solid([fakeId(42)]);
    assert.deepEqual(coneRootIndexes(t, x), { ycri: 0, ocri: 0 });
    assert.deepEqual(coneRootIndexes(t, fakeId(43)), { ycri: 0, ocri: 0 });
    assert.equal(t.getMetadata(x)!.coneRootCalculationIndex, 0);
  });

  it("reads each message of a ladder once (shared ancestors are not re-walked)", () => {
    // Two messages per level, each approving both of the level below: 2^levels paths, 2·levels messages.
    const view = new MapConeView();
    view.confirmedMilestoneIndex = 10;
    const root = view.addSep(fakeId(0), 4);
    let level = [root, root];
    const levels = 60;
    for (let i = 0; i < levels; i++) {
      level = [view.add(fakeId(2 * i + 1), [...level]), view.add(fakeId(2 * i + 2), [...level])];
    }
    const tip = view.add(fakeId(10_000), level);
    assert.deepEqual(coneRootIndexes(view, tip), { ycri: 4, ocri: 4 });
    assert.equal(view.parentReads, 2 * levels + 1);
    assert.equal(view.metadataWrites, 2 * levels + 1);
  });

  it("walks a 100k-long unreferenced chain in linear time without recursion, then answers from the cache", () => {
    const view = new MapConeView();
    view.confirmedMilestoneIndex = 50;
    const n = 100_000;
    let prev = view.add(fakeId(0), [view.addSep(fakeId(n + 10), 40)], {
      referenced: true,
      referencedByMilestoneIndex: 45,
    });
    for (let i = 1; i <= n; i++) prev = view.add(fakeId(i), [prev]);
    const started = performance.now();
    assert.deepEqual(coneRootIndexes(view, prev), { ycri: 45, ocri: 45 });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5000, `walk took ${elapsed.toFixed(0)} ms`);
    assert.equal(view.parentReads, n);
    const child = view.add(fakeId(n + 1), [prev]);
    view.parentReads = 0;
    assert.deepEqual(coneRootIndexes(view, child), { ycri: 45, ocri: 45 });
    assert.equal(view.parentReads, 1);
  });

  it("agrees with a brute-force walk on random DAGs, queried in random order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            parents: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
            kind: fc.constantFrom("solid", "solid", "solid", "referenced", "sep", "unsolid", "missing"),
            index: fc.integer({ min: 1, max: 30 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        (rootCount, specs, queries) => {
          const view = new MapConeView();
          view.confirmedMilestoneIndex = 31;
          const ids: Uint8Array[] = [];
          const oracle = new Map<string, { parents: Uint8Array[]; kind: string; index: number }>();
          for (let r = 0; r < rootCount; r++) {
            ids.push(view.addSep(fakeId(r), 1 + r));
            oracle.set(bytesToHex(ids[r]!), { parents: [], kind: "sep", index: 1 + r });
          }
          specs.forEach((spec, i) => {
            const id = fakeId(rootCount + i);
            const parents = spec.parents.map((p) => ids[p % ids.length]!);
            oracle.set(bytesToHex(id), { parents, kind: spec.kind, index: spec.index });
            if (spec.kind === "sep") view.addSep(id, spec.index);
            if (spec.kind !== "missing") {
              view.add(id, parents, {
                solid: spec.kind !== "unsolid",
                referenced: spec.kind === "referenced",
                referencedByMilestoneIndex: spec.kind === "referenced" ? spec.index : 0,
              });
            }
            ids.push(id);
          });
          const brute = (start: Uint8Array) => {
            let ycri = 0;
            let ocri = Number.POSITIVE_INFINITY;
            const seen = new Set<string>();
            const todo = [start];
            while (todo.length > 0) {
              const hex = bytesToHex(todo.pop()!);
              if (seen.has(hex)) continue;
              seen.add(hex);
              const m = oracle.get(hex)!;
              if (m.kind === "missing") continue;
              if (m.kind === "sep" || m.kind === "referenced") {
                ycri = Math.max(ycri, m.index);
                ocri = Math.min(ocri, m.index);
                continue;
              }
              todo.push(...m.parents);
            }
            return ocri === Number.POSITIVE_INFINITY ? { ycri: 0, ocri: 0 } : { ycri, ocri };
          };
          for (const q of queries) {
            const id = ids[q % ids.length]!;
            assert.deepEqual(coneRootIndexes(view, id), brute(id));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
