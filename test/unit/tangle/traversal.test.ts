import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { unreferencedPastCone } from "../../../src/tangle/traversal.js";

/** A tiny DAG by name: ids are one repeated byte per letter. */
function dag(edges: Record<string, string[]>, boundary: string[] = []) {
  const id = (name: string) => new Uint8Array(32).fill(name.charCodeAt(0));
  const byHex = new Map(Object.keys(edges).map((n) => [bytesToHex(id(n)), n]));
  for (const b of boundary) byHex.set(bytesToHex(id(b)), b);
  const name = (x: Uint8Array) => byHex.get(bytesToHex(x)) ?? "?";
  return {
    id,
    name,
    view: {
      getParents: (x: Uint8Array) => edges[name(x)]?.map(id),
      isBoundary: (x: Uint8Array) => boundary.includes(name(x)),
    },
  };
}

describe("unreferencedPastCone (TIP-2 order)", () => {
  it("is a post-order that visits parents in their listed order and stops at boundaries", () => {
    // TIP-2's worked shape: D approves B and C, both approve A, A approves the referenced R.
    const { id, name, view } = dag({ A: ["R"], B: ["A"], C: ["A"], D: ["B", "C"] }, ["R"]);
    const order = unreferencedPastCone(view, [id("D")]);
    assert.ok(Array.isArray(order));
    assert.deepEqual(order.map(name), ["A", "B", "C", "D"]);
  });

  it("reports the first message that is neither stored nor a boundary", () => {
    const { id, name, view } = dag({ B: ["A"] });
    const r = unreferencedPastCone(view, [id("B")]);
    assert.ok(!Array.isArray(r));
    assert.equal(name(r.missing), "?");
    assert.deepEqual(r.missing, id("A"));
  });

  it("walks a 200,000-long chain without recursion", () => {
    const n = 200_000;
    const ids = Array.from({ length: n }, (_, i) => {
      const x = new Uint8Array(32);
      new DataView(x.buffer).setUint32(0, i + 1);
      return x;
    });
    const index = new Map(ids.map((x, i) => [bytesToHex(x), i]));
    const order = unreferencedPastCone(
      {
        getParents: (x) => {
          const i = index.get(bytesToHex(x))!;
          return i === 0 ? [] : [ids[i - 1]!];
        },
        isBoundary: () => false,
      },
      [ids[n - 1]!],
    );
    assert.ok(Array.isArray(order));
    assert.equal(order.length, n);
    assert.deepEqual(order[0], ids[0]);
  });
});
